/**
 * The swap solver on a generated instance: 200 open swap-eligible requests from 22 VOs,
 * households and freed units drawn like the seed's (kinds 20/40/40 among noodbed, crisis,
 * vervolg; 0-4 children; a few men and wheelchair users), unsafe regions the own plus up to
 * two more. Prints the cycles, the exact optimum and the time (wall and CPU); asserts nothing.
 *
 *   node --import tsx scripts/bench-swaps.ts [--requests 200]
 */
import { parseArgs } from 'node:util';
import { createRandom } from '../db/src/seed/random';
import {
  enumerateCycles,
  independentParts,
  solveSwaps,
  type SwapCandidate,
} from '../server/src/modules/swaps/swap-solver';

export function generateSwapInstance(n: number, seed = 2026): SwapCandidate[] {
  const rnd = createRandom(seed);
  const kinds = ['noodbed', 'crisis', 'vervolg'] as const;
  return Array.from({ length: n }, (_, i) => {
    const org = rnd.int(1, 22);
    const region = ((org * 5) % 35) + 1;
    const kind = rnd.weighted([
      [kinds[0], 0.2],
      [kinds[1], 0.4],
      [kinds[2], 0.4],
    ] as const);
    const man = rnd.chance(0.05);
    const children = man
      ? 0
      : rnd.weighted([
          [0, 0.35],
          [1, 0.25],
          [2, 0.2],
          [3, 0.12],
          [4, 0.08],
        ] as const);
    const persons = 1 + children;
    return {
      requestId: i + 1,
      organisationId: org,
      urgency: rnd.weighted([
        ['code_rood', 0.2],
        ['acuut', 0.4],
        ['regulier', 0.4],
      ] as const),
      kind,
      household: {
        adults: [{ gender: man ? 'm' : 'v' }],
        children: Array<number>(children).fill(5),
      },
      needs: { wheelchair: rnd.chance(0.04), largeFamily: persons >= 5 },
      unsafeRegionIds: [region, ...Array.from({ length: rnd.int(0, 2) }, () => rnd.int(1, 35))],
      originRegionId: region,
      unit: {
        id: 1000 + i,
        regionId: region,
        kind: rnd.chance(0.8) ? kind : kinds[rnd.int(0, 2)]!,
        maxPersons: persons + rnd.int(0, 2),
        mannenopvang: man,
        wheelchair: rnd.chance(0.08),
        largeFamily: persons + 2 >= 5,
      },
    } satisfies SwapCandidate;
  });
}

export async function benchSwaps(n: number): Promise<void> {
  const candidates = generateSwapInstance(n);
  const distance = (a: number, b: number) => Math.abs(a - b) * 7 + 5;
  const t0 = performance.now();
  const cycles = enumerateCycles(candidates, distance);
  const t1 = performance.now();
  const cpu = process.cpuUsage();
  const solution = await solveSwaps(cycles);
  const t2 = performance.now();
  // CPU time too: on a busy machine the wall time mostly measures the neighbours.
  const { user, system } = process.cpuUsage(cpu);
  const two = cycles.filter((c) => c.households === 2).length;
  console.log(`\nswap solver (${n} open requests, generated)`);
  const parts = independentParts(cycles).map((p) => p.length);
  console.log(
    `  cycles: ${cycles.length} (${two} of 2, ${cycles.length - two} of 3), enumerated in ${(t1 - t0).toFixed(0)} ms; ${parts.length} independent parts, largest ${Math.max(0, ...parts)} cycles`,
  );
  console.log(
    `  exact optimum (proven) in ${((t2 - t1) / 1000).toFixed(1)} s (${((user + system) / 1e6).toFixed(1)} s CPU): ${JSON.stringify(solution.objective)}, ${solution.cycles.length} cycles (${solution.objective.twoCycles} of 2)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '200' } } });
  await benchSwaps(Number(values.requests));
}
