import { z } from 'zod';
import { pressureOf, Pressure } from './availability';
import { addDays, dutchDate } from './calendar';
import { Id } from './id';
import { freshnessOf, type Location } from './location';
import type { OverflowRegistration } from './overflow';
import type { PlacementRequest } from './placement';
import { UnitKind, unitKinds, type Unit } from './unit';
import type { NonPlacement, WaitlistEntry } from './waitlist';

/**
 * Every region should keep at least 2 acute places available after office hours and in
 * weekends ("direct en gegarandeerd beschikbaar", docs/DOMAIN.md).
 */
export const MIN_FREE_NOODBEDDEN = 2;
/** Niet-plaatsingen count over the last four weeks, as the Wachtlijst screen shows them. */
export const NON_PLACEMENT_DAYS = 28;

/**
 * How recent a region's data is. `no_recent_data`: no location confirmed its units in the
 * last 8 hours (location.ts, STALE_MS), so the numbers say nothing, which is not the same as
 * full; `partial`: some locations did not.
 */
export const dataStates = ['fresh', 'partial', 'no_recent_data'] as const;
export const DataState = z.enum(dataStates);
export type DataState = z.infer<typeof DataState>;

export const KindPressure = z.object({
  /** Units in service (out-of-service units are no places). */
  places: z.int().min(0),
  /** Held, reserved or occupied. */
  taken: z.int().min(0),
  free: z.int().min(0),
  occupancy: z.number().min(0).max(1).nullable(),
  pressure: Pressure,
});
export type KindPressure = z.infer<typeof KindPressure>;

