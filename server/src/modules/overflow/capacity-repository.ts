import { eq, sql } from 'drizzle-orm';
import { locations, regionCapacity, regions, units, type Executor } from '@opvangatlas/db';
import { unitKinds, type CapacitySnapshot, type UnitKind } from '@opvangatlas/shared';

const emptySnapshot = (): CapacitySnapshot => ({
  kinds: Object.fromEntries(
    unitKinds.map((k) => [k, { places: 0, inService: 0, occupied: 0, fromElsewhere: 0 }]),
  ) as CapacitySnapshot['kinds'],
});

/**
 * Every region's places, occupied places and their herkomst, counted from the units now:
 * one query for the whole country (1,024 units), for the capacity sweep.
 */
export async function countCapacity(ex: Executor): Promise<Map<number, CapacitySnapshot>> {
  const rows = await ex
    .select({
      regionId: locations.regionId,
      kind: units.kind,
      places: sql<number>`count(*)::int`,
      inService: sql<number>`count(*) filter (where ${units.status} <> 'out_of_service')::int`,
      occupied: sql<number>`count(*) filter (where ${units.status} = 'occupied')::int`,
      fromElsewhere: sql<number>`count(*) filter (where ${units.status} = 'occupied' and ${units.originRegionId} is not null and ${units.originRegionId} <> ${locations.regionId})::int`,
    })
    .from(units)
    .innerJoin(locations, eq(locations.id, units.locationId))
    .groupBy(locations.regionId, units.kind);
  const all = new Map<number, CapacitySnapshot>();
  for (const { id } of await ex.select({ id: regions.id }).from(regions))
    all.set(id, emptySnapshot());
  for (const r of rows) {
    all.get(r.regionId)!.kinds[r.kind as UnitKind] = {
      places: r.places,
      inService: r.inService,
      occupied: r.occupied,
      fromElsewhere: r.fromElsewhere,
    };
  }
  return all;
}

/**
 * Stores a region's count when it differs from the stored one or is of an earlier day;
 * whether it did. Conditional, so of several instances sweeping at once one stores it (and
 * emits the event), the others find it already there.
 */
export async function storeCapacity(
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
      setWhere: sql`${regionCapacity.figures} is distinct from excluded.figures or ${regionCapacity.day} <> excluded.day`,
    })
    .returning({ regionId: regionCapacity.regionId });
  return rows.length === 1;
}

export async function loadCapacity(ex: Executor, regionId?: number) {
  const rows = await ex
    .select()
    .from(regionCapacity)
    .where(regionId === undefined ? undefined : eq(regionCapacity.regionId, regionId));
  return new Map(rows.map((r) => [r.regionId, r.figures as CapacitySnapshot]));
}

/** The stored counts with their day, for the sweep to skip regions where nothing changed. */
export async function loadCapacityDays(ex: Executor) {
  const rows = await ex.select().from(regionCapacity);
  return new Map(
    rows.map((r) => [r.regionId, { day: r.day, figures: r.figures as CapacitySnapshot }]),
  );
}

export function sameCapacity(a: CapacitySnapshot, b: CapacitySnapshot): boolean {
  return unitKinds.every((k) => {
    const x = a.kinds[k];
    const y = b.kinds[k];
    return (
      x !== undefined &&
      x.places === y.places &&
      x.inService === y.inService &&
      x.occupied === y.occupied &&
      x.fromElsewhere === y.fromElsewhere
    );
  });
}

export async function loadInhabitants(ex: Executor): Promise<Map<number, number | null>> {
  const rows = await ex.select({ id: regions.id, inhabitants: regions.inhabitants }).from(regions);
  return new Map(rows.map((r) => [r.id, r.inhabitants]));
}
