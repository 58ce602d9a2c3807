import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateSwapInstance } from '../../../../scripts/bench-swaps';
import { solveCycles, type SwapSolveInput } from './swap-solve';
import { SolveRunner, startSolveWorker } from './swap-solve-runner';

/** The generated instances' regions (1-35), spread over the map so trips differ. */
const centres = Array.from({ length: 35 }, (_, i) => ({
  id: i + 1,
  lat: 51 + (i % 7) * 0.3,
  lon: 4 + Math.floor(i / 7) * 0.4,
}));
const instance = (requests: number, seed?: number): SwapSolveInput => ({
  candidates: generateSwapInstance(requests, seed),
  centres,
  refused: [],
});

describe('swap solves on a worker thread', () => {
  // The real worker; the runner is only told how to start it so the test sees each one.
  const workers: Worker[] = [];
  const runner = new SolveRunner({
    start: () => {
      const worker = startSolveWorker();
      workers.push(worker);
      return worker;
    },
  });
  afterAll(() => runner.close());

  it('solves a handful of requests inline, without starting a worker', async () => {
    const small = instance(8, 3);
    expect(await runner.solve(small)).toEqual(await solveCycles(small));
    expect(workers).toHaveLength(0);
  });

  // Generous: a loaded CI machine takes seconds to start the worker (tsx compiles it there).
  it(
    'keeps the event loop turning while a large instance solves',
    { timeout: 30_000 },
    async () => {
      // The worker's start and HiGHS's load, not timed: only the solve's own work is.
      expect((await runner.solve(instance(14, 1))).length).toBeGreaterThan(0);
      // Inline, this instance blocks the loop for about a second (scripts/bench-swaps.ts).
      const large = instance(70);
      let ticks = 0;
      let last = performance.now();
      let longestGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
        ticks += 1;
      }, 10);
      const started = performance.now();
      try {
        const cycles = await runner.solve(large);
        expect(cycles.length).toBeGreaterThan(0);
      } finally {
        clearInterval(timer);
      }
      // The wait since the last tick counts too: a blocked loop ticks only after the solve.
      longestGap = Math.max(longestGap, performance.now() - last);
      const took = performance.now() - started;
      expect(longestGap).toBeLessThan(took / 2);
      expect(ticks).toBeGreaterThanOrEqual(5);
      expect(workers).toHaveLength(1);
    },
  );

  it('gives the same cycles as solving inline', async () => {
    for (const [requests, seed] of [
      [14, 1],
      [25, 2],
      [40, 3],
      [60, 4],
    ] as const) {
      const input = { ...instance(requests, seed), refused: ['1>2', '3>5'] };
      expect(await runner.solve(input)).toEqual(await solveCycles(input));
    }
    expect(workers).toHaveLength(1);
  });

  it('rejects with the error a solve throws, and solves the next on a fresh worker', async () => {
    const ended = once(workers[0]!, 'exit');
    // No region centres: the trips cannot be measured.
    const failed = runner.solve({ ...instance(20), centres: [] });
    const queued = runner.solve(instance(20));
    await expect(failed).rejects.toThrow(TypeError);
    // The worker ends after an error: its HiGHS is not trusted after a throw.
    expect(await ended).toEqual([1]);
    expect((await queued).length).toBeGreaterThan(0);
    expect(workers).toHaveLength(2);
  });

  it('rejects the solve of a worker that dies, and starts a fresh one for the next', async () => {
    const lost = runner.solve(instance(60));
    await workers[1]!.terminate();
    await expect(lost).rejects.toThrow(/worker stopped/);
    expect((await runner.solve(instance(20))).length).toBeGreaterThan(0);
    expect(workers).toHaveLength(3);
  });

  it('queues solves one at a time, each answered with its own cycles', async () => {
    const inputs = [instance(30, 5), instance(20, 6), instance(45, 7)];
    const solved = await Promise.all(inputs.map((input) => runner.solve(input)));
    for (const [i, input] of inputs.entries()) expect(solved[i]).toEqual(await solveCycles(input));
  });

  it('at close, terminates the worker and rejects the solves still pending', async () => {
    const pending = Promise.allSettled([runner.solve(instance(60)), runner.solve(instance(20))]);
    await runner.close();
    for (const solve of await pending) {
      expect(solve).toMatchObject({
        status: 'rejected',
        reason: { message: 'swap solver closed' },
      });
    }
    expect(workers.at(-1)!.threadId).toBe(-1);
    await expect(runner.solve(instance(20))).rejects.toThrow('swap solver closed');
  });
});

describe('a swap solver whose worker cannot start', () => {
  it('solves on the event loop from then on, trying the worker once and warning once', async () => {
    let starts = 0;
    const warn = vi.fn();
    const runner = new SolveRunner({
      // A bundle without its worker file.
      start: () => {
        starts += 1;
        return new Worker(new URL('./swap-solve-missing.js', import.meta.url));
      },
      log: { warn },
    });
    const inputs = [instance(20, 1), instance(25, 2), instance(30, 3)];
    const first = await Promise.all(inputs.slice(0, 2).map((input) => runner.solve(input)));
    const later = await runner.solve(inputs[2]!);
    for (const [i, cycles] of [...first, later].entries())
      expect(cycles).toEqual(await solveCycles(inputs[i]!));
    expect(starts).toBe(1);
    expect(warn).toHaveBeenCalledOnce();
    await runner.close();
  });
});