/** One region of the Druk table, now. */
export const PressureRow = z.object({
  regionId: Id,
  kinds: z.record(UnitKind, KindPressure),
  total: KindPressure,
  freeNoodbedden: z.int().min(0),
  /** Fewer free noodbedden than MIN_FREE_NOODBEDDEN. */
  acuteShort: z.boolean(),
  openRequests: z.int().min(0),
  /** Open requests past their first escalation step, and the highest step reached. */
  escalatedRequests: z.int().min(0),
  maxEscalation: z.int().min(0),
  /** Median minutes from request to the offer that placed it, over the requests on screen. */
  medianPlacementMinutes: z.number().min(0).nullable(),
  overflowHouseholds: z.int().min(0),
  overdueCheckIns: z.int().min(0),
  waiting: z.int().min(0),
  nonPlacements: z.int().min(0),
  dataState: DataState,
  /** The most recent confirmation of any of its locations. */
  lastConfirmedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type PressureRow = z.infer<typeof PressureRow>;

/** What the Druk table is computed from: the coordinator's live slices (or the same loaded). */
export interface PressureInput {
  units: Iterable<Pick<Unit, 'regionId' | 'kind' | 'status'>>;
  locations: Iterable<Pick<Location, 'regionId' | 'lastConfirmedAt'>>;
  requests: Iterable<
    Pick<
      PlacementRequest,
      'originRegionId' | 'status' | 'escalation' | 'createdAt' | 'acceptedOfferId' | 'offers'
    >
  >;
  overflow: Iterable<Pick<OverflowRegistration, 'regionId' | 'endDate' | 'overdueLevel'>>;
  waitlist: Iterable<Pick<WaitlistEntry, 'regionId' | 'status'>>;
  nonPlacements: Iterable<Pick<NonPlacement, 'regionId' | 'date'>>;
}

const TAKEN = new Set<Unit['status']>(['held', 'reserved', 'occupied']);

/** Occupancy against the margins (85 / 95 / 100%, docs/DOMAIN.md) of taken over places. */
export function kindPressure(places: number, taken: number): KindPressure {
  const occupancy = places > 0 ? Math.min(1, taken / places) : null;
  return { places, taken, free: places - taken, occupancy, pressure: pressureOf(occupancy) };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const count = <T>(items: Iterable<T>, regionOf: (t: T) => number | null) => {
  const counts = new Map<number, number>();
  for (const item of items) {
    const region = regionOf(item);
    if (region !== null) counts.set(region, (counts.get(region) ?? 0) + 1);
  }
  return counts;
};

/**
 * The Druk table: one pure function for server and web, so the live table and the REST
 * answer show the same numbers (as `summariseRegion` does for the map).
 */
export function pressureRows(
  regionIds: readonly number[],
  input: PressureInput,
  now: Date = new Date(),
): PressureRow[] {
  const cells = new Map<number, Record<UnitKind, { places: number; taken: number }>>();
  for (const id of regionIds)
    cells.set(
      id,
      Object.fromEntries(unitKinds.map((k) => [k, { places: 0, taken: 0 }])) as Record<
        UnitKind,
        { places: number; taken: number }
      >,
    );
  for (const u of input.units) {
    const cell = cells.get(u.regionId)?.[u.kind];
    if (!cell || u.status === 'out_of_service') continue;
    cell.places += 1;
    if (TAKEN.has(u.status)) cell.taken += 1;
  }

  const freshness = new Map<number, { fresh: number; stale: number; last: string | null }>();
  for (const l of input.locations) {
    const f = freshness.get(l.regionId) ?? { fresh: 0, stale: 0, last: null };
    if (freshnessOf(l.lastConfirmedAt, now) === 'stale') f.stale += 1;
    else f.fresh += 1;
    if (l.lastConfirmedAt && (f.last === null || l.lastConfirmedAt > f.last))
      f.last = l.lastConfirmedAt;
    freshness.set(l.regionId, f);
  }

  const requests = new Map<number, { open: number; escalated: number; max: number }>();
  const placementMinutes = new Map<number, number[]>();
  for (const r of input.requests) {
    if (r.status === 'open') {
      const c = requests.get(r.originRegionId) ?? { open: 0, escalated: 0, max: 0 };
      c.open += 1;
      if (r.escalation.level > 0) c.escalated += 1;
      c.max = Math.max(c.max, r.escalation.level);
      requests.set(r.originRegionId, c);
    }
    const accepted = r.offers.find((o) => o.id === r.acceptedOfferId);
    if (accepted) {
      const list = placementMinutes.get(r.originRegionId) ?? [];
      list.push(Math.max(0, (Date.parse(accepted.at) - Date.parse(r.createdAt)) / 60_000));
      placementMinutes.set(r.originRegionId, list);
    }
  }

  const lasting = [...input.overflow].filter((o) => o.endDate === null);
  const overflow = count(lasting, (o) => o.regionId);
  const overdue = count(lasting, (o) => (o.overdueLevel > 0 ? o.regionId : null));
  const waiting = count(input.waitlist, (e) => (e.status === 'waiting' ? e.regionId : null));
  const since = addDays(dutchDate(now), -(NON_PLACEMENT_DAYS - 1));
  const nonPlacements = count(input.nonPlacements, (n) => (n.date >= since ? n.regionId : null));

  return regionIds.map((regionId) => {
    const c = cells.get(regionId)!;
    const kinds = Object.fromEntries(
      unitKinds.map((k) => [k, kindPressure(c[k].places, c[k].taken)]),
    ) as Record<UnitKind, KindPressure>;
    const total = kindPressure(
      unitKinds.reduce((s, k) => s + c[k].places, 0),
      unitKinds.reduce((s, k) => s + c[k].taken, 0),
    );
    const f = freshness.get(regionId);
    const req = requests.get(regionId);
    return {
      regionId,
      kinds,
      total,
      freeNoodbedden: kinds.noodbed.free,
      acuteShort: kinds.noodbed.free < MIN_FREE_NOODBEDDEN,
      openRequests: req?.open ?? 0,
      escalatedRequests: req?.escalated ?? 0,
      maxEscalation: req?.max ?? 0,
      medianPlacementMinutes: median(placementMinutes.get(regionId) ?? []),
      overflowHouseholds: overflow.get(regionId) ?? 0,
      overdueCheckIns: overdue.get(regionId) ?? 0,
      waiting: waiting.get(regionId) ?? 0,
      nonPlacements: nonPlacements.get(regionId) ?? 0,
      dataState: !f || f.fresh === 0 ? 'no_recent_data' : f.stale > 0 ? 'partial' : 'fresh',
      lastConfirmedAt: f?.last ?? null,
    };
  });
}

/** Ranges of the occupancy history (issue 11): hourly for a day and a week, daily beyond. */
export const pressureRanges = ['24h', '7d', '30d', '12m'] as const;
export const PressureRange = z.enum(pressureRanges);
export type PressureRange = z.infer<typeof PressureRange>;

export const PressureSeriesQuery = z.object({
  range: PressureRange.default('7d'),
  regionId: Id.optional(),
});
export type PressureSeriesQuery = z.infer<typeof PressureSeriesQuery>;

/** Occupancy per point; null where the platform has no data (before its first event). */
const Points = z.array(z.number().min(0).max(1).nullable());

export const RegionSeries = z.object({
  regionId: Id,
  kinds: z.record(UnitKind, Points),
  total: Points,
});
export type RegionSeries = z.infer<typeof RegionSeries>;

export const PressureSeries = z.object({
  range: PressureRange,
  step: z.enum(['hour', 'day']),
  /** Where each point begins: an hour (UTC) or a Dutch calendar day. */
  times: z.array(z.string()),
  /** The first moment the event log has unit changes for; null when it has none. */
  since: z.iso.datetime({ offset: true }).nullable(),
  regions: z.array(RegionSeries),
});
export type PressureSeries = z.infer<typeof PressureSeries>;

export const PressureBoard = z.object({
  generatedAt: z.iso.datetime({ offset: true }),
  rows: z.array(PressureRow),
});
export type PressureBoard = z.infer<typeof PressureBoard>;
