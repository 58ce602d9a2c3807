import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fits, unitKinds, type Urgency } from '@opvangatlas/shared';
import {
  bruteForceSwaps,
  canMoveInto,
  compareObjectives,
  enumerateCycles,
  independentParts,
  solveSwaps,
  solveSwapsByStages,
  type SwapCandidate,
  type SwapCycle,
} from './swap-solver';

const woman = { gender: 'v' as const };
/** A request of `org` whose household (mother + `children`) frees a unit for `room` persons. */
const candidate = (
  requestId: number,
  organisationId: number,
  over: Partial<SwapCandidate> & { room?: number; children?: number } = {},
): SwapCandidate => ({
  requestId,
  organisationId,
  urgency: 'regulier',
  kind: 'crisis',
  household: { adults: [woman], children: Array<number>(over.children ?? 1).fill(4) },
  needs: { wheelchair: false, largeFamily: false },
  unsafeRegionIds: [],
  originRegionId: organisationId,
  unit: {
    id: 1000 + requestId,
    regionId: organisationId,
    kind: 'crisis',
    maxPersons: over.room ?? 2,
    mannenopvang: false,
    wheelchair: false,
    largeFamily: false,
  },
  ...over,
});
const flat = () => 10;

describe('swap cycles', () => {
  it('finds "I take yours if you take mine" between two VOs', async () => {
    const cycles = enumerateCycles([candidate(1, 1), candidate(2, 2)], flat);
    expect(cycles).toEqual([{ requestIds: [1, 2], households: 2, codeRood: 0, acuut: 0, km: 20 }]);
    expect((await solveSwaps(cycles)).objective.households).toBe(2);
  });

  it('never swaps within one VO, into an unsafe region, or into a unit that does not fit', () => {
    expect(enumerateCycles([candidate(1, 1), candidate(2, 1)], flat)).toEqual([]);
    expect(
      enumerateCycles([candidate(1, 1, { unsafeRegionIds: [2] }), candidate(2, 2)], flat),
    ).toEqual([]);
    expect(enumerateCycles([candidate(1, 1, { children: 3 }), candidate(2, 2)], flat)).toEqual([]);
  });

  it('closes a three-way cycle A -> B -> C -> A when no pair fits', async () => {
    // Each household fits only the next one's unit, by kind of place.
    const unitOf = (id: number, kind: SwapCandidate['kind']) => ({
      ...candidate(id, id).unit,
      kind,
    });
    const a = candidate(1, 1, { kind: 'noodbed', unit: unitOf(1, 'vervolg') });
    const b = candidate(2, 2, { kind: 'crisis', unit: unitOf(2, 'noodbed') });
    const c = candidate(3, 3, { kind: 'vervolg', unit: unitOf(3, 'crisis') });
    const cycles = enumerateCycles([a, b, c], flat);
    expect(cycles.map((x) => x.requestIds)).toEqual([[1, 2, 3]]);
    expect((await solveSwaps(cycles)).cycles).toHaveLength(1);
  });

  it('prefers more households, then code rood, then 2-cycles, then less travel', async () => {
    const cycle = (ids: number[], over: Partial<SwapCycle> = {}): SwapCycle => ({
      requestIds: ids,
      households: ids.length,
      codeRood: 0,
      acuut: 0,
      km: 10,
      ...over,
    });
    const moreHouseholds = [cycle([1, 2, 3]), cycle([1, 4]), cycle([5, 6])];
    expect((await solveSwaps(moreHouseholds)).objective.households).toBe(5);
    const rood = [cycle([1, 2]), cycle([2, 3], { codeRood: 1 })];
    expect((await solveSwaps(rood)).cycles[0]!.requestIds).toEqual([2, 3]);
    const twoCycles = [
      cycle([1, 2]),
      cycle([3, 4]),
      cycle([5, 6]),
      cycle([1, 3, 5]),
      cycle([2, 4, 6]),
    ];
    expect((await solveSwaps(twoCycles)).objective).toMatchObject({ households: 6, twoCycles: 3 });
    const travel = [cycle([1, 2], { km: 50 }), cycle([1, 2], { km: 20 })];
    expect((await solveSwaps(travel)).objective.km).toBe(20);
  });

  it('stays exact where the LP bound cannot be reached (falls back stage by stage)', async () => {
    // Seven 3-cycles on seven requests, every two sharing one (the Fano plane): the LP
    // takes each a third, promising 7 households where one cycle of 3 is all there is.
    const fano = [
      [1, 2, 3],
      [1, 4, 5],
      [1, 6, 7],
      [2, 4, 6],
      [2, 5, 7],
      [3, 4, 7],
      [3, 5, 6],
    ].map((ids, i) => ({ requestIds: ids, households: 3, codeRood: 0, acuut: 0, km: 10 + i }));
    // Pairs with different travel on the side, so the last stage has a choice to make.
    const pairs = [
      [8, 9],
      [9, 10],
      [8, 10],
      [10, 11],
    ].map((ids, i) => ({ requestIds: ids, households: 2, codeRood: 0, acuut: 0, km: 40 - i * 7 }));
    const cycles = [...fano, ...pairs, { ...fano[0]!, requestIds: [1, 2, 8], km: 3 }];
    expect((await solveSwaps(cycles)).objective).toEqual(bruteForceSwaps(cycles).objective);
  });

  it('leaves out moves a party turned down', () => {
    const cands = [candidate(1, 1), candidate(2, 2)];
    expect(enumerateCycles(cands, flat, (from, to) => from === 2 && to === 1)).toEqual([]);
    expect(enumerateCycles(cands, flat, (from, to) => from === 3 && to === 1)).toHaveLength(1);
  });

  it('splits the packing into parts that share no request', () => {
    const c = (ids: number[]): SwapCycle => ({
      requestIds: ids,
      households: ids.length,
      codeRood: 0,
      acuut: 0,
      km: 1,
    });
    const parts = independentParts([c([1, 2]), c([3, 4]), c([2, 5, 6]), c([4, 7])]);
    expect(parts.map((p) => p.map((x) => x.requestIds.join('-')).sort())).toEqual([
      ['1-2', '2-5-6'],
      ['3-4', '4-7'],
    ]);
  });

  const urgency = fc.constantFrom<Urgency>('code_rood', 'acuut', 'regulier');
  const instance = fc
    .array(
      fc.record({
        org: fc.integer({ min: 1, max: 4 }),
        urgency,
        children: fc.integer({ min: 0, max: 3 }),
        room: fc.integer({ min: 1, max: 4 }),
        unsafe: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        kind: fc.constantFrom(...unitKinds),
        unitKind: fc.constantFrom(...unitKinds),
      }),
      { minLength: 2, maxLength: 9 },
    )
    .map((rows) =>
      rows.map((r, i) =>
        candidate(i + 1, r.org, {
          urgency: r.urgency,
          children: r.children,
          room: r.room,
          kind: r.kind,
          unsafeRegionIds: r.unsafe === undefined ? [] : [r.unsafe],
          unit: { ...candidate(i + 1, r.org, { room: r.room }).unit, kind: r.unitKind },
        }),
      ),
    );
  const distance = (a: number, b: number) => Math.abs(a - b) * 37.5 + 5;

  it('proposes only valid cycles: fitting, safe, different VOs, disjoint, at most 3 long', async () => {
    await fc.assert(
      fc.asyncProperty(instance, async (cands) => {
        const byId = new Map(cands.map((c) => [c.requestId, c]));
        const { cycles } = await solveSwaps(enumerateCycles(cands, distance));
        const used = cycles.flatMap((c) => c.requestIds);
        expect(new Set(used).size).toBe(used.length);
        for (const c of cycles) {
          expect(c.requestIds.length).toBeGreaterThanOrEqual(2);
          expect(c.requestIds.length).toBeLessThanOrEqual(3);
          const members = c.requestIds.map((id) => byId.get(id)!);
          expect(new Set(members.map((m) => m.organisationId)).size).toBe(members.length);
          members.forEach((m, i) => {
            const next = members[(i + 1) % members.length]!;
            expect(canMoveInto(m, next)).toBe(true);
            expect(fits(m, next.unit)).toBe(true);
            expect(m.unsafeRegionIds).not.toContain(next.unit.regionId);
          });
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is as good as an exhaustive search on small instances', async () => {
    await fc.assert(
      fc.asyncProperty(instance, async (cands) => {
        const cycles = enumerateCycles(cands, distance);
        const exact = await solveSwaps(cycles);
        const brute = bruteForceSwaps(cycles);
        expect(compareObjectives(exact.objective, brute.objective)).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('matches the plain stage-by-stage integer programs on mid-size instances', async () => {
    // Large enough for the LP bounds, odd-set cuts and reduced-cost fixing to matter.
    const midSize = fc
      .array(
        fc.record({
          org: fc.integer({ min: 1, max: 8 }),
          urgency,
          children: fc.integer({ min: 0, max: 2 }),
          room: fc.integer({ min: 1, max: 4 }),
          kind: fc.constantFrom(...unitKinds),
          sameKind: fc.boolean(),
        }),
        { minLength: 18, maxLength: 28 },
      )
      .map((rows) =>
        rows.map((r, i) =>
          candidate(i + 1, r.org, {
            urgency: r.urgency,
            children: r.children,
            kind: r.kind,
            unit: {
              ...candidate(i + 1, r.org, { room: r.room }).unit,
              kind: r.sameKind
                ? r.kind
                : unitKinds[(unitKinds.indexOf(r.kind) + 1) % unitKinds.length]!,
            },
          }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(midSize, async (cands) => {
        const cycles = enumerateCycles(cands, distance);
        const fast = await solveSwaps(cycles);
        const plain = await solveSwapsByStages(cycles);
        expect(fast.objective).toEqual(plain.objective);
      }),
      { numRuns: 6 },
    );
  }, 30_000);
});
