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
 * (HiGHS) in stages, each keeping the optimum of the ones before (see solveSwaps).
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
    // Pushed, not copied: a large part has tens of thousands of cycles.
    const part = parts.get(root);
    if (part) part.push(c);
    else parts.set(root, [c]);
  }
  return [...parts.values()];
}

type Highs = Awaited<ReturnType<typeof highsLoader>>;
type HighsResult = ReturnType<Highs['solve']>;
let solver: Promise<Highs> | undefined;

type Criterion = (c: SwapCycle) => number;
const households: Criterion = (c) => c.households;
const codeRood: Criterion = (c) => c.codeRood;
const acuut: Criterion = (c) => c.acuut;
const twoCycle: Criterion = (c) => (c.households === 2 ? 1 : 0);
/** Tenths of a km, negated: integral, and every stage maximises. */
const shortTrips: Criterion = (c) => -Math.round(c.km * 10);

/**
 * The lexicographic objective in three stages, each an integer program over the optimum
 * of the ones before. Households, code rood and acuut only count which requests are
 * placed, so they share one stage with the weight B = (requests + 1) per criterion
 * (h B^2 + r B + a: each lower total is below B); a stage's optimum is kept for the later
 * ones as equalities on the separate totals, which HiGHS handles far better than one row
 * with large weights.
 */
function stagesFor(requests: number): Array<{ objective: Criterion; keep: (v: number) => Row[] }> {
  const B = requests + 1;
  return [
    {
      objective: (c) => c.households * B * B + c.codeRood * B + c.acuut,
      keep: (v) => [
        { coef: households, rhs: Math.floor(v / (B * B)) },
        { coef: codeRood, rhs: Math.floor(v / B) % B },
        { coef: acuut, rhs: v % B },
      ],
    },
    { objective: twoCycle, keep: (v) => [{ coef: twoCycle, rhs: v }] },
    { objective: shortTrips, keep: () => [] },
  ];
}

interface Row {
  coef: Criterion;
  rhs: number;
}

/** Terms of a linear expression, a few to a line (the LP reader has a line limit). */
function linear(coefs: readonly number[]): string {
  const terms: string[] = [];
  coefs.forEach((k, i) => {
    if (k !== 0) terms.push(`${k > 0 ? '+' : '-'} ${Math.abs(k)} x${i}`);
  });
  if (terms.length === 0) return '0 x0';
  const lines: string[] = [];
  for (let i = 0; i < terms.length; i += 8) lines.push(terms.slice(i, i + 8).join(' '));
  return lines.join('\n ');
}

/** Cut violations below this are rounding noise of the LP. */
const EPS = 1e-6;

/**
 * One part's packing problem: a variable per cycle, a row per request (each in at most one
 * chosen cycle), the totals kept from earlier stages, and odd-set cuts. An odd set T of
 * requests holds at most (|T| - 1) / 2 cycles that each take two or more of them (half the
 * sum of T's rows, rounded down): the LP relaxation misses exactly this parity. With 2-cycles
 * between many alike requests, an odd group must leave one out or close a 3-cycle, and
 * without these cuts the LP promises up to half a cycle per group more than exists. They
 * are valid for every packing, so they change no optimum.
 */
class Packing {
  readonly cuts: Array<ReadonlySet<number>> = [];
  private readonly seen = new Set<string>();
  readonly kept: Row[] = [];
  private readonly requests: number[];
  private readonly pairs: number[][];

  constructor(
    private readonly highs: Highs,
    readonly cycles: readonly SwapCycle[],
  ) {
    this.requests = [...new Set(cycles.flatMap((c) => c.requestIds))];
    this.pairs = cycles.filter((c) => c.households === 2).map((c) => c.requestIds);
  }

