import { and, asc, eq, isNotNull, like, sql } from 'drizzle-orm';
import { events, locations, placementRequests, units, type Executor } from '@opvangatlas/db';
import { dutchDate, type UnitKind, type UnitStatus } from '@opvangatlas/shared';
import type { MonitorChange, MonitorInput } from './monitor-figures';

/** Every unit change in the log with the fields the monitor counts, in seq order. */
export async function loadMonitorChanges(ex: Executor): Promise<MonitorChange[]> {
  const unit = sql`${events.data}->'unit'`;
  const rows = await ex
    .select({
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
    .where(like(events.type, 'unit.%'))
    .orderBy(asc(events.seq));
  return rows.map((r) => ({
    at: r.at,
    unitId: r.unitId!,
    regionId: r.regionId,
    kind: r.kind,
    status: r.status,
    beforeStatus: r.beforeStatus,
    mannenopvang: r.mannenopvang,
    household: r.adults === null ? null : { adults: r.adults, children: r.children ?? 0 },
  }));
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
