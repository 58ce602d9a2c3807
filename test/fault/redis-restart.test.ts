import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Unit } from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { readDatabaseState, waitForConvergence, type DatabaseState } from '../support/convergence';
import {
  changeStream,
  http,
  httpLogin,
  serverEnv,
  startServers,
  watchers,
  type Watcher,
} from '../support/fault-cluster';
import { RedisProcess, sleep, type ServerProcess } from '../support/processes';
import { replayDifferences } from '../support/replay';

/**
 * Redis stopped and started again while changes stream through two server processes
 * (issue 12, faults). Writes never wait for Redis; while it is gone each instance finds the
 * other's changes with its 5 s catch-up poll, and when it is back every instance catches up
 * at once. Every client converges to the database, nothing lost, nothing applied twice.
 */

let backend: TestBackend;
let base: DatabaseState;
let redis: RedisProcess;
let servers: ServerProcess[] = [];
let clients: Watcher[] = [];

beforeAll(async () => {
  backend = await createBackend();
  base = await readDatabaseState(backend.database);
  redis = await RedisProcess.start();
  servers = await startServers(['redis-a', 'redis-b'], serverEnv(backend, redis.url));
  clients = await watchers(() => servers);
});
afterAll(async () => {
  for (const c of clients) c.client.stop();
  for (const s of servers) s.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.exit));
  await redis?.stop();
  await backend?.close();
});

/** Milliseconds until a change made on `from` is seen by a client connected to `to`. */
async function crossLatency(from: ServerProcess, cookie: string, unit: Unit, watcher: Watcher) {
  const current = (
    await http<Unit[]>(from.baseUrl, `/api/units?regionId=${unit.regionId}`, { cookie })
  ).body.find((u) => u.id === unit.id)!;
  const started = Date.now();
  const res = await http<Unit>(from.baseUrl, `/api/units/${unit.id}`, {
    method: 'PATCH',
    cookie,
    body:
      current.status === 'free'
        ? { version: current.version, status: 'out_of_service' }
        : { version: current.version, status: 'free' },
  });
  expect(res.status).toBe(200);
  await watcher.client.waitFor(
    () => (watcher.client.state.units.get(unit.id)?.version ?? 0) >= res.body.version,
    20_000,
    'the change',
  );
  return Date.now() - started;
}

describe('Redis stopped and restarted during a stream of changes', () => {
  it('loses nothing, applies nothing twice, and every client converges after Redis is back', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const { cookie, user } = await httpLogin(a.baseUrl, 'vo_worker');
    const all = (await http<Unit[]>(a.baseUrl, '/api/units', { cookie })).body;
    const own = all.filter((u) => u.organisationId === user.organisationId);
    const stream = changeStream(() => servers, cookie, own.slice(0, 6));
    // A client on A watching changes made through B.
    const onA = clients.find((c) => c.name === 'vo_worker#0')!;
    const probe = own[10]!;
    const latency = { before: [] as number[], down: [] as number[], after: [] as number[] };

    for (let i = 0; i < 3; i++) latency.before.push(await crossLatency(b, cookie, probe, onA));
    await redis.stop();
    const stoppedAt = Date.now();
    for (let i = 0; i < 3; i++) latency.down.push(await crossLatency(b, cookie, probe, onA));
    const downReady = await http<{ status: string }>(a.baseUrl, '/api/ready');
    await sleep(Math.max(0, 4000 - (Date.now() - stoppedAt)));
    await redis.start();
    const backAt = Date.now();
    await sleep(1000);
    const stats = await stream.stop();
    const converged = await waitForConvergence(
      backend.database,
      clients.map((c) => ({ name: c.name, viewer: c.viewer, view: c.client.state })),
      30_000,
    );
    const sinceBack = Date.now() - backAt;
    for (let i = 0; i < 3; i++) latency.after.push(await crossLatency(b, cookie, probe, onA));

    const state = await readDatabaseState(backend.database);
    console.info(
      `Redis restart: ${stats.ok} changes (${stats.conflicts} conflicts, failed ${JSON.stringify(stats.failed)}) ` +
        `through 2 instances to ${clients.length} clients; Redis down ${backAt - stoppedAt} ms; ` +
        `all clients equal to the database ${sinceBack} ms after Redis was back (${converged} ms after the last change); ` +
        `change on B seen on A: before ${latency.before.join('/')} ms, Redis down ${latency.down.join('/')} ms, after ${latency.after.join('/')} ms; ` +
        `ready while down: ${downReady.status}; ` +
        `resyncs ${clients.reduce((n, c) => n + c.client.gaps, 0)}, duplicate frames skipped ${clients.reduce((n, c) => n + c.client.skipped, 0)}`,
    );
    // Writes never waited for Redis, and none failed.
    expect(stats.failed).toEqual({});
    expect(stats.ok).toBeGreaterThan(20);
    // Readiness said so while Redis was gone.
    expect(downReady.status).toBe(503);
    // Nothing applied twice: every client's state only ever moved forward.
    for (const c of clients) expect(c.client.wentBackwards, c.name).toBe(0);
    // Nothing lost: every change the writer was told about is in the database, once.
    for (const [unitId, versions] of stats.versions) {
      expect(new Set(versions).size).toBe(versions.length);
      expect(state.units.find((u) => u.id === unitId)!.version).toBeGreaterThanOrEqual(
        Math.max(...versions),
      );
    }
    expect(await replayDifferences(backend.database, base)).toEqual([]);
  });
});
