import { and, asc, eq, gt, isNotNull, like, or, sql } from 'drizzle-orm';
import { events, locations, placementRequests, units, type Executor } from '@opvangatlas/db';
import { dutchDate, type UnitKind, type UnitStatus } from '@opvangatlas/shared';
import type { MonitorChange, MonitorInput } from './monitor-figures';

/**
 * Unit changes after `since` in seq order, at most `limit`, with the fields the monitor
 * counts read out of the event data in the database (not whole documents parsed here).
 */
export async function loadMonitorChanges(
  ex: Executor,
  since = 0,
  limit = 50_000,
): Promise<Array<MonitorChange & { seq: number }>> {
  const unit = sql`${events.data}->'unit'`;
  const rows = await ex
    .select({
      seq: events.seq,
      at: events.at,
      unitId: events.unitId,
      regionId: sql<number>`(${unit}->>'regionId')::int`,
      kind: sql<UnitKind>`${unit}->>'kind'`,
      status: sql<UnitStatus>`${unit}->>'status'`,
      beforeStatus: sql<UnitStatus>`${events.data}->'before'->>'status'`,
      mannenopvang: sql<boolean>`(${unit}->>'mannenopvang')::boolean`,
      adults: sql<number | null>`(${unit}->'household'->>'adults')::int`,
      children: sql<number | null>`(${unit}->'household'->>'children')::int`,
    })
    .from(events)
    .where(and(gt(events.seq, since), like(events.type, 'unit.%')))
    .orderBy(asc(events.seq))
    .limit(limit);
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    day: dutchDate(r.at),
    unitId: r.unitId!,
    regionId: r.regionId,
    kind: r.kind,
    status: r.status,
    beforeStatus: r.beforeStatus,
    mannenopvang: r.mannenopvang,
    household: r.adults === null ? null : { adults: r.adults, children: r.children ?? 0 },
  }));
}

/**
 * The event types behind every table the monitor reads: units (and their changes),
 * placement requests, overflow registrations, the waitlist and niet-plaatsingen. Each
 * change to those rows is one of these events in the same transaction.
 */
const MONITOR_EVENT_TYPES = [
  'unit.%',
  'placement.%',
  'overflow.%',
  'waitlist.%',
  'non_placement.%',
];

/**
 * The newest seq of an event that can change the monitor's figures (0 when none): the same
 * seq means the same figures, whatever else (logins, saved alert rules) happened since.
 */
export async function latestMonitorSeq(ex: Executor): Promise<number> {
  const [row] = await ex
    .select({ seq: events.seq })
    .from(events)
    .where(or(...MONITOR_EVENT_TYPES.map((t) => like(events.type, t))))
    .orderBy(sql`${events.seq} desc`)
    .limit(1);
  return row?.seq ?? 0;
}

/** The units now, with their region and present household. */
export async function loadMonitorUnits(ex: Executor): Promise<MonitorInput['units']> {
  const rows = await ex
    .select({
      id: units.id,
      regionId: locations.regionId,
      kind: units.kind,
      status: units.status,
      mannenopvang: units.mannenopvang,
      adults: units.householdAdults,
      children: units.householdChildren,
    })
    .from(units)
    .innerJoin(locations, eq(locations.id, units.locationId));
  return rows.map(({ adults, children, ...u }) => ({
    ...u,
    household:
      u.status === 'occupied' && adults !== null ? { adults, children: children ?? 0 } : null,
  }));
}

/** Households that arrived through a placement request: the region they came to and from. */
export async function loadPlacedArrivals(ex: Executor) {
  const rows = await ex
    .select({
      regionId: placementRequests.destinationRegionId,
      originRegionId: placementRequests.originRegionId,
      arrivedAt: placementRequests.arrivedAt,
    })
    .from(placementRequests)
    .where(
      and(isNotNull(placementRequests.arrivedAt), isNotNull(placementRequests.destinationRegionId)),
    );
  return rows.map((r) => ({
    regionId: r.regionId!,
    originRegionId: r.originRegionId,
    date: dutchDate(r.arrivedAt!),
  }));
}
