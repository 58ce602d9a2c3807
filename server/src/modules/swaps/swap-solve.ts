import { haversineKm } from '@opvangatlas/shared';
import { enumerateCycles, solveSwaps, type SwapCandidate, type SwapCycle } from './swap-solver';

/**
 * Everything a solve uses, as plain data: it is copied (structured clone) into the solver's
 * worker thread (swap-solve-runner.ts), so no functions, no class instances.
 */
export interface SwapSolveInput {
  candidates: readonly SwapCandidate[];
  /** Region centres: the travel between two regions is the distance between them. */
  centres: ReadonlyArray<{ id: number; lat: number; lon: number }>;
  /** Moves a party turned down, as `from>to` request ids. */
  refused: readonly string[];
}

/** The best set of cycles among the candidates: enumerated, then packed exactly. */
export async function solveCycles(input: SwapSolveInput): Promise<SwapCycle[]> {
  if (input.candidates.length < 2) return [];
  const centres = new Map(input.centres.map((r) => [r.id, r]));
  const km = (from: number, to: number) => haversineKm(centres.get(from)!, centres.get(to)!);
  const refused = new Set(input.refused);
  const { cycles } = await solveSwaps(
    enumerateCycles(input.candidates, km, (from, to) => refused.has(`${from}>${to}`)),
  );
  return cycles;
}

/**
 * What the worker posts: `ready` once its entry has loaded (a worker that ends before it
 * could not start at all), then one reply per solve.
 */
export type SolveReply = { ready: true } | { cycles: SwapCycle[] } | { error: unknown };
