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
import { RedisProcess, sleep, startServer, type ServerProcess } from '../support/processes';
import { replayDifferences } from '../support/replay';

/**
 * A server instance killed with SIGKILL while clients are connected and changes flow
 * (issue 12, faults): its clients reconnect to the other instance, resuming from the seq they
 * hold, and converge; after a restart clients reconnect to it as well. Whatever the killed
 * instance committed is in the table, and the survivor delivers it (catch-up).
 */

let backend: TestBackend;
let base: DatabaseState;
let redis: RedisProcess;
let env: Record<string, string>;
let servers: ServerProcess[] = [];
let clients: Watcher[] = [];

beforeAll(async () => {
  backend = await createBackend();
  base = await readDatabaseState(backend.database);
  redis = await RedisProcess.start();
  env = serverEnv(backend, redis.url);
  servers = await startServers(['kill-a', 'kill-b'], env);
  clients = await watchers(() => servers);
});
afterAll(async () => {
  for (const c of clients) c.client.stop();
  for (const s of servers) s.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.exit));
  await redis?.stop();
  await backend?.close();
});

describe('an instance killed with SIGKILL', () => {
  it('has its clients reconnect and converge, on the survivor and on the restarted instance', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const { cookie, user } = await httpLogin(b.baseUrl, 'vo_worker');
    const all = (await http<Unit[]>(b.baseUrl, '/api/units', { cookie })).body;
    const own = all.filter((u) => u.organisationId === user.organisationId);
    const stream = changeStream(() => servers, cookie, own.slice(0, 6));
    await sleep(1500);

    const onA = clients.filter((c) => c.client.connected && c.client.closeCodes.length === 0);
    a.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exit;
    servers = [b];
    await sleep(2000);
    const convergedOnB = await waitForConvergence(
      backend.database,
      clients.map((c) => ({ name: c.name, viewer: c.viewer, view: c.client.state })),
      30_000,
    );
    const sinceKill = Date.now() - killedAt;
    const reconnected = clients.filter((c) => c.client.reconnects > 0).length;

    // A is started again on the same port; half the clients are sent to it.
    const restarted = await startServer('kill-a2', env, { port: a.port });
    servers = [b, restarted];
    for (const c of clients.slice(0, Math.ceil(clients.length / 2))) {
      c.client.reconnect(restarted.wsUrl);
    }
    await sleep(1500);
    const stats = await stream.stop();
    const convergedAfterRestart = await waitForConvergence(
      backend.database,
      clients.map((c) => ({ name: c.name, viewer: c.viewer, view: c.client.state })),
      30_000,
    );
    const onRestarted = (await http<string>(restarted.baseUrl, '/metrics')).body.match(
      /^opvangatlas_live_clients (\d+)/m,
    )?.[1];

    console.info(
      `SIGKILL: ${stats.ok} changes (failed ${JSON.stringify(stats.failed)}), ${clients.length} clients ` +
        `(${onA.length} connected at the kill); ${reconnected} reconnected to the survivor; all equal to the database ` +
        `${sinceKill} ms after the kill (check ${convergedOnB} ms); after the restart ${onRestarted} clients on it, ` +
        `all equal ${convergedAfterRestart} ms after the last change; resyncs ${clients.reduce((n, c) => n + c.client.gaps, 0)}`,
    );
    expect(reconnected).toBeGreaterThanOrEqual(clients.length / 2);
    expect(Number(onRestarted)).toBeGreaterThan(0);
    for (const c of clients) expect(c.client.wentBackwards, c.name).toBe(0);
    const state = await readDatabaseState(backend.database);
    for (const [unitId, versions] of stats.versions) {
      expect(state.units.find((u) => u.id === unitId)!.version).toBeGreaterThanOrEqual(
        Math.max(...versions),
      );
    }
    expect(await replayDifferences(backend.database, base)).toEqual([]);
  });
});
