import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import { typescriptWorker } from '../../typescript-worker';
import { solveCycles, type SolveReply, type SwapSolveInput } from './swap-solve';
import type { SwapCycle } from './swap-solver';

/**
 * Fewer open requests than this are solved on the calling thread. Measured on generated
 * instances (scripts/bench-swaps.ts, 20 per size): up to 11 requests a warm solve takes
 * about 2 ms (at most 7), at 20 about 8 ms (up to 30), at 30 up to 150 ms, at 200 seconds.
 * A round trip to the worker costs only ~0.1 ms; what inline saves is the thread itself: a
 * server that only ever sees a handful (the demo's five, the tests, a quiet night) never
 * starts one (half a second of CPU, its own heap and HiGHS). The price is HiGHS loading on
 * the event loop at the first such solve, once (~70 ms).
 */
const INLINE_BELOW = 12;

/**
 * The worker thread, from the bundle or from source. The build (server/vite.config.ts)
 * emits swap-solve-worker.js beside server.js and its chunks, where this code then lives.
 */
export function startSolveWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./swap-solve-worker.js', here));
  return typescriptWorker(new URL('./swap-solve-worker.ts', here));
}

interface Job {
  input: SwapSolveInput;
  resolve: (cycles: SwapCycle[]) => void;
  reject: (err: unknown) => void;
}

/** A solve asked for, or cut short, once the runner closed (the app shutting down). */
export class SolverClosedError extends Error {
  constructor() {
    super('swap solver closed');
    this.name = 'SolverClosedError';
  }
}

export interface SolveRunnerOptions {
  /** Starts the worker thread; tests pass one that records each. */
  start?: () => Worker;
  /** Told once if no worker can start and the solves fall back to the event loop. */
  log?: Pick<FastifyBaseLogger, 'warn'>;
}

/**
 * Runs swap solves off the event loop (issue 15: a 200-request solve takes seconds, and the
 * live fan-out must not wait for it). One long-lived worker, started at the first solve that
 * needs it; solves queue and go to it one at a time. A solve that throws rejects with its
 * error, and the worker ends after it (swap-solve-worker.ts); when the worker dies (a crash,
 * out of memory) the solve it was running rejects. Either way the next solve starts a fresh
 * worker. A worker that ends before it is ready could not start at all (its bundle missing,
 * tsx failing): rather than start one per recompute, every solve from then on runs inline.
 * Idle, the worker is unref'd: it never keeps the process alive; it is ref'd while it
 * solves, so a script awaiting a solve does not exit under it.
 */
export class SolveRunner {
  private worker: Worker | undefined;
  /** The solve `worker` is running. */
  private current: Job | undefined;
  private readonly queue: Job[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;
  private inline = false;
  private readonly start: () => Worker;
  private readonly log: SolveRunnerOptions['log'];

  constructor({ start = startSolveWorker, log }: SolveRunnerOptions = {}) {
    this.start = start;
    this.log = log;
  }

  solve(input: SwapSolveInput): Promise<SwapCycle[]> {
    if (this.closed) return Promise.reject(new SolverClosedError());
    if (this.inline || input.candidates.length < INLINE_BELOW) return solveCycles(input);
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.next();
    });
  }

  /**
   * Terminates the worker: the solve it was running and those queued reject with a
   * SolverClosedError, as does every later one. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new SolverClosedError());
    return (this.closing ??= this.worker?.terminate().then(() => undefined) ?? Promise.resolve());
  }

  private next(): void {
    if (this.current || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.current = job;
    const worker = this.worker ?? this.spawn();
    if (!worker) return;
    worker.ref();
    try {
      worker.postMessage(job.input);
    } catch (err) {
      // Not plain data (a DataCloneError): nothing was sent.
      this.settle(job, () => job.reject(err));
    }
  }

  /** A new worker, or none (then the solves went inline) if it cannot even be made. */
  private spawn(): Worker | undefined {
    let worker: Worker;
    try {
      worker = this.start();
    } catch (err) {
      this.fallBack(err);
      return undefined;
    }
    this.worker = worker;
    worker.unref();
    let ready = false;
    let failure: unknown;
    worker.on('message', (reply: SolveReply) => {
      if ('ready' in reply) {
        ready = true;
        return;
      }
      if (this.worker !== worker || !this.current) return;
      const job = this.current;
      if ('error' in reply) {
        // Its last reply: the worker is ending, the next solve gets a fresh one.
        this.worker = undefined;
        worker.unref();
        this.settle(job, () => job.reject(reply.error));
      } else {
        this.settle(job, () => job.resolve(reply.cycles));
      }
    });
    // A reply that cannot be deserialised here: the worker itself is idle and well.
    worker.on('messageerror', (err) => {
      const job = this.current;
      if (this.worker === worker && job) this.settle(job, () => job.reject(err));
    });
    // An uncaught error ends the worker: 'exit' follows, and rejects with it.
    worker.on('error', (err) => (failure = err));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!ready && !this.closed) {
        this.fallBack(failure ?? new Error(`exit code ${code}`));
        return;
      }
      const job = this.current;
      if (!job) return;
      const reason =
        failure ??
        (this.closed
          ? new SolverClosedError()
          : new Error(`swap solver worker stopped (exit code ${code})`));
      this.settle(job, () => job.reject(reason));
    });
    return worker;
  }

  /** No worker could start: this solve and every later one run on the event loop. */
  private fallBack(err: unknown): void {
    this.inline = true;
    this.log?.warn({ err }, 'swap solver worker could not start; solving on the event loop');
    const jobs = [...(this.current ? [this.current] : []), ...this.queue.splice(0)];
    this.current = undefined;
    for (const job of jobs) solveCycles(job.input).then(job.resolve, job.reject);
  }

  private settle(job: Job, outcome: () => void): void {
    this.current = undefined;
    this.worker?.unref();
    outcome();
    this.next();
  }
}
