import { and, asc, eq, gt, like, sql } from 'drizzle-orm';
import { events, locations, units, type Executor } from '@opvangatlas/db';
import type { UnitKind, UnitStatus } from '@opvangatlas/shared';
import type { UnitChange, UnitNow } from './occupancy-series';

/** Every unit with its region, kind and status now. */
export async function loadUnitsNow(ex: Executor): Promise<UnitNow[]> {
  return ex
    .select({
      id: units.id,
      regionId: locations.regionId,
      kind: units.kind,
      status: units.status,
    })
    .from(units)
    .innerJoin(locations, eq(locations.id, units.locationId))
    .orderBy(asc(units.id));
}

/**
 * Unit changes after `since` in seq order, only the fields the time series needs: read out
 * of the event data in the database, so a year of events is not parsed as whole documents.
 */
export async function loadUnitChanges(
  ex: Executor,
  since: number,
  limit = 50_000,
): Promise<UnitChange[]> {
  const rows = await ex
    .select({
      seq: events.seq,
      at: events.at,
      unitId: events.unitId,
      regionId: sql<number>`(${events.data}->'unit'->>'regionId')::int`,
      kind: sql<UnitKind>`${events.data}->'unit'->>'kind'`,
      status: sql<UnitStatus>`${events.data}->'unit'->>'status'`,
      beforeStatus: sql<UnitStatus>`${events.data}->'before'->>'status'`,
    })
    .from(events)
    .where(and(gt(events.seq, since), like(events.type, 'unit.%')))
    .orderBy(asc(events.seq))
    .limit(limit);
  return rows.map((r) => ({ ...r, at: r.at.getTime(), unitId: r.unitId! }));
}
