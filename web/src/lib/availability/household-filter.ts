import { sanitiseFilter, type UnitFilter, DEFAULT_FILTER } from './filters';

/**
 * The household part of the filter (who needs a place), kept on the device across pages and
 * sessions and shared by Noodbed nu and the Kaart (issue 14): in the URL, so a link or a
 * reload keeps it, and in localStorage, so the next page or tomorrow's shift starts with it.
 * The kind of place stays per page (Noodbed nu is noodbedden only).
 */
export type HouseholdFilter = Pick<
  UnitFilter,
  'adults' | 'children' | 'mannenopvang' | 'wheelchair'
>;

export const HOUSEHOLD_STORAGE_KEY = 'opvangatlas.household';

/** URL parameter names, in Dutch like the rest of the app's URLs. */
const PARAMS = {
  adults: 'volwassenen',
  children: 'kinderen',
  mannenopvang: 'mannenopvang',
  wheelchair: 'rolstoel',
} as const;

const household = (f: HouseholdFilter): HouseholdFilter => {
  const { adults, children, mannenopvang, wheelchair } = sanitiseFilter({
    ...DEFAULT_FILTER,
    ...f,
  });
  return { adults, children, mannenopvang, wheelchair };
};

function fromParams(params: URLSearchParams): HouseholdFilter | null {
  if (!Object.values(PARAMS).some((p) => params.has(p))) return null;
  return household({
    adults: Number(params.get(PARAMS.adults) ?? DEFAULT_FILTER.adults),
    children: Number(params.get(PARAMS.children) ?? DEFAULT_FILTER.children),
    mannenopvang: params.get(PARAMS.mannenopvang) === '1',
    wheelchair: params.get(PARAMS.wheelchair) === '1',
  });
}

function fromStorage(storage: Pick<Storage, 'getItem'>): HouseholdFilter | null {
  try {
    const raw: unknown = JSON.parse(storage.getItem(HOUSEHOLD_STORAGE_KEY) ?? 'null');
    if (typeof raw !== 'object' || raw === null) return null;
    const r = raw as Record<string, unknown>;
    return household({
      adults: Number(r.adults ?? DEFAULT_FILTER.adults),
      children: Number(r.children ?? DEFAULT_FILTER.children),
      mannenopvang: r.mannenopvang === true,
      wheelchair: r.wheelchair === true,
    });
  } catch {
    return null; // storage blocked or a value from elsewhere: start from the default
  }
}

/** The household to start a page with: the URL's, else the device's, else the default. */
export function initialHousehold(url: URL, storage: Pick<Storage, 'getItem'>): HouseholdFilter {
  return fromParams(url.searchParams) ?? fromStorage(storage) ?? household(DEFAULT_FILTER);
}

/** Keeps the household on the device; returns the URL that carries it (for replaceState). */
export function keepHousehold(
  f: HouseholdFilter,
  url: URL,
  storage: Pick<Storage, 'setItem'>,
): URL {
  const h = household(f);
  try {
    storage.setItem(HOUSEHOLD_STORAGE_KEY, JSON.stringify(h));
  } catch {
    // private mode with storage off: the URL still keeps it
  }
  const next = new URL(url);
  next.searchParams.set(PARAMS.adults, String(h.adults));
  next.searchParams.set(PARAMS.children, String(h.children));
  for (const key of ['mannenopvang', 'wheelchair'] as const) {
    if (h[key]) next.searchParams.set(PARAMS[key], '1');
    else next.searchParams.delete(PARAMS[key]);
  }
  return next;
}
