import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CLOSE_RESTART, type Unit } from '@opvangatlas/shared';
import { createRedisBus, type Bus } from '../../server/src/live/bus';
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
import { readAllEvents, replayDifferences } from '../support/replay';
import { TestLiveClient } from '../support/live-client';

/**
 * SIGTERM (issue 12, faults): the instance stops taking connections, tells its websockets to
 * reconnect now (1012, which the web client answers at once, to another instance), lets the
 * requests in flight finish and publish their events, then exits 0. Every event is published
 * once, none is lost. `npm start` hands the signal to the server and exits cleanly as well.
 */

let backend: TestBackend;
let base: DatabaseState;
let redis: RedisProcess;
let env: Record<string, string>;
let servers: ServerProcess[] = [];
let clients: Watcher[] = [];
let subscriber: Bus;
/** Every bus message seen on Redis, as the seqs it carried. */
const published: number[][] = [];

beforeAll(async () => {
  backend = await createBackend();
  base = await readDatabaseState(backend.database);
  redis = await RedisProcess.start();
  // A listener of its own on the bus: it only hears what the instances publish on Redis.
  subscriber = await createRedisBus({
    url: redis.url,
    channelPrefix: backend.config.redisChannelPrefix,
  });
  subscriber.subscribe((msg) => {
    if (msg.kind === 'events') published.push(msg.events.map((e) => e.seq));
  });
  env = serverEnv(backend, redis.url);
  servers = await startServers(['term-a', 'term-b'], env);
  clients = await watchers(() => servers);
});
afterAll(async () => {
  for (const c of clients) c.client.stop();
  for (const s of servers) s.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.exit));
  await subscriber?.close();
  await redis?.stop();
  await backend?.close();
});

/** Waits until a query of the app is blocked on a row lock (the request is in flight). */
async function waitForLockWaiter(owner: pg.Client): Promise<void> {
  // Generous: on a busy machine the request may take a while to get there.
  for (let i = 0; i < 800; i++) {
    const { rows } = await owner.query(
      `select count(*)::int as n from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((rows[0] as { n: number }).n > 0) return;
    await sleep(25);
  }
  // Not seen waiting on the row (in a long run the server may still be busy elsewhere): the
  // caller checks the request is still unanswered, which is what "in flight" needs.
  console.warn('shutdown test: no lock waiter seen after 20 s; the request is still pending');
}

describe('SIGTERM', () => {
  it('finishes requests in flight, tells websockets to reconnect, publishes every event once', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const { cookie, user } = await httpLogin(a.baseUrl, 'vo_worker');
    const all = (await http<Unit[]>(a.baseUrl, '/api/units', { cookie })).body;
    const own = all.filter((u) => u.organisationId === user.organisationId);
    const stream = changeStream(() => servers, cookie, own.slice(0, 4));
    const onA = clients.filter((_c, i) => i % 2 === 0);

    // A request in flight: the unit's row is locked by the test, so A's PATCH waits for it.
    const slow = own.find((u) => u.status === 'free' && !own.slice(0, 4).includes(u))!;
    const owner = new pg.Client({ connectionString: backend.config.databaseUrl });
    owner.on('error', () => {});
    await owner.connect();
    await owner.query('begin');
    await owner.query('select id from units where id = $1 for update', [slow.id]);
    const inFlight = http<Unit>(a.baseUrl, `/api/units/${slow.id}`, {
      method: 'PATCH',
      cookie,
      body: { version: slow.version, status: 'out_of_service' },
      timeoutMs: 30_000,
    });
    await Promise.race([
      waitForLockWaiter(owner),
      inFlight.then((r) => {
        throw new Error(
          `the PATCH did not wait for the lock: ${r.status} ${JSON.stringify(r.body)}`,
        );
      }),
    ]);
    await sleep(300);

    a.kill('SIGTERM');
    const termAt = Date.now();
    // The websockets are told first, while the request still waits.
    await Promise.all(
      onA.map((c) =>
        c.client.waitFor(
          () => c.client.closeCodes.includes(LIVE_CLOSE_RESTART),
          10_000,
          'close 1012',
        ),
      ),
    );
    const toldMs = Date.now() - termAt;
    servers = [b];
    await sleep(1000);
    await owner.query('commit');
    await owner.end();
    const answer = await inFlight;
    const exit = await a.exit;
    const exitMs = Date.now() - termAt;
    await sleep(500);
    const stats = await stream.stop();
    const converged = await waitForConvergence(
      backend.database,
      clients.map((c) => ({ name: c.name, viewer: c.viewer, view: c.client.state })),
      30_000,
    );
    await sleep(300);

    const seqs = published.flat();
    const table = (await readAllEvents(backend.database)).map((e) => e.seq);
    const missing = table.filter((s) => !seqs.includes(s));
    const twice = seqs.filter((s, i) => seqs.indexOf(s) !== i);
    console.info(
      `SIGTERM: in-flight PATCH answered ${answer.status} after the signal; ${onA.length} websockets got 1012 within ${toldMs} ms ` +
        `and reconnected to the other instance; exit ${exit.code} after ${exitMs} ms (the request held it 1 s); ` +
        `writer ${stats.ok} ok, failed ${JSON.stringify(stats.failed)}; ${table.length} events, ${seqs.length} published, ` +
        `${twice.length} twice, ${missing.length} never; all clients equal ${converged} ms after the last change`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('out_of_service');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(a.output.join('\n')).toMatch(/shutting down[\s\S]*stopped/);
    expect(twice).toEqual([]);
    expect(missing).toEqual([]);
    for (const c of onA) expect(c.client.connected, c.name).toBe(true);
    for (const c of clients) expect(c.client.wentBackwards, c.name).toBe(0);
    expect(await replayDifferences(backend.database, base)).toEqual([]);
  });

  it('is handed on by npm start, which then exits cleanly', async () => {
    const started = await startServer(
      'npm-start',
      { ...env, SKIP_WEB_BUILD: 'true' },
      { command: ['npm', 'start', '--silent'] },
    );
    const { cookie } = await httpLogin(started.baseUrl, 'coordinator');
    const client = await TestLiveClient.connect(started.wsUrl, cookie);
    await client.waitFor((c) => c.state.ready);
    const t0 = Date.now();
    started.kill('SIGTERM');
    const exit = await started.exit;
    await client.waitFor((c) => c.closeCode !== null);
    const after = await http(started.baseUrl, '/api/health');
    console.info(
      `npm start + SIGTERM: exit ${exit.code} in ${Date.now() - t0} ms, websocket closed ${client.closeCode}, port closed afterwards: ${after.error}`,
    );
    expect(exit).toEqual({ code: 0, signal: null });
    expect(client.closeCode).toBe(LIVE_CLOSE_RESTART);
    expect(after.error).toBe('ECONNREFUSED');
    expect(started.output.join('\n')).toMatch(/"signal":"SIGTERM"[\s\S]*stopped/);
  });
});
