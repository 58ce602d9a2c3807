import highsLoader from 'highs';
import {
  fits,
  type FitUnit,
  type HouseholdProfile,
  type Needs,
  type Urgency,
} from '@opvangatlas/shared';
import type { UnitKind } from '@opvangatlas/shared';

/**
 * Ruil: finding bed swaps between VOs (issue 9). Like kidney paired exchange, a swap is a
 * cycle of 2 or at most 3 requests from different VOs, each household moving into the next
 * request's freed unit: every step must happen at once, and a longer cycle breaks more
 * easily. Over all open swap-eligible requests we choose the set of disjoint cycles that,
 * in this order, places the most households, places the most code rood, then acuut
 * households, uses the most 2-cycles, and travels the fewest kilometres between region
 * centres. Solved exactly: the cycles are enumerated and the packing is an integer program
 * (HiGHS), solved once per criterion, each keeping the optimum of the ones before.
 */
export interface SwapCandidate {
  requestId: number;
  organisationId: number;
  urgency: Urgency;
  kind: UnitKind;
  household: HouseholdProfile;
  needs: Pick<Needs, 'wheelchair' | 'largeFamily'>;
  unsafeRegionIds: readonly number[];
  originRegionId: number;
  /** The unit this request's household frees when it leaves, or one offered only in exchange. */
  unit: FitUnit & { id: number; regionId: number };
}

export interface SwapCycle {
  /** In order: the household of request [i] moves into the unit of request [i + 1]. */
  requestIds: number[];
  households: number;
  codeRood: number;
  acuut: number;
  /** Kilometres between the households' regions and the units they move into. */
  km: number;
}

export interface SwapObjective {
  households: number;
  codeRood: number;
  acuut: number;
  twoCycles: number;
  km: number;
}

export interface SwapSolution {
  cycles: SwapCycle[];
  objective: SwapObjective;
}

/** Whether A's household may move into B's freed unit: it fits and B's region is safe for A. */
export function canMoveInto(a: SwapCandidate, b: SwapCandidate): boolean {
  return (
    a.requestId !== b.requestId &&
    a.organisationId !== b.organisationId &&
    !a.unsafeRegionIds.includes(b.unit.regionId) &&
    fits({ kind: a.kind, household: a.household, needs: a.needs }, b.unit)
  );
}

/** Every cycle of 2 or 3 requests from different VOs, each once (smallest request id first). */
export function enumerateCycles(
  candidates: readonly SwapCandidate[],
  distanceKm: (fromRegionId: number, toRegionId: number) => number,
): SwapCycle[] {
  const sorted = [...candidates].sort((x, y) => x.requestId - y.requestId);
  const out = new Map<number, SwapCandidate[]>();
  for (const a of sorted)
    out.set(
      a.requestId,
      sorted.filter((b) => canMoveInto(a, b)),
    );
  const cycle = (members: SwapCandidate[]): SwapCycle => {
    let km = 0;
    members.forEach((m, i) => {
      const next = members[(i + 1) % members.length]!;
      km += distanceKm(m.originRegionId, next.unit.regionId);
    });
    return {
      requestIds: members.map((m) => m.requestId),
      households: members.length,
      codeRood: members.filter((m) => m.urgency === 'code_rood').length,
      acuut: members.filter((m) => m.urgency === 'acuut').length,
      km: Math.round(km * 10) / 10,
    };
  };
  const cycles: SwapCycle[] = [];
  const triples = new Map<string, number>();
  for (const a of sorted) {
    for (const b of out.get(a.requestId)!) {
      if (b.requestId <= a.requestId) continue;
      if (out.get(b.requestId)!.includes(a)) cycles.push(cycle([a, b]));
      for (const c of out.get(b.requestId)!) {
        if (c.requestId <= a.requestId || c.organisationId === a.organisationId) continue;
        if (!out.get(c.requestId)!.includes(a)) continue;
        // The same three requests the other way round count the same: keep the shorter trip.
        const found = cycle([a, b, c]);
        const key = [a.requestId, b.requestId, c.requestId].sort((x, y) => x - y).join(',');
        const twin = triples.get(key);
        if (twin === undefined) triples.set(key, cycles.push(found) - 1);
        else if (found.km < cycles[twin]!.km) cycles[twin] = found;
      }
    }
  }
  return cycles;
}

export function objectiveOf(cycles: readonly SwapCycle[]): SwapObjective {
  const sum = (f: (c: SwapCycle) => number) => cycles.reduce((s, c) => s + f(c), 0);
  return {
    households: sum((c) => c.households),
    codeRood: sum((c) => c.codeRood),
    acuut: sum((c) => c.acuut),
    twoCycles: sum((c) => (c.households === 2 ? 1 : 0)),
    km: Math.round(sum((c) => c.km) * 10) / 10,
  };
}

