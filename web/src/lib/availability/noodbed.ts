import {
  freshnessOf,
  type Freshness,
  type Location,
  type Region,
  type Unit,
} from '@opvangatlas/shared';
import { fitsNeeds, type UnitFilter } from './filters';
import { haversineKm } from './geo';
import { compareFreshThenNear } from './views';

export interface NoodbedItem {
  unit: Unit;
  location: Location | null;
  region: Region | null;
  distanceKm: number | null;
  freshness: Freshness;
}

export interface NoodbedList {
  /** Held by the user's own organisation, soonest expiry first. */
  mine: NoodbedItem[];
  /** Free and fitting: confirmed before stale, then nearest (compareFreshThenNear). */
  free: NoodbedItem[];
  /** Held by another organisation right now. */
  heldByOthers: number;
  /** Free but not fitting the household or needs. */
  notFitting: number;
}

export interface NoodbedInput {
  units: Iterable<Unit>;
  locations: ReadonlyMap<number, Location>;
  regions: readonly Region[];
  filter: UnitFilter;
  ownRegionId: number | null;
  ownOrganisationId: number | null;
  now: Date;
}

const freshnessRank: Record<Freshness, number> = { fresh: 0, aging: 1, stale: 2 };

/** Free noodbedden nationwide, ranked like the Kaart list: confirmed and near first. */
export function noodbedList(input: NoodbedInput): NoodbedList {
  const regionsById = new Map(input.regions.map((r) => [r.id, r]));
  const own = input.ownRegionId === null ? undefined : regionsById.get(input.ownRegionId);
  const item = (unit: Unit): NoodbedItem => {
    const location = input.locations.get(unit.locationId) ?? null;
    const region = regionsById.get(unit.regionId) ?? null;
    return {
      unit,
      location,
      region,
      distanceKm: own && region ? haversineKm(own.centre, region.centre) : null,
      freshness: freshnessOf(location?.lastConfirmedAt ?? null, input.now),
    };
  };

  const list: NoodbedList = { mine: [], free: [], heldByOthers: 0, notFitting: 0 };
  for (const unit of input.units) {
    if (unit.kind !== 'noodbed') continue;
    if (unit.status === 'held') {
      const mine =
        input.ownOrganisationId !== null && unit.heldByOrganisationId === input.ownOrganisationId;
      if (mine) list.mine.push(item(unit));
      else list.heldByOthers += 1;
    } else if (unit.status === 'free') {
      if (fitsNeeds(unit, input.filter)) list.free.push(item(unit));
      else list.notFitting += 1;
    }
  }
  list.mine.sort((a, b) => (a.unit.heldUntil ?? '').localeCompare(b.unit.heldUntil ?? ''));
  list.free.sort(
    (a, b) =>
      compareFreshThenNear(a, b) ||
      (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity) ||
      freshnessRank[a.freshness] - freshnessRank[b.freshness] ||
      b.unit.maxPersons - a.unit.maxPersons ||
      a.unit.id - b.unit.id,
  );
  return list;
}
