import type { Unit, UnitKind } from '@opvangatlas/shared';

/** What the user is looking for: a kind of place and the household (systeem) that needs it. */
export interface UnitFilter {
  kind: UnitKind | 'all';
  /** Counts only: a household is never described by names (docs/DOMAIN.md, privacy rules). */
  adults: number;
  children: number;
  /** Only places in mannenopvang (shelter for men). */
  mannenopvang: boolean;
  /** Only wheelchair-accessible places. */
  wheelchair: boolean;
}

export const DEFAULT_FILTER: Readonly<UnitFilter> = {
  kind: 'all',
  adults: 1,
  children: 0,
  mannenopvang: false,
  wheelchair: false,
};

/** Limits of the shared Household schema. */
export const MAX_ADULTS = 6;
export const MAX_CHILDREN = 12;

const clampInt = (v: unknown, max: number) => {
  const n = Math.trunc(Number(v));
  return Number.isFinite(n) ? Math.min(max, Math.max(0, n)) : 0;
};

/** Repairs values from number inputs (empty, negative, fractions) into a usable filter. */
export function sanitiseFilter(f: UnitFilter): UnitFilter {
  return {
    ...f,
    adults: clampInt(f.adults, MAX_ADULTS),
    children: clampInt(f.children, MAX_CHILDREN),
  };
}

/** Persons that must fit in one unit; at least one. */
export function householdSize(f: Pick<UnitFilter, 'adults' | 'children'>): number {
  return Math.max(1, clampInt(f.adults, MAX_ADULTS) + clampInt(f.children, MAX_CHILDREN));
}

type FilterableUnit = Pick<Unit, 'kind' | 'maxPersons' | 'mannenopvang' | 'wheelchair'>;

/** Household and needs, ignoring the kind of place (markers show every kind side by side). */
export function fitsNeeds(unit: FilterableUnit, f: UnitFilter): boolean {
  if (unit.maxPersons < householdSize(f)) return false;
  if (f.mannenopvang && !unit.mannenopvang) return false;
  if (f.wheelchair && !unit.wheelchair) return false;
  return true;
}

export function matchesFilter(unit: FilterableUnit, f: UnitFilter): boolean {
  return (f.kind === 'all' || unit.kind === f.kind) && fitsNeeds(unit, f);
}

export function isDefaultFilter(f: UnitFilter): boolean {
  const d = DEFAULT_FILTER;
  return (
    f.kind === d.kind &&
    householdSize(f) === 1 &&
    f.mannenopvang === d.mannenopvang &&
    f.wheelchair === d.wheelchair
  );
}