/** Positive when `a` is the better objective (the order of the criteria above). */
export function compareObjectives(a: SwapObjective, b: SwapObjective): number {
  return (
    a.households - b.households ||
    a.codeRood - b.codeRood ||
    a.acuut - b.acuut ||
    a.twoCycles - b.twoCycles ||
    // Compared in tenths of a km, as the cycles' distances are rounded.
    Math.round((b.km - a.km) * 10)
  );
}

type Highs = Awaited<ReturnType<typeof highsLoader>>;
let solver: Promise<Highs> | undefined;

/** Terms of a linear expression, a few to a line (the LP reader has a line limit). */
function linear(coefs: number[]): string {
  const terms = coefs.flatMap((k, i) =>
    k === 0 ? [] : [`${k >= 0 ? '+' : '-'} ${Math.abs(k)} x${i}`],
  );
  if (terms.length === 0) return '0 x0';
  const lines: string[] = [];
  for (let i = 0; i < terms.length; i += 8) lines.push(terms.slice(i, i + 8).join(' '));
  return lines.join('\n ');
}

/**
 * The exact packing: one integer program per criterion, in order, each keeping the optimum
 * of the ones before as a constraint. Every objective has small integer coefficients, and
 * no relative gap is allowed, so each optimum is proven, not approximated.
 */
export async function solveSwaps(cycles: readonly SwapCycle[]): Promise<SwapSolution> {
  if (cycles.length === 0) return { cycles: [], objective: objectiveOf([]) };
  const highs = await (solver ??= highsLoader());
  const byRequest = new Map<number, number[]>();
  cycles.forEach((c, i) => {
    for (const r of c.requestIds) byRequest.set(r, [...(byRequest.get(r) ?? []), i]);
  });
  const disjoint = [...byRequest.entries()]
    .filter(([, list]) => list.length > 1)
    .map(([r, list]) => {
      const coefs = Array<number>(cycles.length).fill(0);
      for (const i of list) coefs[i] = 1;
      return ` r${r}: ${linear(coefs)} <= 1`;
    });
  const binaries: string[] = [];
  for (let i = 0; i < cycles.length; i += 20) {
    binaries.push(
      ' ' +
        cycles
          .slice(i, i + 20)
          .map((_, k) => `x${i + k}`)
          .join(' '),
    );
  }
  const criteria: Array<{ sense: 'Maximize' | 'Minimize'; coef: (c: SwapCycle) => number }> = [
    { sense: 'Maximize', coef: (c) => c.households },
    { sense: 'Maximize', coef: (c) => c.codeRood },
    { sense: 'Maximize', coef: (c) => c.acuut },
    { sense: 'Maximize', coef: (c) => (c.households === 2 ? 1 : 0) },
    // Tenths of a km: integral, so the optimum is exact too.
    { sense: 'Minimize', coef: (c) => Math.round(c.km * 10) },
  ];
  const kept: string[] = [];
  let chosen: number[] = [];
  for (const [k, { sense, coef }] of criteria.entries()) {
    const coefs = cycles.map(coef);
    if (coefs.every((v) => v === 0)) continue;
    const lp = [
      sense,
      ` obj: ${linear(coefs)}`,
      'Subject To',
      ...(disjoint.length ? disjoint : [' r0: x0 <= 1']),
      ...kept,
      'Binary',
      ...binaries,
      'End',
    ].join('\n');
    const result = highs.solve(lp, { mip_rel_gap: 0, output_flag: false });
    if (result.Status !== 'Optimal') throw new Error(`swap solver: ${result.Status}`);
    chosen = cycles.flatMap((_, i) => ((result.Columns[`x${i}`]?.Primal ?? 0) > 0.5 ? [i] : []));
    const value = chosen.reduce((sum, i) => sum + coefs[i]!, 0);
    kept.push(` keep${k}: ${linear(coefs)} ${sense === 'Maximize' ? '>=' : '<='} ${value}`);
  }
  const picked = chosen.map((i) => cycles[i]!);
  return { cycles: picked, objective: objectiveOf(picked) };
}

/** Exhaustive search over every packing: the reference the solver is tested against. */
export function bruteForceSwaps(cycles: readonly SwapCycle[]): SwapSolution {
  let best: SwapCycle[] = [];
  let bestObjective = objectiveOf([]);
  const walk = (i: number, taken: SwapCycle[], used: Set<number>) => {
    if (i === cycles.length) {
      const objective = objectiveOf(taken);
      if (compareObjectives(objective, bestObjective) > 0) {
        best = [...taken];
        bestObjective = objective;
      }
      return;
    }
    walk(i + 1, taken, used);
    const c = cycles[i]!;
    if (c.requestIds.some((r) => used.has(r))) return;
    const next = new Set(used);
    for (const r of c.requestIds) next.add(r);
    walk(i + 1, [...taken, c], next);
  };
  walk(0, [], new Set());
  return { cycles: best, objective: bestObjective };
}
