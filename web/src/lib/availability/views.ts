import {
  freshnessOf,
  groupBy,
  HIDDEN,
  summariseRegion,
  unitKinds,
  type Cell,
  type Freshness,
  type Location,
  type Pressure,
  type Ratio,
  type Region,
  type RegionFigures,
  type RegionSummary,
  type Unit,
  type UnitKind,
} from '@opvangatlas/shared';
import { fitsNeeds, type UnitFilter } from './filters';
import { haversineKm } from './geo';

export type KindNumbers = Record<UnitKind, number>;
/** Per kind, as far as the viewer may see it: numbers, or a suppression label (municipality). */
export type KindCells = Record<UnitKind, Cell>;

/** A figure to sort by: a hidden one counts as nothing known. */
export const knownCount = (cell: Cell): number => (typeof cell === 'number' ? cell : 0);

/** A sum over regions; one region's figure as it is, so a hidden one stays hidden. */
export function sumCells(cells: readonly Cell[]): Cell {
  if (cells.length === 1) return cells[0]!;
  return cells.every((c) => typeof c === 'number')
    ? cells.reduce<number>((s, c) => s + (c as number), 0)
    : HIDDEN;
}

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
  /** Unfiltered, over all units in service; hidden for a municipality when the count is small. */
  occupancy: Ratio;
  /** Null when there is nothing to judge by: no units in service, or a hidden occupancy. */
  pressure: Pressure | null;
  /** Units scope: counts per status and kind, the same function as the server. */
  summary: RegionSummary | null;
  /** Aggregates scope: the municipality's suppressed figures (shared/src/region-figures.ts). */
  figures: RegionFigures | null;
  freeByKind: KindCells;
  fitting: Cell;
  fittingPersons: Cell;
  distanceKm: number | null;
  /** Null for aggregate-only users (municipalities never see single locations). */
  locations: LocationView[] | null;
}

export interface ViewInput {
  regions: readonly Region[];
  scope: 'units' | 'aggregates';
  units: Iterable<Unit>;
  locations: Iterable<Location>;
  /** Server figures, used in the `aggregates` scope. */
  summaries: ReadonlyMap<number, RegionFigures>;
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
    return regions.flatMap((region): RegionView[] => {
      const figures = input.summaries.get(region.id);
      if (!figures) return [];
      // The server's cells as they are: a sum of kinds could differ from its shown total.
      const chosen = filter.kind === 'all' ? figures.total : figures.kinds[filter.kind];
      return [
        {
          region,
          occupancy: figures.occupancy,
          pressure: figures.pressure,
          summary: null,
          figures,
          freeByKind: Object.fromEntries(
            unitKinds.map((k) => [k, figures.kinds[k]?.free ?? 0]),
          ) as KindCells,
          fitting: chosen?.free ?? 0,
          fittingPersons: chosen?.freePersons ?? 0,
          distanceKm: distanceFrom(own, region),
          locations: null,
        },
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
    const summary = summariseRegion(region.id, units);
    return {
      region,
      occupancy: summary.occupancy,
      pressure: summary.occupancy === null ? null : summary.pressure,
      summary,
      figures: null,
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

type Rankable = Pick<LocationView, 'freshness' | 'distanceKm'>;

/**
 * The ranking rule of the Kaart list and Noodbed nu (issue 14): stale places (not confirmed
 * for 8 h, so the number may be wrong) go below confirmed ones, then nearness in bands.
 * Returns 0 when both are in the same class and band; callers break ties their own way.
 */
export function compareFreshThenNear(a: Rankable, b: Rankable): number {
  const stale = Number(a.freshness === 'stale') - Number(b.freshness === 'stale');
  if (stale !== 0) return stale;
  return distanceBand(a.distanceKm) - distanceBand(b.distanceKm);
}

/**
 * Ranking of the result list: locations with a fitting free place first; among those,
 * compareFreshThenNear; then more fitting places, exact distance, freshness and name.
 */
export function compareLocations(a: LocationView, b: LocationView): number {
  const fit = Number(b.fitting > 0) - Number(a.fitting > 0);
  if (fit !== 0) return fit;
  const ranked = compareFreshThenNear(a, b);
  if (ranked !== 0) return ranked;
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
      Number(knownCount(b.fitting) > 0) - Number(knownCount(a.fitting) > 0) ||
      (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity) ||
      a.region.name.localeCompare(b.region.name, 'nl'),
  );
}
