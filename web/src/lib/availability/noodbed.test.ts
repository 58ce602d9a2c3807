import { describe, expect, it } from 'vitest';
import { makeLocation, makeUnit, NOW, regions } from '$lib/testing/fixtures';
import { DEFAULT_FILTER } from './filters';
import { noodbedList } from './noodbed';

const locations = new Map(
  [
    makeLocation({ id: 10, regionId: 1 }),
    makeLocation({
      id: 11,
      regionId: 1,
      lastConfirmedAt: new Date(NOW.getTime() - 30 * 3_600_000).toISOString(),
    }),
    makeLocation({ id: 30, regionId: 3 }),
    makeLocation({ id: 40, regionId: 4 }),
  ].map((l) => [l.id, l]),
);

const list = (units: Parameters<typeof noodbedList>[0]['units'], ownRegionId = 2) =>
  noodbedList({
    units,
    locations,
    regions,
    filter: { ...DEFAULT_FILTER, kind: 'noodbed', adults: 1, children: 2 },
    ownRegionId,
    ownOrganisationId: 100,
    now: NOW,
  });

describe('noodbedList', () => {
  it('lists free noodbedden nationwide, nearest to the own region first', () => {
    const result = list([
      makeUnit({ id: 1, regionId: 4, locationId: 40 }),
      makeUnit({ id: 2, regionId: 1, locationId: 10 }),
      makeUnit({ id: 3, regionId: 3, locationId: 30 }),
      makeUnit({ id: 4, regionId: 1, locationId: 10, kind: 'crisis' }),
    ]);
    expect(result.free.map((i) => i.unit.id)).toEqual([2, 3, 1]);
    expect(result.free[0]!.location?.name).toBe('Locatie 10');
    expect(result.free[0]!.region?.name).toBe('Rotterdam');
    expect(result.free[0]!.distanceKm).toBeCloseTo(20.5, 0);
  });

  it('separates holds of the own organisation from holds by others', () => {
    const result = list([
      makeUnit({ id: 1, status: 'held', heldByOrganisationId: 100, heldUntil: NOW.toISOString() }),
      makeUnit({ id: 2, status: 'held', heldByOrganisationId: 999, heldUntil: NOW.toISOString() }),
      makeUnit({ id: 3, status: 'occupied' }),
    ]);
    expect(result.mine.map((i) => i.unit.id)).toEqual([1]);
    expect(result.heldByOthers).toBe(1);
    expect(result.free).toEqual([]);
  });

  it('counts free noodbedden the household does not fit in', () => {
    const result = list([makeUnit({ id: 1, maxPersons: 2 }), makeUnit({ id: 2, maxPersons: 3 })]);
    expect(result.free.map((i) => i.unit.id)).toEqual([2]);
    expect(result.notFitting).toBe(1);
  });

  it('ranks a stale noodbed below confirmed ones, even when it is nearer (as the Kaart list)', () => {
    const result = list([
      makeUnit({ id: 1, regionId: 4, locationId: 40 }),
      makeUnit({ id: 2, regionId: 1, locationId: 11 }),
      makeUnit({ id: 3, regionId: 1, locationId: 10 }),
    ]);
    expect(result.free.map((i) => [i.unit.id, i.freshness])).toEqual([
      [3, 'fresh'],
      [1, 'fresh'],
      [2, 'stale'],
    ]);
  });
});
