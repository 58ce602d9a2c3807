import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, units } from '@opvangatlas/db';
import type { Unit } from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { readDatabaseState, waitForConvergence, type DatabaseState } from '../support/convergence';
import {
  changeStream,
  http,
  httpLogin,
  serverEnv,
  watchers,
  type Watcher,
} from '../support/fault-cluster';
import {
  freePort,
  RedisProcess,
  sleep,
  startServer,
  TcpRelay,
  viaPort,
  type ServerProcess,
} from '../support/processes';
import { replayDifferences } from '../support/replay';

/**
 * Postgres unreachable under a running server process (issue 12, faults): the process reaches
 * Postgres through a TCP relay the test cuts. The API answers 503 quickly, writes in flight
 * are rolled back whole, the live stream says so (a heartbeat with the status, at once), and
 * when Postgres is back everything recovers by itself: requests, the stream, and the hold
 * expiry timer, which releases the holds that ran out meanwhile. A process cannot start
 * without its database: it says so in one line and exits.
 */

let backend: TestBackend;
let base: DatabaseState;
let redis: RedisProcess;
let relay: TcpRelay;
let server: ServerProcess;
let clients: Watcher[] = [];

beforeAll(async () => {
  backend = await createBackend();
  base = await readDatabaseState(backend.database);
  redis = await RedisProcess.start();
  const url = new URL(backend.config.databaseUrl!);
  relay = new TcpRelay({ host: url.hostname, port: Number(url.port || 5432) });
  const port = await relay.start('forward');
  server = await startServer(
    'pg-down',
    serverEnv(backend, redis.url, { DATABASE_URL: viaPort(backend.config.databaseUrl!, port) }),
  );
  clients = await watchers(() => [server]);
});
afterAll(async () => {
  for (const c of clients) c.client.stop();
  server?.kill('SIGKILL');
  await server?.exit;
  await relay?.stop();
  await redis?.stop();
  await backend?.close();
});

const statusesOf = (w: Watcher) => w.client.heartbeats.map((h) => h.status);

