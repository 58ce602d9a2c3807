import {
  emptyCounts,
  suppressRegionSummary,
  unitKinds,
  type KindCounts,
  type RegionFigures,
  type RegionSummary,
} from '@opvangatlas/shared';
import { describe, expect, it } from 'vitest';
import { hoursAgo, makeLocation, makeUnit, NOW, regions } from '$lib/testing/fixtures';
import {
  DEFAULT_FILTER,
  householdSize,
  matchesFilter,
  sanitiseFilter,
  type UnitFilter,
} from './filters';
import { haversineKm } from './geo';
import {
  buildRegionViews,
  compareLocations,
  distanceBand,
  rankLocations,
  rankRegions,
  sumCells,
  type LocationView,
} from './views';

const filter = (f: Partial<UnitFilter> = {}): UnitFilter => ({ ...DEFAULT_FILTER, ...f });

describe('filters', () => {
  it('keeps only units where the whole household fits (adults + children <= maxPersons)', () => {
    const unit = makeUnit({ id: 1, maxPersons: 3 });
    expect(matchesFilter(unit, filter({ adults: 1, children: 2 }))).toBe(true);
    expect(matchesFilter(unit, filter({ adults: 1, children: 3 }))).toBe(false);
  });

  it('filters on kind, mannenopvang and wheelchair', () => {
    const unit = makeUnit({ id: 1, kind: 'crisis', wheelchair: true, mannenopvang: false });
    expect(matchesFilter(unit, filter({ kind: 'noodbed' }))).toBe(false);
    expect(matchesFilter(unit, filter({ kind: 'crisis', wheelchair: true }))).toBe(true);
    expect(matchesFilter(unit, filter({ mannenopvang: true }))).toBe(false);
  });

  it('repairs input values and counts at least one person', () => {
    expect(sanitiseFilter(filter({ adults: -2, children: 40 }))).toMatchObject({
      adults: 0,
      children: 12,
    });
    expect(householdSize({ adults: 0, children: 0 })).toBe(1);
    expect(householdSize({ adults: Number.NaN, children: 2 })).toBe(2);
  });
});

describe('haversineKm', () => {
  it('gives the distance between region centres', () => {
    const [rotterdam, denHaag, , groningen] = regions;
    expect(haversineKm(rotterdam!.centre, rotterdam!.centre)).toBe(0);
    expect(haversineKm(rotterdam!.centre, denHaag!.centre)).toBeCloseTo(20.5, 0);
    expect(haversineKm(rotterdam!.centre, groningen!.centre)).toBeGreaterThan(200);
  });
});

describe('buildRegionViews (units scope)', () => {
  const units = [
    makeUnit({ id: 1, regionId: 1, locationId: 10, kind: 'noodbed', maxPersons: 2 }),
    makeUnit({ id: 2, regionId: 1, locationId: 10, kind: 'crisis', maxPersons: 5 }),
    makeUnit({ id: 3, regionId: 1, locationId: 11, kind: 'noodbed', status: 'occupied' }),
    makeUnit({ id: 4, regionId: 2, locationId: 20, kind: 'vervolg', maxPersons: 4 }),
  ];
  const locations = [
    makeLocation({ id: 10, regionId: 1 }),
    makeLocation({ id: 11, regionId: 1, lastConfirmedAt: hoursAgo(10) }),
    makeLocation({ id: 20, regionId: 2 }),
  ];
  const build = (f: UnitFilter = filter()) =>
    buildRegionViews({
      regions,
      scope: 'units',
      units,
      locations,
      summaries: new Map(),
      filter: f,
      ownRegionId: 1,
      now: NOW,
    });

  it('counts free units per kind, fitting places and persons per region', () => {
    const rotterdam = build().find((v) => v.region.id === 1)!;
    expect(rotterdam.freeByKind).toMatchObject({ noodbed: 1, crisis: 1, vervolg: 0 });
    expect(rotterdam.fitting).toBe(2);
    expect(rotterdam.fittingPersons).toBe(7);
    expect(rotterdam.distanceKm).toBe(0);
    // Unfiltered summary from the shared function: 1 of 3 in service taken.
    expect(rotterdam.summary!.total.total).toBe(3);
    expect(rotterdam.summary!.occupancy).toBeCloseTo(1 / 3);
  });

  it('applies household size and kind to the fitting numbers', () => {
    const rotterdam = build(filter({ adults: 2, children: 1 })).find((v) => v.region.id === 1)!;
    expect(rotterdam.freeByKind).toMatchObject({ noodbed: 0, crisis: 1 });
    const crisisOnly = build(filter({ kind: 'crisis' })).find((v) => v.region.id === 1)!;
    expect(crisisOnly.fitting).toBe(1);
    expect(crisisOnly.freeByKind.noodbed).toBe(1); // markers still show every kind
  });

  it('accepts one-shot iterators (live store maps) for units and locations', () => {
    const views = buildRegionViews({
      regions,
      scope: 'units',
      units: new Map(units.map((u) => [u.id, u])).values(),
      locations: new Map(locations.map((l) => [l.id, l])).values(),
      summaries: new Map(),
      filter: filter(),
      ownRegionId: 1,
      now: NOW,
    });
    const rotterdam = views.find((v) => v.region.id === 1)!;
    expect(rotterdam.fitting).toBe(2);
    expect(rotterdam.locations!.find((l) => l.location.id === 10)!.fitting).toBe(2);
  });

  it('gives each location its freshness and no address fields', () => {
    const rotterdam = build().find((v) => v.region.id === 1)!;
    const stale = rotterdam.locations!.find((l) => l.location.id === 11)!;
    expect(stale.freshness).toBe('stale');
    expect(Object.keys(stale.location)).not.toContain('address');
  });

  it('shows regions without units as having no data (occupancy null)', () => {
    const groningen = build().find((v) => v.region.id === 4)!;
    expect(groningen.summary!.occupancy).toBeNull();
    expect(groningen.fitting).toBe(0);
  });
});

