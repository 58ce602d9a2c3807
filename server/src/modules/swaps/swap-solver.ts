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

/**
 * Every cycle of 2 or 3 requests from different VOs, each once (smallest request id first).
 * `refused` leaves out moves a party already turned down (request `from`'s household into
 * request `to`'s unit).
 */
export function enumerateCycles(
  candidates: readonly SwapCandidate[],
  distanceKm: (fromRegionId: number, toRegionId: number) => number,
  refused: (fromRequestId: number, toRequestId: number) => boolean = () => false,
): SwapCycle[] {
  const sorted = [...candidates].sort((x, y) => x.requestId - y.requestId);
  const out = new Map<number, SwapCandidate[]>();
  for (const a of sorted)
    out.set(
      a.requestId,
      sorted.filter((b) => canMoveInto(a, b) && !refused(a.requestId, b.requestId)),
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
 * Requests that share no cycle never compete: the packing splits into independent parts
 * (union-find over the cycles' requests), each solved on its own. A lexicographic optimum
 * of the whole is the sum of the parts' optima: the total of a criterion is at its best
 * only when every part is, so each criterion's constraint splits too.
 */
export function independentParts(cycles: readonly SwapCycle[]): SwapCycle[][] {
  const parent = new Map<number, number>();
  const find = (r: number): number => {
    let root = r;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(r, root);
    return root;
  };
  for (const c of cycles) {
    for (const r of c.requestIds) if (!parent.has(r)) parent.set(r, r);
    for (const r of c.requestIds.slice(1)) parent.set(find(r), find(c.requestIds[0]!));
  }
  const parts = new Map<number, SwapCycle[]>();
  for (const c of cycles) {
    const root = find(c.requestIds[0]!);
    parts.set(root, [...(parts.get(root) ?? []), c]);
  }
  return [...parts.values()];
}

/**
 * The exact packing, part by part. Two integer programs per part instead of one per
 * criterion: the first maximises households, code rood, acuut and 2-cycles at once with
 * the weight B = (requests in the part + 1) per criterion (h B^3 + r B^2 + a B + t). Each
 * lower criterion is at most the number of requests, so below B: the weighted sum orders
 * packings exactly as the criteria in turn do, and stays an integer far below 2^53. The
 * second keeps that optimum and minimises the kilometres (in tenths, integral). No gap is
 * allowed, so every optimum is proven, not approximated.
 */
export async function solveSwaps(cycles: readonly SwapCycle[]): Promise<SwapSolution> {
  const picked: SwapCycle[] = [];
  for (const part of independentParts(cycles)) picked.push(...(await solvePart(part)));
  return { cycles: picked, objective: objectiveOf(picked) };
}

async function solvePart(cycles: readonly SwapCycle[]): Promise<SwapCycle[]> {
  if (cycles.length === 1) return [...cycles];
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
  const B = byRequest.size + 1;
  const criteria: Array<{ sense: 'Maximize' | 'Minimize'; coef: (c: SwapCycle) => number }> = [
    {
      sense: 'Maximize',
      coef: (c) =>
        c.households * B ** 3 + c.codeRood * B ** 2 + c.acuut * B + (c.households === 2 ? 1 : 0),
    },
    // Tenths of a km: integral, so the optimum is exact too.
    { sense: 'Minimize', coef: (c) => Math.round(c.km * 10) },
  ];
  const kept: string[] = [];
  let chosen: number[] = [];
  for (const [k, { sense, coef }] of criteria.entries()) {
    const coefs = cycles.map(coef);
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
    // The objectives are integers: a gap below 1 proves the optimum.
    const result = highs.solve(lp, { mip_rel_gap: 0, mip_abs_gap: 0.5, output_flag: false });
    if (result.Status !== 'Optimal') throw new Error(`swap solver: ${result.Status}`);
    chosen = cycles.flatMap((_, i) => ((result.Columns[`x${i}`]?.Primal ?? 0) > 0.5 ? [i] : []));
    const value = chosen.reduce((sum, i) => sum + coefs[i]!, 0);
    kept.push(` keep${k}: ${linear(coefs)} ${sense === 'Maximize' ? '>=' : '<='} ${value}`);
  }
  return chosen.map((i) => cycles[i]!);
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
