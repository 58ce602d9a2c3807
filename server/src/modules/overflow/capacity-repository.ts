import { eq, sql } from 'drizzle-orm';
import { locations, regionCapacity, regions, units, type Executor } from '@opvangatlas/db';
import { unitKinds, type CapacitySnapshot, type Unit, type UnitKind } from '@opvangatlas/shared';

/** What a region's capacity figures need of a unit: one row per unit, kept live per event. */
export interface CapacityUnit {
  id: number;
  regionId: number;
  kind: UnitKind;
  status: Unit['status'];
  /** The household's region of origin (herkomst) while reserved or occupied for a request. */
  originRegionId: number | null;
}

/** Every unit (or one region's) as capacity counts it: at live start and for the API. */
export async function loadCapacityUnits(ex: Executor, regionId?: number): Promise<CapacityUnit[]> {
  const rows = await ex
    .select({
      id: units.id,
      regionId: locations.regionId,
      kind: units.kind,
      status: units.status,
      originRegionId: units.originRegionId,
    })
    .from(units)
    .innerJoin(locations, eq(locations.id, units.locationId))
    .where(regionId === undefined ? undefined : eq(locations.regionId, regionId));
  return rows.map((r) => ({ ...r, kind: r.kind as UnitKind, status: r.status as Unit['status'] }));
}

/**
 * A region's places, occupied places and their herkomst, counted from its units: the same
 * count for the live view (from memory, per unit event) and the API and CSV (from the
 * database), so the two never disagree.
 */
export function countCapacity(regionUnits: Iterable<CapacityUnit>): CapacitySnapshot {
  const kinds = Object.fromEntries(
    unitKinds.map((k) => [k, { places: 0, inService: 0, occupied: 0, fromElsewhere: 0 }]),
  ) as CapacitySnapshot['kinds'];
  for (const u of regionUnits) {
    const k = kinds[u.kind];
    k.places += 1;
    if (u.status !== 'out_of_service') k.inService += 1;
    if (u.status === 'occupied') {
      k.occupied += 1;
      if (u.originRegionId !== null && u.originRegionId !== u.regionId) k.fromElsewhere += 1;
    }
  }
  return { kinds };
}

export async function loadInhabitants(ex: Executor): Promise<Map<number, number | null>> {
  const rows = await ex.select({ id: regions.id, inhabitants: regions.inhabitants }).from(regions);
  return new Map(rows.map((r) => [r.id, r.inhabitants]));
}

/** The last day each region's figures were announced for (region_capacity). */
export async function loadCapacityDays(ex: Executor): Promise<Map<number, string>> {
  const rows = await ex
    .select({ regionId: regionCapacity.regionId, day: regionCapacity.day })
    .from(regionCapacity);
  return new Map(rows.map((r) => [r.regionId, r.day]));
}

/**
 * Records that a region's figures were announced for `day`, with its count then; whether it
 * did. Conditional (only a later day replaces the stored one), so of several instances
 * starting the day at once one stores it and sends the event, the others find it done.
 */
export async function storeCapacityDay(
  ex: Executor,
  regionId: number,
  day: string,
  figures: CapacitySnapshot,
  now: Date,
): Promise<boolean> {
  const rows = await ex
    .insert(regionCapacity)
    .values({ regionId, day, figures, updatedAt: now })
    .onConflictDoUpdate({
      target: regionCapacity.regionId,
      set: { day, figures, updatedAt: now },
      setWhere: sql`${regionCapacity.day} < excluded.day`,
    })
    .returning({ regionId: regionCapacity.regionId });
  return rows.length === 1;
}
