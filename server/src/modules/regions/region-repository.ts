import { asc, eq } from 'drizzle-orm';
import { regions, type Executor } from '@opvangatlas/db';
import type { Region } from '@opvangatlas/shared';

/** Whether a region named in input exists: one row looked up, not the whole table. */
export async function regionExists(ex: Executor, id: number): Promise<boolean> {
  const [row] = await ex.select({ id: regions.id }).from(regions).where(eq(regions.id, id));
  return row !== undefined;
}

/** Every region's id, ascending: to check that the regions named in input exist. */
export async function listRegionIds(ex: Executor): Promise<number[]> {
  const rows = await ex.select({ id: regions.id }).from(regions).orderBy(asc(regions.id));
  return rows.map((r) => r.id);
}

export async function listRegions(ex: Executor): Promise<Region[]> {
  const rows = await ex.select().from(regions).orderBy(asc(regions.name));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    centre: { lat: r.lat, lon: r.lon },
    inhabitants: r.inhabitants,
    places2023: r.places2023,
    acutePlaces2019: r.acutePlaces2019,
  }));
}
