import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summariseRegion } from './availability';
import { suppressRegionSummary, type RegionFigures } from './region-figures';
import { HIDDEN, SMALL, type Cell } from './suppression';
import { unitKinds, type Unit, type UnitKind } from './unit';

type FakeUnit = Pick<Unit, 'kind' | 'status' | 'maxPersons'>;

const units = (kind: UnitKind, status: Unit['status'], n: number, maxPersons = 3): FakeUnit[] =>
  Array.from({ length: n }, () => ({ kind, status, maxPersons }));

const figuresOf = (list: FakeUnit[]) => suppressRegionSummary(summariseRegion(1, list));

/** Whether a shown or hidden cell is consistent with a value, as its label promises. */
const allows = (cell: Cell, value: number, hiddenMin: number) =>
  typeof cell === 'number'
    ? cell === value
    : cell === SMALL
      ? value >= 0 && value <= 4
      : value >= hiddenMin;

/** The most units a test region has: the bound a reader has when capacity is hidden. */
const CAP = 30;

/**
 * The reader's side, apart from the implementation: every taken count per kind that fits
 * everything published (labels, places in service, the sums over kinds). Where places in
 * service are shown, free is in service minus taken; where they are hidden, free says
 * nothing about taken. Sums over kinds by dynamic programming over the reachable totals.
 */
function possibleTaken(f: RegionFigures): Map<UnitKind, Set<number>> {
  const capacityShown = typeof f.total.inService === 'number';
  const options = unitKinds.map((k) => {
    const c = f.kinds[k];
    const top = typeof c.inService === 'number' ? c.inService : CAP;
    return Array.from({ length: top + 1 }, (_, v) => v).filter(
      (v) =>
        allows(c.taken, v, 5) &&
        (typeof c.inService !== 'number' || allows(c.free, c.inService - v, 0)),
    );
  });
  const totalFits = (taken: number) =>
    allows(f.total.taken, taken, 5) &&
    (!capacityShown || allows(f.total.free, (f.total.inService as number) - taken, 0));
  const reach = (list: number[][]) =>
    list.reduce(
      (sums, opts) => new Set([...sums].flatMap((s) => opts.map((v) => s + v))),
      new Set([0]),
    );
  return new Map(
    unitKinds.map((k, i) => {
      const before = reach(options.slice(0, i));
      const after = reach(options.slice(i + 1));
      const ok = options[i]!.filter((v) =>
        [...before].some((a) => [...after].some((b) => totalFits(a + v + b))),
      );
      return [k, new Set(ok)];
    }),
  );
}

describe('a municipality region figures', () => {
  it('shows places exactly and every count when no taken count is small', () => {
    const f = figuresOf([
      ...units('noodbed', 'free', 2),
      ...units('noodbed', 'occupied', 6),
      ...units('crisis', 'held', 1),
      ...units('crisis', 'occupied', 9),
      ...units('crisis', 'out_of_service', 1),
    ]);
    expect(f.kinds.noodbed).toEqual({ places: 8, inService: 8, free: 2, taken: 6, freePersons: 6 });
    expect(f.kinds.crisis).toMatchObject({ places: 11, inService: 10, free: 0, taken: 10 });
    expect(f.total).toMatchObject({ places: 19, inService: 18, free: 2, taken: 16 });
    expect(f.occupancy).toBeCloseTo(16 / 18);
    expect(f.pressure).toBe('high');
  });

  it('hides 3 taken noodbedden, the free ones next to them, and what would give them away', () => {
    const f = figuresOf([
      ...units('noodbed', 'free', 2),
      ...units('noodbed', 'occupied', 3),
      ...units('crisis', 'free', 4),
      ...units('crisis', 'occupied', 20),
    ]);
    expect(f.kinds.noodbed.taken).toBe(SMALL);
    expect(f.kinds.noodbed.free).toBe(HIDDEN);
    expect(f.kinds.noodbed.freePersons).toBe(HIDDEN);
    expect(f.kinds.noodbed).toMatchObject({ places: 5, inService: 5 });
    // Taken over all kinds is 23: shown, so the crisis counts must not be.
    expect(possibleTaken(f).get('noodbed')!.size).toBeGreaterThan(1);
  });

  it('hides the pressure with the occupancy when the region has fewer than 5 taken places', () => {
    const f = figuresOf([...units('noodbed', 'free', 3), ...units('noodbed', 'reserved', 2)]);
    expect(f.total.taken).toBe(SMALL);
    expect(f.occupancy).toBe(SMALL);
    expect(f.pressure).toBeNull();
    expect(figuresOf([]).occupancy).toBeNull();
    expect(figuresOf([]).total).toEqual(emptyFigure);
  });

  it('never lets a taken count of 1-4 be worked out from what is shown (random regions)', () => {
    const status = fc.constantFrom<Unit['status']>(
      'free',
      'free',
      'occupied',
      'occupied',
      'held',
      'reserved',
      'out_of_service',
    );
    const unit = fc.record({
      kind: fc.constantFrom(...unitKinds),
      status,
      maxPersons: fc.integer({ min: 1, max: 6 }),
    });
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 24 }), (list) => {
        const summary = summariseRegion(1, list);
        const f = suppressRegionSummary(summary);
        const possible = possibleTaken(f);
        for (const k of unitKinds) {
          const c = summary.kinds[k];
          const taken = c.held + c.reserved + c.occupied;
          // Labels tell the truth, places are exact, and the truth is among the possibilities.
          expect(allows(f.kinds[k].places, c.total, 0)).toBe(true);
          expect(allows(f.kinds[k].taken, taken, 5)).toBe(true);
          expect(allows(f.kinds[k].free, c.free, 0)).toBe(true);
          expect(possible.get(k)!.has(taken)).toBe(true);
          if (taken >= 1 && taken <= 4) expect(possible.get(k)!.size).toBeGreaterThan(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});

const emptyFigure = { places: 0, inService: 0, free: 0, taken: 0, freePersons: 0 };
