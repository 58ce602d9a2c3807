import type { Database, Executor } from '@opvangatlas/db';
import {
  freshnessOf,
  groupBy,
  summariseRegion,
  suppressRegionSummary,
  unitKinds,
  type Availability,
  type AvailabilityQuery,
  type LocationAvailability,
  type MunicipalityAvailability,
  type SessionUser,
  type UnitKind,
} from '@opvangatlas/shared';
import { maxSeq } from '../events/event-repository';
import { listLocations } from '../locations/location-repository';
import { listRegions } from '../regions/region-repository';
import { listUnits, toUnit } from '../units/unit-repository';
import { AppError } from '../../errors';

/** Region figures, computed with the same summariseRegion() the web app uses. */
export class AvailabilityService {
  constructor(private readonly database: Database) {}

  async availability(
    viewer: SessionUser,
    query: AvailabilityQuery,
    now = new Date(),
  ): Promise<Availability | MunicipalityAvailability> {
    // Municipalities see aggregates of their own region only, small counts suppressed
    // (docs/DOMAIN.md): the same figures as their `regions` slice on the live stream.
    const aggregatesOnly = viewer.role === 'municipality';
    if (aggregatesOnly && viewer.regionId === null)
      throw new AppError('no_region', 'Geen regio gekoppeld');
    if (aggregatesOnly && query.regionId !== undefined && query.regionId !== viewer.regionId) {
      throw new AppError('not_own_region', 'Je ziet alleen de cijfers van je eigen regio');
    }
    const regionId = aggregatesOnly ? viewer.regionId! : query.regionId;
    return this.database.db.transaction(
      async (tx): Promise<Availability | MunicipalityAvailability> => {
        const [seq, allRegions, unitRows, locationRows] = await readState(tx, regionId, query.kind);
        const allUnits = unitRows.map(toUnit);
        const unitsByRegion = groupBy(allUnits, (u) => u.regionId);
        const freeByLocation = groupBy(
          allUnits.filter((u) => u.status === 'free'),
          (u) => u.locationId,
        );
        const locationsByRegion = groupBy(locationRows, (l) => l.regionId);
        const shown = allRegions.filter((r) => regionId === undefined || r.id === regionId);
        if (aggregatesOnly) {
          return {
            generatedAt: now.toISOString(),
            seq,
            regions: shown.map((r) => ({
              ...suppressRegionSummary(summariseRegion(r.id, unitsByRegion.get(r.id) ?? [])),
              name: r.name,
              centre: r.centre,
            })),
          };
        }
        return {
          generatedAt: now.toISOString(),
          seq,
          regions: shown.map((r) => {
            const summary = summariseRegion(r.id, unitsByRegion.get(r.id) ?? []);
            const locs: LocationAvailability[] = (locationsByRegion.get(r.id) ?? []).map((l) => ({
              id: l.id,
              name: l.name,
              organisationId: l.organisationId,
              organisationName: l.organisationName,
              lastConfirmedAt: l.lastConfirmedAt?.toISOString() ?? null,
              freshness: freshnessOf(l.lastConfirmedAt, now),
              free: Object.fromEntries(
                unitKinds.map((k) => [
                  k,
                  (freeByLocation.get(l.id) ?? []).filter((u) => u.kind === k).length,
                ]),
              ) as Record<UnitKind, number>,
            }));
            return { ...summary, name: r.name, centre: r.centre, locations: locs };
          }),
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }
}

/** One consistent read; one query at a time, as a transaction holds one connection. */
async function readState(tx: Executor, regionId: number | undefined, kind: UnitKind | undefined) {
  const seq = await maxSeq(tx);
  const allRegions = await listRegions(tx);
  const unitRows = await listUnits(tx, { regionId, kind });
  const locationRows = await listLocations(tx, { regionId });
  return [seq, allRegions, unitRows, locationRows] as const;
}