describe('Postgres unreachable', () => {
  it('answers 503 quickly, writes nothing half, says so on the stream, and recovers by itself', async () => {
    const { cookie, user } = await httpLogin(server.baseUrl, 'vo_worker');
    const all = (await http<Unit[]>(server.baseUrl, '/api/units', { cookie })).body;
    const own = all.filter((u) => u.organisationId === user.organisationId);
    // A hold that runs out while Postgres is away (the table's end time is brought forward:
    // five minutes is the shortest hold a user can ask for).
    const target = all.find(
      (u) => u.organisationId !== user.organisationId && u.status === 'free',
    )!;
    const held = await http<Unit>(server.baseUrl, `/api/units/${target.id}/hold`, {
      method: 'POST',
      cookie,
    });
    expect(held.status).toBe(200);
    await backend.database.db
      .update(units)
      .set({ heldUntil: sql`now() + interval '2 seconds'` })
      .where(eq(units.id, target.id));

    const stream = changeStream(() => [server], cookie, own.slice(0, 4), 20);
    // A session used in the last seconds is answered from memory (SESSION_CACHE_MS); one
    // not looked up yet needs the database.
    const unseen = (await httpLogin(server.baseUrl, 'vo_planner')).cookie;
    await sleep(1000);
    await relay.stop();
    const cutAt = Date.now();

    const during: Record<string, { status: number; ms: number }> = {};
    for (const [name, path, method, body] of [
      ['GET /api/units', '/api/units', 'GET', undefined],
      ['GET /api/session', '/api/session', 'GET', undefined],
      ['PATCH /api/units/:id', `/api/units/${own[5]!.id}`, 'PATCH', { version: 1, status: 'free' }],
      ['POST /api/units/:id/hold', `/api/units/${target.id}/hold`, 'POST', undefined],
    ] as const) {
      const res = await http<{ error: string; message: string }>(server.baseUrl, path, {
        method,
        cookie: name === 'GET /api/session' ? unseen : cookie,
        body,
      });
      during[name] = { status: res.status, ms: res.ms };
      expect(res.status, name).toBe(503);
      expect(res.body.error).toBe('unavailable');
      expect(res.body.message).toMatch(/database/i);
    }
    const login = await http(server.baseUrl, '/api/session', {
      method: 'POST',
      body: { email: 'vo_planner@demo.opvangatlas.nl', password: 'demo' },
    });
    expect(login.status).toBe(503);
    const health = await http<{ database: { ok: boolean } }>(server.baseUrl, '/api/health');
    const ready = await http(server.baseUrl, '/api/ready');
    expect(health.status).toBe(200); // alive: no reason to restart the process
    expect(health.body.database.ok).toBe(false);
    expect(ready.status).toBe(503); // but no traffic, please

    // The stream says so, at once when the hub's poll notices (every 5 s).
    await Promise.all(
      clients.map((c) =>
        c.client.waitFor(
          () => statusesOf(c).includes('database_unavailable'),
          15_000,
          'a heartbeat saying the database is unavailable',
        ),
      ),
    );
    const toldMs = Date.now() - cutAt;
    // Long enough for the hold to run out and for several failed sweeps.
    await sleep(Math.max(0, 4000 - (Date.now() - cutAt)));

    const downMs = Date.now() - cutAt;
    await relay.start('forward');
    const backAt = Date.now();
    let firstOk = 0;
    for (;;) {
      const res = await http(server.baseUrl, '/api/units', { cookie });
      if (res.status === 200) {
        firstOk = Date.now() - backAt;
        break;
      }
      await sleep(100);
    }
    await Promise.all(
      clients.map((c) =>
        c.client.waitFor(() => statusesOf(c).at(-1) === 'ok', 15_000, 'a heartbeat saying ok'),
      ),
    );
    const streamOkMs = Date.now() - backAt;
    // The expiry timer catches up: the hold that ran out meanwhile is released.
    const coordinator = clients.find((c) => c.name.startsWith('coordinator'))!;
    await coordinator.client.waitFor(
      () => coordinator.client.state.units.get(target.id)?.status === 'free',
      15_000,
      'the expired hold released',
    );
    const expiredMs = Date.now() - backAt;
    const stats = await stream.stop();
    const converged = await waitForConvergence(
      backend.database,
      clients.map((c) => ({ name: c.name, viewer: c.viewer, view: c.client.state })),
      30_000,
    );
    const [expiry] = await backend.database.db
      .select()
      .from(events)
      .where(eq(events.unitId, target.id))
      .orderBy(sql`${events.seq} desc`)
      .limit(1);
    expect(expiry).toMatchObject({ type: 'unit.hold_expired', actorUserId: null });

    console.info(
      `Postgres unreachable ${downMs} ms: ${Object.entries(during)
        .map(([k, v]) => `${k} ${v.status} in ${v.ms} ms`)
        .join(
          ', ',
        )}, login 503 in ${login.ms} ms; health 200 (database ok=false), ready ${ready.status}; ` +
        `clients told ${toldMs} ms after the cut; after Postgres returned: API 200 in ${firstOk} ms, ` +
        `stream ok in ${streamOkMs} ms, expired hold released in ${expiredMs} ms; ` +
        `writer ${stats.ok} ok, ${stats.conflicts} conflicts, failed ${JSON.stringify(stats.failed)}; ` +
        `all clients equal ${converged} ms after the last change`,
    );
    // No request hung: every answer during the outage within the pool's 2 s connect timeout.
    for (const v of Object.values(during)) expect(v.ms).toBeLessThan(10_000);
    // Nothing half written: the events table replays to exactly the tables.
    expect(await replayDifferences(backend.database, base)).toEqual([]);
  });

  it('answers 503 when Postgres accepts connections but never answers, and recovers', async () => {
    const { cookie } = await httpLogin(server.baseUrl, 'coordinator');
    await relay.stop();
    await relay.start('silent');
    const res = await http(server.baseUrl, '/api/units', { cookie });
    expect(res.status).toBe(503);
    await relay.stop();
    await relay.start('forward');
    let back = 0;
    for (let i = 0; i < 100 && back !== 200; i++) {
      back = (await http(server.baseUrl, '/api/units', { cookie })).status;
      if (back !== 200) await sleep(100);
    }
    console.info(
      `Postgres frozen: GET /api/units 503 in ${res.ms} ms; serves again after it returns`,
    );
    expect(back).toBe(200);
  });

  it('does not start without its database: one line, exit code 1', async () => {
    const closed = await freePort();
    const started = Date.now();
    const failed = await startServer(
      'no-db',
      serverEnv(backend, redis.url, { DATABASE_URL: viaPort(backend.config.databaseUrl!, closed) }),
      { waitMs: 30_000 },
    ).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failed).toMatch(/exited at start/);
    expect(failed).toMatch(/Cannot start: opening and migrating the database failed/);
    console.info(
      `start without Postgres: exits in ${Date.now() - started} ms with "${failed!.split('\n').find((l) => l.includes('Cannot start'))}"`,
    );
  });
});
