import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dutchDate,
  pressureRanges,
  unitKinds,
  unitStatuses,
  type PressureRange,
  type UnitKind,
  type UnitStatus,
} from '@opvangatlas/shared';
import { HOUR_MS, OccupancySeries, type UnitChange, type UnitNow } from './occupancy-series';

const TAKEN: readonly UnitStatus[] = ['held', 'reserved', 'occupied'];
// 2026-03-27 12:00 UTC: the week before covers the spring daylight saving change.
const START = Date.UTC(2026, 2, 27, 12);

interface State {
  regionId: number;
  kind: UnitKind;
  status: UnitStatus;
}

/**
 * The log replayed the slow way: for every hour, every unit's state at its end (after the
 * last change before it, or before its first change), then counted; per day, the hours of
 * that Dutch calendar day summed. Written apart from the series, without its columns.
 */
function bruteForce(
  units: UnitNow[],
  changes: UnitChange[],
  range: PressureRange,
  now: number,
  regionIds: number[],
) {
  // Times as the series defines them: the running maximum of `at` in seq order.
  let clock = 0;
  const timed = changes.map((c) => ({ ...c, at: (clock = Math.max(clock, c.at)) }));
  const ids = new Set([...units.map((u) => u.id), ...changes.map((c) => c.unitId)]);
  const stateAt = (id: number, end: number): State => {
    const mine = timed.filter((c) => c.unitId === id);
    const last = mine.filter((c) => c.at < end).at(-1);
    if (last) return last;
    if (mine[0]) return { ...mine[0], status: mine[0].beforeStatus };
    return units.find((u) => u.id === id)!;
  };
  const firstHour = timed.length ? Math.floor(timed[0]!.at / HOUR_MS) : null;
  const nowHour = Math.floor(Math.max(now, clock) / HOUR_MS);
  const countAt = (hour: number, regionId: number, kinds: readonly UnitKind[]) => {
    // The open hour is the state now: every change counts.
    const end = hour >= nowHour ? Infinity : (hour + 1) * HOUR_MS;
    let places = 0;
    let taken = 0;
    for (const id of ids) {
      const s = stateAt(id, end);
      if (s.regionId !== regionId || !kinds.includes(s.kind)) continue;
      if (s.status !== 'out_of_service') places++;
      if (TAKEN.includes(s.status)) taken++;
    }
    return { places, taken };
  };
  const hoursOf = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => from + i);
  let buckets: number[][];
  if (range === '24h' || range === '7d') {
    const n = range === '24h' ? 24 : 168;
    buckets = hoursOf(nowHour - n + 1, nowHour + 1).map((h) => [h]);
  } else {
    const n = range === '30d' ? 30 : 365;
    const byDay = new Map<string, number[]>();
    for (let h = nowHour; byDay.size <= n; h--) {
      const day = dutchDate(new Date(h * HOUR_MS));
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day)!.push(h);
    }
    buckets = [...byDay.values()].slice(0, n).reverse();
  }
  const point = (hours: number[], regionId: number, kinds: readonly UnitKind[]) => {
    let places = 0;
    let taken = 0;
    let seen = false;
    for (const h of hours) {
      if (firstHour === null || h < firstHour) continue;
      seen = true;
      const c = countAt(h, regionId, kinds);
      places += c.places;
      taken += c.taken;
    }
    return seen && places > 0 ? Math.round((taken / places) * 10_000) / 10_000 : null;
  };
  return regionIds.map((regionId) => ({
    regionId,
    kinds: Object.fromEntries(
      unitKinds.map((k) => [k, buckets.map((b) => point(b, regionId, [k]))]),
    ),
    total: buckets.map((b) => point(b, regionId, unitKinds)),
  }));
}

const unitArb = fc.record({
  regionId: fc.integer({ min: 1, max: 3 }),
  kind: fc.constantFrom(...unitKinds),
  status: fc.constantFrom(...unitStatuses),
});