  /** The model over `columns` (indexes into cycles). */
  private model(objective: Criterion, columns: readonly number[], binary: boolean): string {
    const cs = columns.map((i) => this.cycles[i]!);
    const rows = new Map<number, number[]>();
    cs.forEach((c, k) => {
      for (const r of c.requestIds) {
        const row = rows.get(r);
        if (row) row.push(k);
        else rows.set(r, [k]);
      }
    });
    const lines = [...rows.entries()].map(([r, ks]) => {
      const terms: string[] = [];
      for (let i = 0; i < ks.length; i += 8)
        terms.push(
          ks
            .slice(i, i + 8)
            .map((k) => `+ x${k}`)
            .join(' '),
        );
      return ` r${r}: ${terms.join('\n ')} <= 1`;
    });
    this.kept.forEach((row, j) => lines.push(` k${j}: ${linear(cs.map(row.coef))} = ${row.rhs}`));
    this.cuts.forEach((T, j) => {
      const coefs = cs.map((c) => cutCoef(c, T));
      if (coefs.some((k) => k > 0)) lines.push(` c${j}: ${linear(coefs)} <= ${(T.size - 1) / 2}`);
    });
    const names = cs.map((_, k) => `x${k}`);
    const domain: string[] = [];
    if (binary) {
      domain.push('Binary');
      for (let k = 0; k < names.length; k += 20)
        domain.push(' ' + names.slice(k, k + 20).join(' '));
    } else {
      domain.push('Bounds', ...names.map((n) => ` 0 <= ${n} <= 1`));
    }
    return [
      'Maximize',
      ` obj: ${linear(cs.map(objective))}`,
      'Subject To',
      ...(lines.length ? lines : [' r0: x0 <= 1']),
      ...domain,
      'End',
    ].join('\n');
  }

  /** The LP relaxation over every cycle: its values, or null when it is infeasible. */
  relaxation(objective: Criterion): { x: number[]; value: number; result: HighsResult } | null {
    const result = this.highs.solve(
      this.model(
        objective,
        this.cycles.map((_, i) => i),
        false,
      ),
      {
        output_flag: false,
      },
    );
    if (result.Status !== 'Optimal') return null;
    const x = this.cycles.map((_, i) => result.Columns[`x${i}`]?.Primal ?? 0);
    return { x, value: result.ObjectiveValue, result };
  }

  /**
   * The integer optimum over `columns`, or null when none satisfies the kept totals (or the
   * time ran out: then the caller takes the slower sure way).
   */
  integer(objective: Criterion, columns: readonly number[], timeLimit?: number): number[] | null {
    const result = this.highs.solve(this.model(objective, columns, true), {
      output_flag: false,
      mip_rel_gap: 0,
      // Every objective is integral: a gap below 1 proves the optimum.
      mip_abs_gap: 0.5,
      ...(timeLimit ? { time_limit: timeLimit } : {}),
    });
    if (result.Status !== 'Optimal') return null;
    return columns.filter((_, k) => (result.Columns[`x${k}`]?.Primal ?? 0) > 0.5);
  }

  /** Adds the odd-set cuts that `x` violates; how many. */
  separate(x: readonly number[]): number {
    const support = this.cycles.flatMap((c, i) => (x[i]! > EPS ? [i] : []));
    const cover = new Map<number, number>();
    const inTriple = new Set<number>();
    for (const i of support) {
      const c = this.cycles[i]!;
      for (const r of c.requestIds) cover.set(r, (cover.get(r) ?? 0) + x[i]!);
      if (c.households === 3) for (const r of c.requestIds) inTriple.add(r);
    }
    const full = (r: number) => (cover.get(r) ?? 0) > 1 - EPS;
    const fractional = support.filter((i) => x[i]! < 1 - EPS);
    // Candidate odd sets: the fractional cycles' groups, and the groups of requests that
    // 2-cycles join (all of them, the ones the LP places fully, those outside 3-cycles).
    const candidates = [
      ...groups(
        fractional.flatMap((i) => this.cycles[i]!.requestIds),
        fractional.map((i) => this.cycles[i]!.requestIds),
      ),
      ...groups(this.requests, this.pairs),
      ...groups(this.requests.filter(full), this.pairs),
      ...groups(
        this.requests.filter((r) => !inTriple.has(r)),
        this.pairs,
      ),
      ...groups(
        this.requests.filter((r) => full(r) && !inTriple.has(r)),
        this.pairs,
      ),
    ];
    let added = 0;
    for (const T of candidates) {
      if (T.length < 3 || T.length % 2 === 0) continue;
      const key = [...T].sort((a, b) => a - b).join(',');
      if (this.seen.has(key)) continue;
      const set = new Set(T);
      const lhs = support.reduce((sum, i) => sum + cutCoef(this.cycles[i]!, set) * x[i]!, 0);
      if (lhs > (T.length - 1) / 2 + EPS) {
        this.seen.add(key);
        this.cuts.push(set);
        added += 1;
      }
    }
    return added;
  }
}

