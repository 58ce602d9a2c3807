import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, units, type Database } from '@opvangatlas/db';
import { createMemoryBus } from '../../server/src/live/bus';
import type { LiveEvent, NewEvent } from '../../server/src/live/live-event';
import { appendEvents, EVENT_APPEND_LOCK } from '../../server/src/modules/events/event-repository';
import { ChangeRunner, type ChangeContext } from '../../server/src/modules/events/change-runner';
import { createBackend, type TestBackend } from '../support/backend';

/**
 * Group commit (change-runner.ts): changes that queue behind the transactions in flight share
 * one transaction, each in a savepoint; what fails, fails alone.
 */
let backend: TestBackend;
let published: LiveEvent[][];
let runner: ChangeRunner;

const ping = (n: number, actorUserId: number | null = null): NewEvent => ({
  type: 'test.ping',
  actorUserId,
  organisationId: null,
  regionId: null,
  audience: { roles: [], organisationIds: [], regionIds: [] },
  data: { n },
});
const pinged = (e: LiveEvent) => (e.data as { n: number }).n;
const allPublished = () => published.flat();

/** A change that writes a row (so it has something to roll back) and emits one event. */
const touch = (n: number, unitId: number) => async (ctx: ChangeContext) => {
  await ctx.tx
    .update(units)
    .set({ since: ctx.now })
    .where(sql`${units.id} = ${unitId}`);
  ctx.emit(ping(n));
  return n;
};

let unitIds: number[];

beforeAll(async () => {
  backend = await createBackend();
  const bus = createMemoryBus();
  bus.subscribe((msg) => {
    if (msg.kind === 'events') published.push(msg.events);
  });
  runner = new ChangeRunner(backend.database, bus);
  unitIds = (await backend.database.db.select({ id: units.id }).from(units).limit(60)).map(
    (u) => u.id,
  );
});
afterAll(async () => {
  await backend?.close();
});

describe('group commit', () => {
  it('runs changes that queue up in shared transactions, in order, each once', async () => {
    published = [];
    const calls = new Array<number>(40).fill(0);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        runner.run((ctx) => {
          calls[n]! += 1;
          return touch(n, unitIds[n]!)(ctx);
        }),
      ),
    );
    expect(calls).toEqual(new Array<number>(40).fill(1));
    expect(results).toEqual(Array.from({ length: 40 }, (_, n) => n));
    const events = allPublished();
    expect(events.map(pinged).sort((a, b) => a - b)).toEqual(results);
    // Seq order is publish order, and within a transaction the order the changes ran.
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const batch of published)
      expect(batch.map(pinged)).toEqual([...batch.map(pinged)].sort((a, b) => a - b));
    // Four transactions start at once; the other 36 changes wait and share the next ones.
    expect(published.length).toBeLessThan(10);
    expect(published.some((batch) => batch.length > 1)).toBe(true);
  });

  it('fails a change alone: its events and rows are rolled back, the others commit', async () => {
    published = [];
    const unitId = unitIds[50]!;
    const [before] = await backend.database.db
      .select({ since: units.since })
      .from(units)
      .where(sql`${units.id} = ${unitId}`);
    const runs = Array.from({ length: 12 }, (_, n) =>
      runner.run(async (ctx) => {
        if (n !== 7) return touch(n, unitIds[n]!)(ctx);
        await touch(n, unitId)(ctx);
        throw new Error('refused');
      }),
    );
    const settled = await Promise.allSettled(runs);
    expect(settled.filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([
      'Error: refused',
    ]);
    expect((settled[7] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(
      allPublished()
        .map(pinged)
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11]);
    const [after] = await backend.database.db
      .select({ since: units.since })
      .from(units)
      .where(sql`${units.id} = ${unitId}`);
    expect(after!.since).toEqual(before!.since);
  });

  it('fails a change whose statement fails alone, inside a shared transaction', async () => {
    published = [];
    const runs = Array.from({ length: 10 }, (_, n) =>
      runner.run(async (ctx) => {
        if (n === 5) await ctx.tx.execute(sql`select 1 / 0`);
        return touch(n, unitIds[n]!)(ctx);
      }),
    );
    const settled = await Promise.allSettled(runs);
    expect(settled.map((r) => r.status)).toEqual(
      Array.from({ length: 10 }, (_, n) => (n === 5 ? 'rejected' : 'fulfilled')),
    );
    expect(allPublished()).toHaveLength(9);
  });

  it('runs each change alone when the shared transaction cannot append its events', async () => {
    published = [];
    // An event whose actor does not exist breaks the insert of the whole transaction's events.
    const calls = new Array<number>(10).fill(0);
    const runs = Array.from({ length: 10 }, (_, n) =>
      runner.run(async (ctx) => {
        calls[n]! += 1;
        await touch(n, unitIds[n]!)(ctx);
        if (n === 6) ctx.emit(ping(100, 2_000_000_000));
        return n;
      }),
    );
    const settled = await Promise.allSettled(runs);
    expect(settled.map((r) => r.status)).toEqual(
      Array.from({ length: 10 }, (_, n) => (n === 6 ? 'rejected' : 'fulfilled')),
    );
    expect(
      allPublished()
        .map(pinged)
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 3, 4, 5, 7, 8, 9]);
    // The first four ran alone once; the shared transaction's six ran in it, then alone.
    expect(calls).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  });
});

