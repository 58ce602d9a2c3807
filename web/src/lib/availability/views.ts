import {
  freshnessOf,
  groupBy,
  summariseRegion,
  unitKinds,
  type Freshness,
  type Location,
  type Region,
  type RegionSummary,
  type Unit,
  type UnitKind,
} from '@opvangatlas/shared';
import { fitsNeeds, type UnitFilter } from './filters';
import { haversineKm } from './geo';

export type KindNumbers = Record<UnitKind, number>;

const zeroKinds = (): KindNumbers =>
  Object.fromEntries(unitKinds.map((k) => [k, 0])) as KindNumbers;

/** One location as anyone outside its organisation may see it: no address. */
export interface LocationView {
  location: Location;
  regionName: string;
  freshness: Freshness;
  /** Between region centres; null when the user has no own region. */
  distanceKm: number | null;
  /** Free units per kind that fit the household and needs. */
  freeByKind: KindNumbers;
  /** Free units that fit the whole filter, kind included. */
  fitting: number;
  /** Persons that could come in: sum of max persons over the fitting units. */
  fittingPersons: number;
}

export interface RegionView {
  region: Region;
  /** Unfiltered numbers (occupancy, pressure): the same function as the server. */
  summary: RegionSummary;
  freeByKind: KindNumbers;
  fitting: number;
  fittingPersons: number;
  distanceKm: number | null;
  /** Null for aggregate-only users (municipalities never see single locations). */
  locations: LocationView[] | null;
}

export interface ViewInput {
  regions: readonly Region[];
  scope: 'units' | 'aggregates';
  units: Iterable<Unit>;
  locations: Iterable<Location>;
  /** Server summaries, used in the `aggregates` scope. */
  summaries: ReadonlyMap<number, RegionSummary>;
  filter: UnitFilter;
  ownRegionId: number | null;
  now: Date;
}

function distanceFrom(own: Region | undefined, region: Region): number | null {
  return own ? haversineKm(own.centre, region.centre) : null;
}

function countFree(units: readonly Unit[], f: UnitFilter) {
  const freeByKind = zeroKinds();
  let fitting = 0;
  let fittingPersons = 0;
  for (const u of units) {
    if (u.status !== 'free' || !fitsNeeds(u, f)) continue;
    freeByKind[u.kind] += 1;
    if (f.kind === 'all' || f.kind === u.kind) {
      fitting += 1;
      fittingPersons += u.maxPersons;
    }
  }
  return { freeByKind, fitting, fittingPersons };
}

/** Region and location views for the map and the list, from live units or server aggregates. */
export function buildRegionViews(input: ViewInput): RegionView[] {
  const { regions, filter, now } = input;
  const own = regions.find((r) => r.id === input.ownRegionId);

  if (input.scope === 'aggregates') {
    return regions.flatMap((region) => {
      const summary = input.summaries.get(region.id);
      if (!summary) return [];
      const freeByKind = zeroKinds();
      let fitting = 0;
      let fittingPersons = 0;
      for (const k of unitKinds) {
        const c = summary.kinds[k];
        if (!c) continue;
        freeByKind[k] = c.free;
        if (filter.kind === 'all' || filter.kind === k) {
          fitting += c.free;
          fittingPersons += c.freePersons;
        }
      }
      const distanceKm = distanceFrom(own, region);
      return [
        { region, summary, freeByKind, fitting, fittingPersons, distanceKm, locations: null },
      ];
    });
  }

  // Materialise once: callers pass map iterators, which can only be walked once.
  const allUnits = [...input.units];
  const unitsByRegion = groupBy(allUnits, (u) => u.regionId);
  const unitsByLocation = groupBy(allUnits, (u) => u.locationId);
  const locationsByRegion = groupBy(input.locations, (l) => l.regionId);

  return regions.map((region) => {
    const units = unitsByRegion.get(region.id) ?? [];
    const distanceKm = distanceFrom(own, region);
    const locations = (locationsByRegion.get(region.id) ?? []).map((location): LocationView => ({
      location,
      regionName: region.name,
      freshness: freshnessOf(location.lastConfirmedAt, now),
      distanceKm,
      ...countFree(unitsByLocation.get(location.id) ?? [], filter),
    }));
    return {
      region,
      summary: summariseRegion(region.id, units),
      ...countFree(units, filter),
      distanceKm,
      locations,
    };
  });
}

const freshnessRank: Record<Freshness, number> = { fresh: 0, aging: 1, stale: 2 };

/** Distances within a band count as equally near, so more free places can win among them. */
export function distanceBand(km: number | null): number {
  if (km === null) return 3;
  if (km < 25) return 0;
  if (km < 75) return 1;
  return km < 150 ? 2 : 3;
}

/**
 * Ranking of the result list: locations with a fitting free place first; among those,
 * stale ones (not confirmed for 8 h, so the number may be wrong) go last; then nearness in
 * bands, more fitting places, exact distance, freshness and name.
 */
export function compareLocations(a: LocationView, b: LocationView): number {
  const fit = Number(b.fitting > 0) - Number(a.fitting > 0);
  if (fit !== 0) return fit;
  const stale = Number(a.freshness === 'stale') - Number(b.freshness === 'stale');
  if (stale !== 0) return stale;
  const band = distanceBand(a.distanceKm) - distanceBand(b.distanceKm);
  if (band !== 0) return band;
  if (a.fitting !== b.fitting) return b.fitting - a.fitting;
  const dist = (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity);
  if (dist !== 0 && Number.isFinite(dist)) return dist;
  const fresh = freshnessRank[a.freshness] - freshnessRank[b.freshness];
  if (fresh !== 0) return fresh;
  return a.location.name.localeCompare(b.location.name, 'nl');
}

export function rankLocations(regions: readonly RegionView[]): LocationView[] {
  return regions.flatMap((r) => r.locations ?? []).sort(compareLocations);
}

/** Aggregate-only list: regions with room first, then nearest. */
export function rankRegions(regions: readonly RegionView[]): RegionView[] {
  return [...regions].sort(
    (a, b) =>
      Number(b.fitting > 0) - Number(a.fitting > 0) ||
      (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity) ||
      a.region.name.localeCompare(b.region.name, 'nl'),
  );
}