/** A few units and a log of changes over a week, `at` mostly rising (as commits are). */
const logArb = fc
  .tuple(
    fc.array(unitArb, { minLength: 1, maxLength: 6 }),
    fc.array(
      fc.record({
        unit: fc.nat(),
        step: fc.integer({ min: -10 * 60_000, max: 20 * HOUR_MS }),
        status: fc.constantFrom(...unitStatuses),
        // Rarely a unit changes kind (a room turned into a noodbed).
        kind: fc.option(fc.constantFrom(...unitKinds), { freq: 8 }),
      }),
      { maxLength: 25 },
    ),
    fc.integer({ min: 0, max: 30 * HOUR_MS }),
  )
  .map(([initial, steps, tail]) => {
    const current = initial.map((u, i) => ({ id: i + 1, ...u }));
    let at = START;
    const changes: UnitChange[] = steps.map((s, seq) => {
      const u = current[s.unit % current.length]!;
      at = Math.max(START - HOUR_MS, at + s.step);
      const before = u.status;
      u.status = s.status;
      if (s.kind) u.kind = s.kind;
      return {
        seq: seq + 1,
        at,
        unitId: u.id,
        regionId: u.regionId,
        kind: u.kind,
        status: u.status,
        beforeStatus: before,
      };
    });
    return { units: current, changes, now: Math.max(at, START) + tail };
  });

describe('occupancy time series', () => {
  it('equals a brute-force replay of the log for every range', () => {
    fc.assert(
      fc.property(logArb, fc.constantFrom(...pressureRanges), ({ units, changes, now }, range) => {
        const series = new OccupancySeries(units, changes);
        const got = series.query(range, new Date(now), [1, 2, 3]);
        expect(got.regions).toEqual(bruteForce(units, changes, range, now, [1, 2, 3]));
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('built incrementally, seq by seq with reads in between, equals built at once', () => {
    fc.assert(
      fc.property(logArb, fc.nat(), ({ units, changes, now }, cut) => {
        const at = (i: number) => changes[i]?.at ?? now;
        const split = changes.length ? cut % changes.length : 0;
        const fresh = new OccupancySeries(units, changes);
        // The same start (every unit as it was before the log), then the log in two parts.
        const replay = new OccupancySeries(
          units.map((u) => {
            const c = changes.find((x) => x.unitId === u.id);
            return c ? { ...u, kind: c.kind, regionId: c.regionId, status: c.beforeStatus } : u;
          }),
          [],
        );
        replay.apply(changes.slice(0, split));
        replay.query('7d', new Date(at(split)));
        replay.apply(changes.slice(split));
        expect(replay.lastSeq).toBe(changes.length);
        for (const range of pressureRanges)
          expect(replay.query(range, new Date(now), [1, 2, 3])).toEqual(
            fresh.query(range, new Date(now), [1, 2, 3]),
          );
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('has no points before the first change and counts places in service only', () => {
    const units: UnitNow[] = [
      { id: 1, regionId: 1, kind: 'noodbed', status: 'occupied' },
      { id: 2, regionId: 1, kind: 'noodbed', status: 'free' },
      { id: 3, regionId: 1, kind: 'noodbed', status: 'out_of_service' },
    ];
    const changes: UnitChange[] = [
      {
        seq: 1,
        at: START + 30 * 60_000,
        unitId: 1,
        regionId: 1,
        kind: 'noodbed',
        status: 'occupied',
        beforeStatus: 'free',
      },
    ];
    const series = new OccupancySeries(units, changes);
    const day = series.query('24h', new Date(START + 2 * HOUR_MS), [1]);
    // Hours up to 12:00 come before the log: no data. From then on: one of two taken.
    expect(day.regions[0]!.kinds.noodbed.slice(-4)).toEqual([null, 0.5, 0.5, 0.5]);
    expect(day.since).toBe(new Date(START + 30 * 60_000).toISOString());
    expect(day.times.at(-1)).toBe(new Date(START + 2 * HOUR_MS).toISOString());
  });
});