describe('group commit without a database', () => {
  it('fails every change at once, none run twice, when the database is gone', async () => {
    const gone = await openDatabase({ url: backend.config.databaseUrl });
    await gone.close();
    const lost = new ChangeRunner(gone, createMemoryBus());
    const calls = new Array<number>(10).fill(0);
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, n) =>
        lost.run(async (ctx) => {
          calls[n]! += 1;
          return touch(n, unitIds[n]!)(ctx);
        }),
      ),
    );
    expect(settled.map((r) => r.status)).toEqual(new Array<string>(10).fill('rejected'));
    expect(Math.max(...calls)).toBeLessThanOrEqual(1);
  });
});

// A row lock held by another connection: only Postgres has more than one.
describe.runIf(process.env.TEST_BACKEND === 'real')('group commit and row locks', () => {
  let other: Database;
  beforeAll(async () => {
    // Closed with the backend.
    other = await backend.openDatabase();
  });

  it('runs a change that waited too long for a lock in a shared transaction again, alone', async () => {
    published = [];
    const locked = unitIds[55]!;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let lockTaken!: () => void;
    const taken = new Promise<void>((r) => (lockTaken = r));
    const holder = other.db.transaction(async (tx) => {
      await tx.execute(sql`select id from units where id = ${locked} for update`);
      lockTaken();
      await held;
    });
    await taken;
    // Four transactions in flight, so the next ones share one; one of those needs the lock.
    const runs = Array.from({ length: 10 }, (_, n) =>
      runner.run(async (ctx) => {
        if (n === 8)
          await ctx.tx.execute(sql`select id from units where id = ${locked} for update`);
        return touch(n, unitIds[n]!)(ctx);
      }),
    );
    // The others commit while the lock is still held (the shared one gave up after 200 ms).
    await expect.poll(() => allPublished().length, { timeout: 10_000 }).toBe(9);
    expect(allPublished().map(pinged)).not.toContain(8);
    release();
    await holder;
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 10 }, (_, n) => n));
    expect(allPublished().map(pinged).at(-1)).toBe(8);
  });

  it('takes the seq lock before the seq: an insert waiting for the lock gets a later seq', async () => {
    let appendFirst!: () => void;
    const firstMayAppend = new Promise<void>((r) => (appendFirst = r));
    let lockTaken!: () => void;
    const taken = new Promise<void>((r) => (lockTaken = r));
    // The first holds the lock before it has a seq; then appends and commits.
    const first = backend.database.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${EVENT_APPEND_LOCK})`);
      lockTaken();
      await firstMayAppend;
      return (await appendEvents(tx, [ping(1), ping(2)])).map((e) => e.seq);
    });
    await taken;
    let secondSeqs: number[] | undefined;
    const second = other.db
      .transaction((tx) => appendEvents(tx, [ping(3)]))
      .then((events) => (secondSeqs = events.map((e) => e.seq)));
    await new Promise((r) => setTimeout(r, 300));
    expect(secondSeqs).toBeUndefined();
    appendFirst();
    const [firstSeqs] = await Promise.all([first, second]);
    // Had the second drawn its seq before waiting, it would hold the lower one and commit later.
    expect(firstSeqs[1]).toBe(firstSeqs[0]! + 1);
    expect(secondSeqs![0]).toBeGreaterThan(firstSeqs[1]!);
  });
});
