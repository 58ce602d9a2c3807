import { and, asc, eq, type SQL } from 'drizzle-orm';
import { locations, organisations, regions, type Executor } from '@opvangatlas/db';
import type { Location, OwnLocation } from '@opvangatlas/shared';

function selectLocations(ex: Executor, where?: SQL) {
  return ex
    .select({
      id: locations.id,
      organisationId: locations.organisationId,
      organisationName: organisations.name,
      regionId: locations.regionId,
      name: locations.name,
      street: locations.street,
      postcode: locations.postcode,
      city: locations.city,
      intakePhone: locations.intakePhone,
      lastConfirmedAt: locations.lastConfirmedAt,
      lat: regions.lat,
      lon: regions.lon,
    })
    .from(locations)
    .innerJoin(organisations, eq(organisations.id, locations.organisationId))
    .innerJoin(regions, eq(regions.id, locations.regionId))
    .where(where)
    .orderBy(asc(locations.id));
}
type LocationRow = Awaited<ReturnType<typeof selectLocations>>[number];

/** Public shape: the position is the region centre, the address stays behind. */
export function toLocation(r: LocationRow): Location {
  return {
    id: r.id,
    organisationId: r.organisationId,
    organisationName: r.organisationName,
    regionId: r.regionId,
    name: r.name,
    position: { lat: r.lat, lon: r.lon },
    lastConfirmedAt: r.lastConfirmedAt?.toISOString() ?? null,
    intakePhone: r.intakePhone,
  };
}

export function toOwnLocation(r: LocationRow): OwnLocation {
  return { ...toLocation(r), address: { street: r.street, postcode: r.postcode, city: r.city } };
}

export async function findLocation(ex: Executor, id: number): Promise<LocationRow | undefined> {
  const [row] = await selectLocations(ex, eq(locations.id, id));
  return row;
}

export function listLocations(
  ex: Executor,
  filter: { organisationId?: number; regionId?: number } = {},
) {
  return selectLocations(
    ex,
    and(
      filter.organisationId ? eq(locations.organisationId, filter.organisationId) : undefined,
      filter.regionId ? eq(locations.regionId, filter.regionId) : undefined,
    ),
  );
}

export async function markConfirmed(
  ex: Executor,
  id: number,
  at: Date,
  userId: number,
): Promise<void> {
  await ex
    .update(locations)
    .set({ lastConfirmedAt: at, lastConfirmedBy: userId })
    .where(eq(locations.id, id));
}
