import { sql } from 'drizzle-orm';
import type { Database, Tx } from '@opvangatlas/db';
import type { Bus } from '../../live/bus';
import type { LiveEvent, NewEvent } from '../../live/live-event';
import { appendEvents } from './event-repository';

/** What a transition gets: the transaction, one clock for the whole change, and `emit`. */
export interface ChangeContext {
  readonly tx: Tx;
  readonly now: Date;
  /** Records an event; appended with the transaction and published after its commit. */
  emit(event: NewEvent): void;
}

type Work<T> = (ctx: ChangeContext) => Promise<T>;

interface Job {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  /** Runs in a transaction of its own (again, after its shared one lost a race or failed). */
  alone?: boolean;
}

export interface ChangeRunnerOptions {
  clock?: () => Date;
  /**
   * Transactions in flight at once on this instance; changes that arrive meanwhile wait and
   * share the next. Below the pool size (10), so reads always find a connection.
   */
  concurrency?: number;
  /** Most changes in one transaction. */
  maxBatch?: number;
  /** How long a change in a shared transaction waits for a row lock before it is run alone. */
  lockWaitMs?: number;
}

/** Postgres error codes that say "this change lost a race for a lock", not "this change is wrong". */
const LOCK_LOST = new Set(['55P03', '40P01', '40001']);
/** The connection or the server failed (class 08, shutdown 57P0x): running again would fail too. */
const connectionLost = (code: string | undefined) =>
  code === undefined || code.startsWith('08') || code.startsWith('57P0');

function pgCode(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * The one way a change flows (CONVENTIONS.md, point 4). Transitions are functions on a
 * ChangeContext (hold a unit, accept an offer, ...), so one service can compose several in
 * one transaction. The events are appended at the end, under the seq lock, and only after
 * commit published as one bus message: every client gets the whole change in one frame.
 * Publishing never holds the answer: the events table already makes a late message safe.
 *
 * Group commit: the seq lock is held through the commit, so commits cannot overlap and each
 * pays its own WAL flush (measured with pgbench here: 450-690 such transactions/s with the
 * lock, 2,800 without). When `concurrency` transactions are already in flight, the changes
 * that arrive meanwhile wait and then run together in one transaction, each in a savepoint:
 * one lock, one flush for all. A change that fails rolls back to its savepoint and fails
 * alone; the others commit. Changes in one transaction run one after the other, so they see
 * each other as if committed in turn; seq order is their order.
 *
 * Each change locks its rows in a fixed order, so one change cannot deadlock with another;
 * two shared transactions, each holding the locks of earlier changes, could. So a change in a
 * shared transaction waits at most `lockWaitMs` for a row lock, and if it loses it is run
 * again alone after its transaction, where it waits as long as it needs.
 */
export class ChangeRunner {
  private readonly clock: () => Date;
  private readonly concurrency: number;
  private readonly maxBatch: number;
  private readonly lockWaitMs: number;
  private readonly queue: Job[] = [];
  private inFlight = 0;

  constructor(
    private readonly database: Database,
    private readonly bus: Bus,
    opts: ChangeRunnerOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    // Postgres keeps 64 subtransactions per backend in shared memory before it spills (and
    // slows every snapshot in the cluster); a change may open a savepoint of its own.
    this.maxBatch = Math.max(1, opts.maxBatch ?? 24);
    this.lockWaitMs = Math.max(1, Math.round(opts.lockWaitMs ?? 200));
  }

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      let size = 1;
      if (!this.queue[0]!.alone)
        while (size < this.maxBatch && size < this.queue.length && !this.queue[size]!.alone)
          size += 1;
      const batch = this.queue.splice(0, size);
      this.inFlight += 1;
      // commit settles every job itself; this only guards against a bug leaving one waiting.
      void this.commit(batch)
        .catch((err: unknown) => batch.forEach((job) => job.reject(err)))
        .finally(() => {
          this.inFlight -= 1;
          this.next();
        });
    }
  }

  /** Back to the head of the queue, each to run in a transaction of its own. */
  private again(jobs: Job[]): void {
    this.queue.unshift(...jobs.map((job) => ({ ...job, alone: true })));
  }

  private async commit(batch: Job[]): Promise<void> {
    if (batch.length === 1) return this.alone(batch[0]!);
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    let committed: LiveEvent[] = [];
    // The callback ran. (Through the PGlite worker that can be before BEGIN answered; a failed
    // BEGIN then fails the statements with an error without a code: a lost connection.)
    let began = false;
    let bodyDone = false;
    try {
      await this.database.db.transaction(async (tx) => {
        began = true;
        const pending: NewEvent[] = [];
        await tx.execute(sql.raw(`set local lock_timeout = ${this.lockWaitMs}`));
        for (const [i, job] of batch.entries()) {
          const mine: NewEvent[] = [];
          const now = this.clock();
          // Not released after the change: a release is a round trip, and rolling back to
          // this savepoint still undoes this change only (the later ones have not run yet).
          await tx.execute(sql.raw(`savepoint change_${i}`));
          try {
            const value = await job.work({ tx, now, emit: (e) => void mine.push(e) });
            pending.push(...mine);
            outcomes.push({ ok: true, value });
          } catch (err) {
            await tx.execute(sql.raw(`rollback to savepoint change_${i}`));
            outcomes.push({ ok: false, err });
          }
        }
        // The seq lock may be waited for as long as the other instances' commits take.
        await tx.execute(sql.raw('set local lock_timeout to default'));
        committed = await appendEvents(tx, pending);
        bodyDone = true;
      });
    } catch (err) {
      // Failed before COMMIT was sent, with the database still answering: nothing of it was
      // written, and the change that broke it is among them; each runs again alone.
      // No connection, or failed in COMMIT (written or not is unknown): nothing runs twice.
      if (began && !bodyDone && !connectionLost(pgCode(err))) this.again(batch);
      else for (const job of batch) job.reject(err);
      return;
    }
    this.publish(committed);
    const retry: Job[] = [];
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else if (LOCK_LOST.has(pgCode(outcome.err) ?? '')) retry.push(job);
      else job.reject(outcome.err);
    });
    this.again(retry);
  }

  /** A lost bus message only delays the change: the hubs read it from the events table. */
  private publish(events: LiveEvent[]): void {
    if (events.length === 0) return;
    try {
      this.bus.publish({ kind: 'events', events });
    } catch {
      // Bus.publish is documented never to throw; a subscriber's bug must not strand the writers.
    }
  }

  /** One change in its own transaction, as every change ran before group commit. */
  private async alone(job: Job): Promise<void> {
    let committed: LiveEvent[] = [];
    const now = this.clock();
    try {
      const value = await this.database.db.transaction(async (tx) => {
        const pending: NewEvent[] = [];
        const result = await job.work({ tx, now, emit: (e) => void pending.push(e) });
        committed = await appendEvents(tx, pending);
        return result;
      });
      this.publish(committed);
      job.resolve(value);
    } catch (err) {
      job.reject(err);
    }
  }
}