function cutCoef(c: SwapCycle, T: ReadonlySet<number>): number {
  let inside = 0;
  for (const r of c.requestIds) if (T.has(r)) inside += 1;
  return inside >> 1;
}

/** Connected groups of `nodes` joined by `links` (links leaving `nodes` are ignored). */
function groups(nodes: readonly number[], links: readonly number[][]): number[][] {
  const parent = new Map(nodes.map((n) => [n, n]));
  const find = (n: number): number => {
    let root = n;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(n, root);
    return root;
  };
  for (const link of links) {
    if (!link.every((n) => parent.has(n))) continue;
    for (const n of link.slice(1)) parent.set(find(n), find(link[0]!));
  }
  const out = new Map<number, number[]>();
  for (const n of nodes) {
    const group = out.get(find(n));
    if (group) group.push(n);
    else out.set(find(n), [n]);
  }
  return [...out.values()];
}

/**
 * The LP's value rounded down to an integer, as every objective is integral; a value within
 * the LP's tolerance of an integer counts as that integer. Rounding down too far would keep
 * a total below the optimum and lose it; too high only costs the slower way (solvePart).
 */
function integralBound(value: number): number {
  const nearest = Math.round(value);
  return Math.abs(value - nearest) <= EPS * Math.max(1, Math.abs(value))
    ? nearest
    : Math.floor(value);
}

/**
 * The LP relaxation tightened with odd-set cuts until they stop lowering its bound. Returns
 * the bound (rounded down: objectives are integral), the last LP solution, and every
 * cycle the LPs used, or null when the kept totals cannot be met even fractionally.
 */
function cutLoop(packing: Packing, objective: Criterion, support: Set<number>) {
  let best = Infinity;
  for (let round = 0; ; round += 1) {
    const lp = packing.relaxation(objective);
    if (!lp) return null;
    lp.x.forEach((v, i) => {
      if (v > EPS) support.add(i);
    });
    const bound = integralBound(lp.value);
    const integral = lp.x.every((v) => v < EPS || v > 1 - EPS);
    const improved = bound < best;
    best = Math.min(best, bound);
    if (integral || (!improved && round > 0) || round >= 12 || packing.separate(lp.x) === 0) {
      return { bound: best, lp, integral };
    }
  }
}

/**
 * The exact packing, part by part. Each stage's bound comes from the LP relaxation with
 * odd-set cuts, which for these instances is (almost always) the integer optimum: it is
 * kept as the stage's total and the next stage goes on from it, without solving the integer
 * program of every stage. Only the last stage needs integers: a packing that meets every
 * kept total reaches every bound, so it is optimal in each criterion in turn. Its travel is
 * made exact with reduced-cost fixing: a cycle whose LP reduced cost exceeds the gap between
 * the bound and a packing already found cannot be in a better one. When some kept bound
 * turns out not to be reachable, the part falls back to solving each stage's integer program
 * in turn. No gap is allowed anywhere: every optimum is proven, not approximated.
 */
export async function solveSwaps(cycles: readonly SwapCycle[]): Promise<SwapSolution> {
  const picked: SwapCycle[] = [];
  for (const part of independentParts(cycles)) picked.push(...(await solvePart(part)));
  return { cycles: picked, objective: objectiveOf(picked) };
}

