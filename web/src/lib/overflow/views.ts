import {
  daysBetween,
  nightsIn,
  overflowTypes,
  unitKinds,
  urgencies,
  voRoles,
  type Cell,
  type CloseOutcome,
  type MunicipalityFigures,
  type OverflowRegistration,
  type OverflowType,
  type PlacementRequest,
  type SessionUser,
  type UnitKind,
  type WaitlistEntry,
} from '@opvangatlas/shared';
import type { Lang } from '$lib/format';

type Viewer = Pick<SessionUser, 'role' | 'organisationId'>;

const isStaff = (viewer: Viewer) => voRoles.includes(viewer.role);
const mine = (viewer: Viewer, r: { organisationId: number }) =>
  !isStaff(viewer) || r.organisationId === viewer.organisationId;

/** Late: flagged by the server's sweep, or due already (between two sweeps). */
export function isOverdue(r: OverflowRegistration, now: Date): boolean {
  return (
    r.status === 'active' && (r.overdueLevel > 0 || Date.parse(r.nextCheckInAt) <= now.getTime())
  );
}

/**
 * Stays that last, as the VO works through them: escalated first, then late, then the
 * check-in due soonest. A VO sees its own; a coordinator all.
 */
export function activeStays(
  list: Iterable<OverflowRegistration>,
  viewer: Viewer,
  now: Date,
): OverflowRegistration[] {
  const rank = (r: OverflowRegistration) => (r.overdueLevel === 2 ? 0 : isOverdue(r, now) ? 1 : 2);
  return [...list]
    .filter((r) => r.status === 'active' && mine(viewer, r))
    .sort((a, b) => rank(a) - rank(b) || Date.parse(a.nextCheckInAt) - Date.parse(b.nextCheckInAt));
}

/** Stays ended lately, the last ended first. */
export function endedStays(list: Iterable<OverflowRegistration>, viewer: Viewer) {
  return [...list]
    .filter((r) => r.status === 'ended' && mine(viewer, r))
    .sort((a, b) => Date.parse(b.endedAt!) - Date.parse(a.endedAt!));
}

/**
 * The number on the Niet-regulier link: for VO staff their own late check-ins; for
 * coordinators those late past the grace period (the sweep's level 2).
 */
export function overdueBadge(list: Iterable<OverflowRegistration>, viewer: Viewer): number {
  const level = isStaff(viewer) ? 1 : 2;
  return [...list].filter(
    (r) => r.status === 'active' && r.overdueLevel >= level && mine(viewer, r),
  ).length;
}

/** Nights so far, one per calendar day (the monitor's verblijfsdagen). */
export const nightsSoFar = (r: OverflowRegistration, today: string) =>
  nightsIn(r, r.startDate, '9999-12-31', today);

/** A placement request closed as hotel, vakantiepark or other: which type of stay it became. */
const typeOfOutcome: Partial<Record<CloseOutcome, OverflowType>> = {
  hotel: 'hotel',
  vakantiepark: 'vakantiepark',
  other_alternative: 'other',
};

/**
 * Where a worker goes after closing a request without a placement: the overflow form for a
 * hotel, holiday park or alternative, the niet-plaatsing form for a niet-plaatsing; with the
 * request, so the form is filled in from it.
 */
export function afterClose(
  request: Pick<PlacementRequest, 'id' | 'outcome'>,
): { path: '/niet-regulier/nieuw' | '/wachtlijst/niet-plaatsing'; query: string } | null {
  const query = `?fromRequest=${request.id}`;
  if (request.outcome === 'niet_plaatsing') return { path: '/wachtlijst/niet-plaatsing', query };
  if (request.outcome && typeOfOutcome[request.outcome as CloseOutcome])
    return { path: '/niet-regulier/nieuw', query };
  return null;
}

/** The overflow form's values taken from a request (its composition, its origin region). */
export function prefillFromRequest(request: PlacementRequest) {
  return {
    type: typeOfOutcome[request.outcome as CloseOutcome] ?? 'hotel',
    regionId: request.originRegionId,
    adults: Math.max(1, request.household?.adults.length ?? 1),
    children: request.household?.children.length ?? 0,
  };
}

const urgencyRank = Object.fromEntries(urgencies.map((u, i) => [u, i])) as Record<
  WaitlistEntry['urgency'],
  number
>;

/** Households waiting per kind of place: most urgent first, then longest waiting. */
export function waitingByKind(
  entries: Iterable<WaitlistEntry>,
  viewer: Viewer,
): Array<{ kind: UnitKind; entries: WaitlistEntry[] }> {
  const waiting = [...entries].filter((e) => e.status === 'waiting' && mine(viewer, e));
  return unitKinds
    .map((kind) => ({
      kind,
      entries: waiting
        .filter((e) => e.kind === kind)
        .sort(
          (a, b) =>
            urgencyRank[a.urgency] - urgencyRank[b.urgency] ||
            a.waitingSince.localeCompare(b.waitingSince),
        ),
    }))
    .filter((g) => g.entries.length > 0);
}

export const daysWaiting = (entry: WaitlistEntry, today: string) =>
  Math.max(0, daysBetween(entry.waitingSince, today));

/** A figure as a municipality may see it: the number, or its suppression label. */
export function cellText(cell: Cell | null, lang: Lang): string {
  if (cell === null) return '–';
  if (typeof cell !== 'number') return cell;
  return new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB').format(cell);
}

/** A share (0.18) as "18%", or its suppression label. */
export function shareText(value: Cell | null, lang: Lang): string {
  if (value === null) return '–';
  if (typeof value !== 'number') return value;
  return new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(value);
}

/** Suppressed figures are left out of a chart (the table says why). */
export const chartValue = (cell: Cell): number | null => (typeof cell === 'number' ? cell : null);

/** Households and persons in overflow now, per type, for the chart and its table. */
export function overflowRows(f: MunicipalityFigures) {
  return overflowTypes.map((type) => ({
    type,
    households: f.overflow.byType[type].households,
    persons: f.overflow.byType[type].persons,
  }));
}

/**
 * Nights per month this year next to the same month last year (January to December), for
 * the chart and its table; months still to come this year are null.
 */
export function nightsByMonth(f: MunicipalityFigures) {
  const year = Number(f.asOf.slice(0, 4));
  const byMonth = new Map(f.nights.months.map((m) => [m.month, m.nights]));
  return Array.from({ length: 12 }, (_, i) => {
    const mm = String(i + 1).padStart(2, '0');
    return {
      month: mm,
      thisYear: byMonth.get(`${year}-${mm}`) ?? null,
      lastYear: byMonth.get(`${year - 1}-${mm}`) ?? null,
    };
  });
}

/** "jan", "feb", ... in the chosen language. */
export function monthName(month: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    month: 'short',
    timeZone: 'UTC',
  }).format(new Date(`2020-${month}-01T00:00:00Z`));
}