describe('buildRegionViews (aggregates scope)', () => {
  const counts = (free: number, occupied: number, freePersons: number): KindCounts => ({
    ...emptyCounts(),
    free,
    occupied,
    total: free + occupied,
    freePersons,
  });
  const figures = (kinds: Partial<RegionSummary['kinds']>) => {
    const all = { ...Object.fromEntries(unitKinds.map((k) => [k, emptyCounts()])), ...kinds };
    const total = counts(0, 0, 0);
    for (const c of Object.values(all))
      for (const f of ['free', 'occupied', 'total', 'freePersons'] as const) total[f] += c[f];
    return suppressRegionSummary({
      regionId: 1,
      kinds: all as RegionSummary['kinds'],
      total,
      occupancy: total.occupied / total.total,
      pressure: 'high',
    });
  };
  const build = (f: RegionFigures, kind: UnitFilter['kind']) =>
    buildRegionViews({
      regions,
      scope: 'aggregates',
      units: [],
      locations: [],
      summaries: new Map([[1, f]]),
      filter: filter({ kind }),
      ownRegionId: 1,
      now: NOW,
    });

  it('uses the server figures, only for the regions that have one, and no locations', () => {
    const views = build(figures({ noodbed: counts(2, 8, 5), crisis: counts(1, 9, 3) }), 'noodbed');
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ fitting: 2, fittingPersons: 5, locations: null });
    expect(views[0]!.pressure).toBe('high');
    expect(
      build(figures({ noodbed: counts(2, 8, 5), crisis: counts(1, 9, 3) }), 'all')[0],
    ).toMatchObject({ fitting: 3, fittingPersons: 8 });
    expect(rankRegions(views)[0]!.region.name).toBe('Rotterdam');
  });

  it('keeps a hidden figure hidden: free noodbedden next to 3 taken ones are not shown', () => {
    const views = build(figures({ noodbed: counts(2, 3, 5), crisis: counts(1, 9, 3) }), 'noodbed');
    expect(views[0]!.fitting).not.toEqual(expect.any(Number));
    expect(views[0]!.figures!.kinds.noodbed.taken).toBe('<5');
    expect(sumCells([views[0]!.fitting])).toBe(views[0]!.fitting);
  });
});

describe('ranking', () => {
  const view = (id: number, o: Partial<LocationView>): LocationView => ({
    location: makeLocation({ id, name: `L${id}` }),
    regionName: 'Rotterdam',
    freshness: 'fresh',
    distanceKm: 10,
    freeByKind: { noodbed: 0, crisis: 0, vervolg: 0, geen_onderscheid: 0 },
    fitting: 1,
    fittingPersons: 3,
    ...o,
  });
  const order = (views: LocationView[]) =>
    [...views].sort(compareLocations).map((v) => v.location.id);

  it('puts locations with a fitting place before those without', () => {
    expect(order([view(1, { fitting: 0, distanceKm: 0 }), view(2, { distanceKm: 200 })])).toEqual([
      2, 1,
    ]);
  });

  it('ranks stale locations lower, even when nearer', () => {
    expect(
      order([view(1, { freshness: 'stale', distanceKm: 0 }), view(2, { distanceKm: 120 })]),
    ).toEqual([2, 1]);
  });

  it('prefers nearer distance bands, then more fitting places within a band', () => {
    expect(order([view(1, { distanceKm: 100, fitting: 5 }), view(2, { distanceKm: 10 })])).toEqual([
      2, 1,
    ]);
    expect(
      order([view(1, { distanceKm: 5, fitting: 1 }), view(2, { distanceKm: 20, fitting: 3 })]),
    ).toEqual([2, 1]);
  });

  it('uses exact distance, then freshness, then name as tie-breakers', () => {
    expect(order([view(1, { distanceKm: 20 }), view(2, { distanceKm: 5 })])).toEqual([2, 1]);
    expect(order([view(1, { freshness: 'aging' }), view(2, { freshness: 'fresh' })])).toEqual([
      2, 1,
    ]);
    expect(order([view(2, {}), view(1, {})])).toEqual([1, 2]);
  });

  it('ranks users without an own region by the other factors', () => {
    expect(distanceBand(null)).toBe(3);
    expect(
      order([view(1, { distanceKm: null, fitting: 1 }), view(2, { distanceKm: null, fitting: 2 })]),
    ).toEqual([2, 1]);
  });

  it('flattens the locations of all regions into one ranked list', () => {
    const views = buildRegionViews({
      regions,
      scope: 'units',
      units: [
        makeUnit({ id: 1, regionId: 3, locationId: 30 }),
        makeUnit({ id: 2, regionId: 1, locationId: 10 }),
      ],
      locations: [makeLocation({ id: 30, regionId: 3 }), makeLocation({ id: 10, regionId: 1 })],
      summaries: new Map(),
      filter: filter(),
      ownRegionId: 1,
      now: NOW,
    });
    expect(rankLocations(views).map((l) => l.location.id)).toEqual([10, 30]);
  });
});
