/**
 * `npm run bench`: speed and memory numbers of the live core, printed, never asserted.
 * Runs on the embedded defaults, and on Postgres + Redis when TEST_DATABASE_URL and
 * TEST_REDIS_URL are set (the real run uses TEST_BACKEND=real, like the tests).
 *
 *   npm run bench -- --clients 200 --changes 100
 */
import { parseArgs } from 'node:util';
import type { Unit } from '../shared/src/index';
import { createBackend } from '../test/support/backend';
import { demoSessions, getUnits, patchUnit } from '../test/support/fixtures';
import { startInstance } from '../test/support/instance';
import { TestLiveClient } from '../test/support/live-client';
import { benchSwaps } from './bench-swaps';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    changes: { type: 'string', default: '100' },
  },
});
const nClients = Number(args.clients);
const nChanges = Number(args.changes);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mb = (x: number) => `${(x / 1024 / 1024).toFixed(1)} MB`;
const row = (name: string, value: string) => console.log(`  ${name.padEnd(52)} ${value}`);

async function bench(kind: string) {
  // One demo account stands for many users here: lift the per-user socket cap.
  const backend = await createBackend({ liveMaxSocketsPerUser: 1_000_000 });
  const a = await startInstance(backend);
  const b = await startInstance(backend, { database: await backend.openDatabase() });
  const s = await demoSessions(a.app);
  const me = (await a.app.inject({ url: '/api/session', headers: { cookie: s.worker } })).json<{
    user: { organisationId: number };
  }>().user;
  console.log(`\n${kind} (${backend.database.driver} + ${a.app.bus.kind} bus, 2 instances)`);

  // 1. Latency of a change (PATCH through HTTP, one transaction, event append, publish).
  let unit = (await getUnits(a.app, s.worker)).find(
    (u) => u.organisationId === me.organisationId && u.status === 'free',
  )!;
  const patchTimes: number[] = [];
  for (let i = 0; i < nChanges; i++) {
    const body =
      unit.status === 'free'
        ? { status: 'occupied', household: { adults: 1, children: 0 } }
        : { status: 'free' };
    const t = performance.now();
    const res = await fetch(`${a.baseUrl}/api/units/${unit.id}`, {
      method: 'PATCH',
      headers: { cookie: s.worker, 'content-type': 'application/json' },
      body: JSON.stringify({ version: unit.version, ...body }),
    });
    unit = (await res.json()) as Unit;
    patchTimes.push(performance.now() - t);
  }
  row(
    `PATCH /api/units/:id (n=${nChanges}) p50 / p95`,
    `${ms(pct(patchTimes, 50))} / ${ms(pct(patchTimes, 95))}`,
  );

  // 2. Snapshot size and time.
  let t = performance.now();
  const one = await TestLiveClient.connect(a.wsUrl, s.worker);
  await one.waitFor((c) => c.state.ready);
  row(
    'snapshot for a VO worker: bytes / time to state',
    `${(one.frames[0]!.length / 1024).toFixed(0)} KiB / ${ms(performance.now() - t)}`,
  );
  await one.close();

  // 3. Fan-out: clients split over both instances, change on instance a.
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  t = performance.now();
  const clients: TestLiveClient[] = [];
  for (let i = 0; i < nClients; i++) {
    clients.push(
      await TestLiveClient.connect((i % 2 ? b : a).wsUrl, i % 3 ? s.coordinator : s.worker),
    );
  }
  await Promise.all(clients.map((c) => c.waitFor((x) => x.state.ready, 120_000)));
  row(`${nClients} clients connected and synced`, ms(performance.now() - t));
  global.gc?.();
  // Server and clients share this process: the figure is an upper bound for the server.
  row(
    'heap per connected client (server + test client)',
    `${((process.memoryUsage().heapUsed - heapBefore) / nClients / 1024).toFixed(0)} KiB`,
  );

  const fanout: number[] = [];
  for (let i = 0; i < Math.min(nChanges, 50); i++) {
    const body =
      unit.status === 'free'
        ? { status: 'occupied', household: { adults: 1, children: 0 } }
        : { status: 'free' };
    t = performance.now();
    unit = (await patchUnit(a.app, s.worker, unit, body)).json<Unit>();
    const version = unit.version;
    await Promise.all(
      clients.map((c) => c.waitFor((x) => x.state.units.get(unit.id)?.version === version, 30_000)),
    );
    fanout.push(performance.now() - t);
  }
  row(
    `change -> all ${nClients} clients (n=${fanout.length}) p50 / p95`,
    `${ms(pct(fanout, 50))} / ${ms(pct(fanout, 95))}`,
  );
  await Promise.all(clients.map((c) => c.close()));

  // 4. Contention: 50 parallel holds on one free unit across both instances.
  const target = (await getUnits(a.app, s.admin, '?status=free'))[0]!;
  t = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      fetch(`${(i % 2 ? b : a).baseUrl}/api/units/${target.id}/hold`, {
        method: 'POST',
        headers: { cookie: i % 2 ? s.worker : s.planner },
      }).then((r) => r.status),
    ),
  );
  row(
    '50 parallel holds on one unit: wall time',
    `${ms(performance.now() - t)} (${statuses.filter((x) => x === 200).length} won, ${statuses.filter((x) => x === 409).length} conflict)`,
  );
  row('process RSS at end', mb(process.memoryUsage().rss));

  await a.close();
  await b.close();
  await backend.close();
}

console.log(`Opvangatlas Live benchmark: ${nClients} websocket clients, ${nChanges} changes`);
await bench('embedded');
if (process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL) {
  process.env.TEST_BACKEND = 'real';
  await bench('real services');
}
await benchSwaps(200);
