import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgliteWorker, type PgliteWorker } from './pglite-proxy';

let pg: PgliteWorker;
beforeAll(async () => {
  pg = await startPgliteWorker();
  await pg.exec(`create table t (id int primary key, note text)`);
}, 60_000);
afterAll(async () => {
  await pg?.close();
});

const ids = async (on: Pick<PgliteWorker, 'query'> = pg) =>
  (await on.query<{ id: number }>('select id from t order by id')).rows.map((r) => r.id);

describe('PGlite in a worker thread', () => {
  it('answers rows as drizzle asks for them, its parsers applied by type', async () => {
    const res = await pg.query<unknown[]>(
      `select 1::int as n, '2026-01-02 03:04:05+00'::timestamptz as at, '{"a":1}'::jsonb as j`,
      [],
      { rowMode: 'array', parsers: { 1184: (text: string) => `text:${text}` } },
    );
    expect(res.rows).toEqual([[1, 'text:2026-01-02 03:04:05+00', { a: 1 }]]);
    expect(res.fields.map((f) => f.name)).toEqual(['n', 'at', 'j']);
  });

  it('commits a transaction and rolls one back when its callback throws', async () => {
    await pg.query('delete from t');
    await pg.transaction(async (tx) => {
      await tx.query('insert into t values ($1, $2)', [1, 'a']);
      expect(await ids(tx)).toEqual([1]);
    });
    const failure = new Error('changed my mind');
    await expect(
      pg.transaction(async (tx) => {
        await tx.query('insert into t values (2)');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await ids()).toEqual([1]);
  });

  it("fails a statement with Postgres's error fields, and the transaction rolls back", async () => {
    await pg.query('delete from t');
    await pg.query('insert into t values (1)');
    const err = await pg
      .transaction(async (tx) => {
        await tx.query('insert into t values (2)');
        await tx.query('insert into t values (1)');
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: '23505', constraint: 't_pkey', detail: expect.any(String) });
    expect((err as Error).constructor.name).toBe('DatabaseError');
    expect(await ids()).toEqual([1]);
  });

  it('prepares the statements of transactions once, with the types and parsers of query()', async () => {
    await pg.query('delete from t');
    const at = new Date('2026-11-24T03:00:00Z');
    const select = `select id, note, $2::timestamptz as at, $3::jsonb as j, $4::text[] as tags
      from t where id = $1`;
    for (const id of [1, 2, 3]) {
      const rows = await pg.transaction(async (tx) => {
        await tx.query('insert into t values ($1, $2)', [id, `n${id}`]);
        return (await tx.query(select, [id, at, { id }, ['a', `b${id}`]])).rows;
      });
      expect(rows).toEqual([{ id, note: `n${id}`, at, j: { id }, tags: ['a', `b${id}`] }]);
    }
    // A statement that fails leaves the statement usable and the transaction rolled back.
    await expect(
      pg.transaction((tx) => tx.query('insert into t values ($1, $2)', [1, 'again'])),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await ids()).toEqual([1, 2, 3]);
  });

  it('runs savepoints and settings of a transaction, and fails a bad one with its code', async () => {
    await pg.query('delete from t');
    const setting = await pg.transaction(async (tx) => {
      await tx.query('set local lock_timeout = 123');
      await tx.query('savepoint one');
      await tx.query('insert into t values ($1)', [1]);
      await tx.query('rollback to savepoint one');
      await tx.query('insert into t values ($1)', [2]);
      return (await tx.query<{ lock_timeout: string }>('show lock_timeout')).rows;
    });
    expect(setting).toEqual([{ lock_timeout: '123ms' }]);
    expect(await ids()).toEqual([2]);
    await expect(
      pg.transaction((tx) => tx.query('rollback to savepoint never_taken')),
    ).rejects.toMatchObject({ code: '3B001', query: 'rollback to savepoint never_taken' });
    // Never two statements in one string, as query() refuses them.
    await expect(
      pg.transaction((tx) => tx.query('set local lock_timeout = 5; delete from t')),
    ).rejects.toMatchObject({ code: '42601' });
    expect(await ids()).toEqual([2]);
    // Telling statements apart takes linear time, whatever comments lead them (a pattern
    // that backtracked took seconds at 25 comments, minutes at 40: the test's timeout).
    const one = await pg.transaction((tx) => tx.query('/**/ '.repeat(40) + 'select 1 as one'));
    expect(one.rows).toEqual([{ one: 1 }]);
  });

  it('plans a prepared statement again after the schema changed under it', async () => {
    await pg.exec('create table s (id int primary key, v int)');
    await pg.query('insert into s values (1, 7)');
    const read = (tx: Pick<PgliteWorker, 'query'>) =>
      tx.query<{ id: number; v: unknown }>('select * from s where id = $1', [1]);
    const v = async () => (await pg.transaction(read)).rows[0]!.v;
    expect(await v()).toBe(7);
    // With the old plan Postgres would refuse: "cached plan must not change result type".
    await pg.exec('-- a migration\nalter table s alter column v type text');
    expect(await v()).toBe('7');
    // Prepared inside a transaction whose schema change then rolls back.
    await expect(
      pg.transaction(async (tx) => {
        await tx.query('alter table s alter column v type int using v::int');
        expect((await read(tx)).rows[0]!.v).toBe(7);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await v()).toBe('7');
    // Prepared by a transaction while a schema change waits for it to end.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const open = pg.transaction(async (tx) => {
      await gate;
      return (await read(tx)).rows[0]!.v;
    });
    const change = pg.exec('alter table s alter column v type bigint using v::bigint');
    release();
    expect(await open).toBe('7');
    await change;
    expect(await v()).toBe(7);
    // A change this cache cannot see (DDL inside a function): one statement fails, no more.
    await pg.exec(`create function retype() returns void language plpgsql as
      $$ begin execute 'alter table s alter column v type text'; end $$`);
    expect(await v()).toBe(7);
    await pg.query('select retype()');
    await expect(v()).rejects.toMatchObject({ code: '0A000' });
    expect(await v()).toBe('7');
    await pg.exec('drop table s; drop function retype()');
  });

  it('runs concurrent transactions one after the other; a query outside waits for the commit', async () => {
    await pg.query('delete from t');
    const order: string[] = [];
    const one = (id: number) =>
      pg.transaction(async (tx) => {
        order.push(`${id} read ${(await ids(tx)).length}`);
        await tx.query('insert into t values ($1)', [id]);
        order.push(`${id} wrote`);
      });
    let outsideDone = false;
    const a = one(1);
    const b = one(2);
    const outside = ids().then((seen) => ((outsideDone = true), seen));
    await a;
    expect(outsideDone).toBe(false);
    await b;
    expect(order).toEqual(['1 read 0', '1 wrote', '2 read 1', '2 wrote']);
    expect(await outside).toEqual([1, 2]);
  });

  it('dumps its data directory, and another starts from that image', async () => {
    await pg.query('delete from t');
    await pg.query(`insert into t values (7, 'kept')`);
    const copy = await startPgliteWorker({ image: await pg.dumpDataDir() });
    try {
      expect((await copy.query('select id, note from t')).rows).toEqual([{ id: 7, note: 'kept' }]);
    } finally {
      await copy.close();
    }
    await expect(copy.query('select 1')).rejects.toMatchObject({ code: '08006' });
  });

  it('closes with a transaction still open, rolling it back', async () => {
    const closing = await startPgliteWorker({ image: await pg.dumpDataDir() });
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    const stuck = closing.transaction(async (tx) => {
      await tx.query(`insert into t values (99, 'never')`);
      inside();
      await new Promise(() => {}); // a change that never finishes
    });
    await entered;
    await closing.close();
    void stuck;
    await expect(closing.query('select 1')).rejects.toMatchObject({ code: '08006' });
  });

  it('fails what waits, and what comes later, when the thread dies, as a lost connection', async () => {
    // From an image: a second initdb would take seconds.
    const doomed = await startPgliteWorker({ image: await pg.dumpDataDir() });
    const waiting = doomed.query('select pg_sleep(5)');
    await doomed.terminate();
    await expect(waiting).rejects.toMatchObject({ code: '08006' });
    await expect(doomed.query('select 1')).rejects.toMatchObject({ code: '08006' });
    await doomed.close();
  });
});