async function solvePart(cycles: readonly SwapCycle[]): Promise<SwapCycle[]> {
  if (cycles.length === 1) return [...cycles];
  const highs = await (solver ??= highsLoader());
  const packing = new Packing(highs, cycles);
  const stages = stagesFor(new Set(cycles.flatMap((c) => c.requestIds)).size);
  const support = new Set<number>();
  const all = cycles.map((_, i) => i);
  const pick = (columns: readonly number[]) => columns.map((i) => cycles[i]!);
  for (const [k, stage] of stages.entries()) {
    const bounded = cutLoop(packing, stage.objective, support);
    if (!bounded) break;
    const last = k === stages.length - 1;
    if (!last) {
      packing.kept.push(...stage.keep(bounded.bound));
      continue;
    }
    const { bound, lp, integral } = bounded;
    if (integral) return pick(all.filter((i) => lp.x[i]! > 0.5));
    // A packing among the cycles the LPs used, then the exact optimum among the cycles that
    // could still beat it (reduced-cost fixing), widening the circle until it is proven.
    let best = packing.integer(
      stage.objective,
      [...support].sort((a, b) => a - b),
      10,
    );
    const value = (columns: readonly number[]) =>
      columns.reduce((sum, i) => sum + stage.objective(cycles[i]!), 0);
    if (best && value(best) >= bound) return pick(best);
    const priced = reducedCosts(packing, stage.objective, lp.result);
    const cost = priced.reduced.map((d) => -d);
    for (let gap = priced.bound - bound + 1; ;) {
      const floor = Math.max(best ? value(best) : -Infinity, priced.bound - gap);
      const columns = all.filter((i) => cost[i]! <= priced.bound - floor + EPS);
      const found = packing.integer(stage.objective, columns);
      if (found && (!best || value(found) > value(best))) best = found;
      // Every packing worth `floor` or more was among the columns.
      if (best && (value(best) >= floor || columns.length === all.length)) return pick(best);
      if (columns.length === all.length) break;
      // Wider, by at least one more cycle, and never wider than the best packing needs.
      const next = Math.min(...cost.filter((c) => c > priced.bound - floor + EPS));
      gap = Math.min(best ? priced.bound - value(best) : Infinity, Math.max(gap * 4, next));
    }
    break;
  }
  return pick(stageByStage(packing, stages));
}

/**
 * Reduced-cost fixing: the LP's duals price every cycle, and bound any packing x by
 * value(x) <= bound - sum over its cycles of max(0, -reduced). So a packing worth at least
 * v uses only cycles with -reduced <= bound - v. The bound is recomputed here from the
 * duals (weak duality holds for any duals of the right sign), so HiGHS's tolerances cannot
 * leave out a cycle that belongs in.
 */
function reducedCosts(
  packing: Packing,
  objective: Criterion,
  result: HighsResult,
): { bound: number; reduced: number[] } {
  const dual = new Map<string, number>();
  for (const row of result.Rows) if ('Dual' in row) dual.set(row.Name, row.Dual);
  // Rows "<= b" need a dual >= 0 in a maximisation; the kept totals are equalities (any sign).
  const y = (name: string) => Math.max(0, dual.get(name) ?? 0);
  let bound = 0;
  const requests = new Set(packing.cycles.flatMap((c) => c.requestIds));
  for (const r of requests) bound += y(`r${r}`);
  packing.kept.forEach((row, j) => (bound += (dual.get(`k${j}`) ?? 0) * row.rhs));
  packing.cuts.forEach((T, j) => (bound += y(`c${j}`) * ((T.size - 1) / 2)));
  const reduced = packing.cycles.map((c) => {
    let price = 0;
    for (const r of c.requestIds) price += y(`r${r}`);
    packing.kept.forEach((row, j) => (price += (dual.get(`k${j}`) ?? 0) * row.coef(c)));
    packing.cuts.forEach((T, j) => (price += y(`c${j}`) * cutCoef(c, T)));
    return objective(c) - price;
  });
  for (const d of reduced) if (d > 0) bound += d;
  return { bound, reduced };
}

/**
 * The same optimum the plain way, each stage's integer program over every cycle in turn:
 * slow on large instances, the reference the fast way is tested against.
 */
export async function solveSwapsByStages(cycles: readonly SwapCycle[]): Promise<SwapSolution> {
  const highs = await (solver ??= highsLoader());
  const picked: SwapCycle[] = [];
  for (const part of independentParts(cycles)) {
    const packing = new Packing(highs, part);
    const stages = stagesFor(new Set(part.flatMap((c) => c.requestIds)).size);
    picked.push(...stageByStage(packing, stages).map((i) => part[i]!));
  }
  return { cycles: picked, objective: objectiveOf(picked) };
}

/** The sure way: each stage's integer program in turn, keeping its optimum. */
function stageByStage(packing: Packing, stages: ReturnType<typeof stagesFor>): number[] {
  packing.kept.length = 0;
  const all = packing.cycles.map((_, i) => i);
  let chosen: number[] = [];
  for (const stage of stages) {
    const found = packing.integer(stage.objective, all);
    if (!found) throw new Error('swap solver: no packing meets the kept totals');
    chosen = found;
    const value = found.reduce((sum, i) => sum + stage.objective(packing.cycles[i]!), 0);
    packing.kept.push(...stage.keep(value));
  }
  return chosen;
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
