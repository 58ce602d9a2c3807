import { describe, expect, it } from 'vitest';
import { pressureOf, summariseRegion } from './availability';
import { freshnessOf } from './location';

describe('pressureOf', () => {
  it('uses the 85% target, 95% and 100% as thresholds', () => {
    expect([0.5, 0.85, 0.949, 0.95, 0.999, 1].map(pressureOf)).toEqual([
      'ok',
      'high',
      'high',
      'very_high',
      'very_high',
      'full',
    ]);
    expect(pressureOf(null)).toBe('ok');
  });
});

describe('summariseRegion', () => {
  it('counts per kind and status, persons that fit, and occupancy over units in service', () => {
    const s = summariseRegion(7, [
      { kind: 'noodbed', status: 'free', maxPersons: 4 },
      { kind: 'noodbed', status: 'held', maxPersons: 2 },
      { kind: 'crisis', status: 'occupied', maxPersons: 3 },
      { kind: 'crisis', status: 'out_of_service', maxPersons: 3 },
    ]);
    expect(s.kinds.noodbed).toMatchObject({ free: 1, held: 1, total: 2, freePersons: 4 });
    expect(s.kinds.crisis).toMatchObject({
      occupied: 1,
      outOfService: 1,
      total: 2,
      freePersons: 0,
    });
    expect(s.total.total).toBe(4);
    expect(s.occupancy).toBeCloseTo(2 / 3);
    expect(s.pressure).toBe('ok');
  });

  it('has no occupancy without units in service', () => {
    expect(summariseRegion(1, []).occupancy).toBeNull();
  });
});

describe('freshnessOf', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  it('is fresh under 2 hours, aging to 8 hours, stale after and when never confirmed', () => {
    expect(freshnessOf(hoursAgo(1.9), now)).toBe('fresh');
    expect(freshnessOf(hoursAgo(2), now)).toBe('aging');
    expect(freshnessOf(hoursAgo(8), now)).toBe('aging');
    expect(freshnessOf(hoursAgo(8.1), now)).toBe('stale');
    expect(freshnessOf(null, now)).toBe('stale');
  });
});
