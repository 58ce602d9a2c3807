import { asc } from 'drizzle-orm';
import { regions, type Executor } from '@opvangatlas/db';
import type { Region } from '@opvangatlas/shared';

/** Every region's id, ascending: to check that a region named in input exists. */
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
