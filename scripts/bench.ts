/**
 * `npm run bench`: the live core measured as a new user would meet it. Our server runs as
 * its own processes (as `npm start` starts it: PGlite by default; Postgres + Redis with 1, 2
 * and 3 instances when TEST_DATABASE_URL and TEST_REDIS_URL are set, each on a fresh
 * database), the websocket clients in a separate load process (scripts/bench/load.ts), and
 * two references doing the same work in the same run (scripts/bench/reference-server.ts).
 * Prints the table of issue 15, writes docs/performance.json and the table in
 * docs/PERFORMANCE.md. Figures are printed, never asserted.
 *
 *   npm run bench                                   # 1,000 clients everywhere, 5,000 and
 *                                                   # 10,000 for embedded, pg2 and raw
 *   npm run bench -- --large ''                     # 1,000 clients only
 *   npm run bench -- --clients 1000,5000,10000      # every size for every target
 *   npm run bench -- --only embedded,pg2 --label after --no-write
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { benchSwaps } from './bench-swaps';
import { bigSnapshot, rows, writeReport, type Measured, type TargetResult } from './bench/report';
import type {
  ConnectResult,
  LoadCommand,
  LoadReply,
  RunResult,
  Target,
  UnitRef,
} from './bench/protocol';
import {
  login,
  ourUnits,
  listenOverflows,
  rssOf,
  startOurs,
  startReference,
  viewerCookies,
  type Cluster,
} from './bench/servers';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    changes: { type: 'string', default: '20' },
    // The big sizes cost minutes per target (the storm alone): only where they are compared.
    large: { type: 'string', default: '5000,10000' },
    'large-on': { type: 'string', default: 'embedded,pg2,raw' },
    'large-changes': { type: 'string', default: '20' },
    rates: { type: 'string', default: '10,25,50,100,200,300,400,500,600,800' },
    seconds: { type: 'string', default: '4' },
    instances: { type: 'string', default: '1,2,3' },
    only: { type: 'string', default: '' },
    label: { type: 'string', default: 'current' },
    'big-snapshot': { type: 'string', default: '100000' },
    'no-write': { type: 'boolean', default: false },
    'skip-swaps': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const sizes = args.clients.split(',').map(Number);
const large = args.large
  .split(',')
  .filter(Boolean)
  .map(Number)
  .filter((n) => !sizes.includes(n));
const largeOn = new Set(args['large-on'].split(',').filter(Boolean));
const rates = args.rates.split(',').map(Number);
const only = new Set(args.only.split(',').filter(Boolean));
const wanted = (name: string) => only.size === 0 || only.has(name);
const real =
  process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL
    ? { adminUrl: process.env.TEST_DATABASE_URL, redisUrl: process.env.TEST_REDIS_URL }
    : null;

const load = fork(new URL('./bench/load.ts', import.meta.url).pathname, [], {
  execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
});
let pending: ((r: LoadReply) => void) | null = null;
load.on('message', (r) => pending?.(r as LoadReply));
function ask<T>(cmd: LoadCommand): Promise<T> {
  return new Promise((resolve, reject) => {
    pending = (r) => (r.ok ? resolve(r.result as T) : reject(new Error(r.error)));
    load.send(cmd);
  });
}

const uptime = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const fmt = (x: number, unit = 'ms') => (Number.isFinite(x) ? `${Math.round(x)} ${unit}` : '-');
const say = (s: string) => console.log(`  ${s}`);

async function measure(
  name: string,
  /** The target as --only and --large-on name it (embedded, pg2, raw, sio). */
  key: string,
  cluster: Cluster,
  targets: Target[],
  write: { urls: string[]; cookie?: string; units: UnitRef[] },
): Promise<TargetResult> {
  console.log(`\n${name}: ${cluster.baseUrls.length} instance(s); load ${uptime()}`);
  const result: TargetResult = {
    name,
    instances: cluster.baseUrls.length,
    load: uptime(),
    sizes: {},
  };
  let units = write.units;
  for (const n of [...sizes, ...(largeOn.has(key) ? large : [])]) {
    // Warm up (first snapshot rendered, code compiled, start-up garbage gone) before the baseline.
    await ask<ConnectResult>({ cmd: 'connect', targets, n: 50, timeoutMs: 60_000 });
    await ask({ cmd: 'close' });
    await new Promise((r) => setTimeout(r, 2000));
    const rss0 = cluster.pids.reduce((s, p) => s + rssOf(p), 0);
    const overflowsBefore = listenOverflows();
    const storm = await ask<ConnectResult>({ cmd: 'connect', targets, n, timeoutMs: 300_000 });
    const overflowsAfter = listenOverflows();
    const overflows =
      overflowsBefore === null || overflowsAfter === null ? '?' : overflowsAfter - overflowsBefore;
    say(
      `${n} clients at once: all with state in ${fmt(storm.ms)}, ${storm.refused} refused ${JSON.stringify(storm.reasons ?? {})}, accept queue full ${overflows} times; first frame ${(storm.firstFrameBytes / 1024).toFixed(0)} KB`,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const rss1 = cluster.pids.reduce((s, p) => s + rssOf(p), 0);
    const perConn = (rss1 - rss0) / Math.max(1, storm.synced);
    say(
      `memory: RSS ${(rss0 / 1e6).toFixed(0)} -> ${(rss1 / 1e6).toFixed(0)} MB, ${(perConn / 1024).toFixed(1)} KB per connection`,
    );
    const one = await ask<RunResult>({
      cmd: 'latency',
      ...write,
      units,
      count: Number(sizes.includes(n) ? args.changes : args['large-changes']),
      timeoutMs: 30_000,
    });
    say(
      `one change to ${one.openClients}: p50 ${fmt(one.p50)}, p99 ${fmt(one.p99)} (HTTP p50 ${fmt(one.httpP50)}), missing ${one.missing}, errors ${one.serverErrors + one.otherErrors}; slowest client per change ${(one.slowest ?? []).join(' ')} ms`,
    );
    const m: Measured = {
      storm,
      rssBefore: rss0,
      rssAfter: rss1,
      perConnectionBytes: perConn,
      one,
    };
    units = await refreshUnits(write, units);
    if (n === sizes[0]) {
      m.ladder = [];
      for (const rate of rates) {
        const r = await ask<RunResult>({
          cmd: 'throughput',
          ...write,
          units,
          rate,
          seconds: Number(args.seconds),
          settleMs: 5000,
        });
        const pass =
          r.p99 <= 200 &&
          r.missing === 0 &&
          r.serverErrors === 0 &&
          r.noIdleUnit === 0 &&
          r.closedClients === 0;
        m.ladder.push({ ...r, achieved: r.rate, rate, pass });
        say(
          `${rate}/s: done ${r.rate.toFixed(0)}/s, p99 ${fmt(r.p99)}, HTTP p99 ${fmt(r.httpP99)}, missing ${r.missing}, 5xx ${r.serverErrors}, not sent ${r.noIdleUnit}, shed ${r.shed} ${pass ? 'ok' : 'FAIL'}`,
        );
        units = await refreshUnits(write, units);
        if (!pass) break;
      }
    }
    result.sizes[n] = m;
    await ask({ cmd: 'close' });
  }
  return result;
}

/** Versions move on during a run: the next run starts from the server's. */
let refresh: ((units: UnitRef[]) => Promise<UnitRef[]>) | null = null;
const refreshUnits = (_w: unknown, units: UnitRef[]) =>
  refresh ? refresh(units) : Promise.resolve(units);

async function ours(name: string, instances: number) {
  const cluster = await startOurs({
    instances,
    real: name === 'embedded' ? undefined : real!,
    nodeArgs: args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir=bench-profiles'] : [],
  });
  try {
    const base = cluster.baseUrls[0]!;
    const admin = await login(base, 'admin@demo.opvangatlas.nl');
    const cookies = await viewerCookies(base);
    refresh = async () => (await ourUnits(base, admin)).slice(0, 300);
    const units = await refresh([]);
    const targets = cluster.wsUrls.map((wsUrl) => ({
      protocol: 'ours' as const,
      wsUrl,
      cookies,
      maxUnitId: Math.max(...units.map((u) => u.id)) + 1000,
    }));
    return await measure(name, name, cluster, targets, {
      urls: cluster.baseUrls.map((b) => `${b}/api/units`),
      cookie: admin,
      units,
    });
  } finally {
    refresh = null;
    await cluster.stop();
  }
}

async function reference(kind: 'raw' | 'sio', instances: number) {
  const cluster = await startReference(kind, instances, real!);
  try {
    const units = cluster.units.slice(0, 300);
    const byId = new Map(units.map((u) => [u.id, u]));
    // The references answer every write with the unit; the load process tracks versions.
    refresh = async (list) => list.map((u) => byId.get(u.id) ?? u);
    const targets = cluster.wsUrls.map((wsUrl) => ({
      protocol: kind,
      wsUrl,
      cookies: [],
      maxUnitId: 1025,
    }));
    return await measure(cluster.name, kind, cluster, targets, {
      urls: cluster.baseUrls.map((b) => `${b}/api/units`),
      units,
    });
  } finally {
    refresh = null;
    await cluster.stop();
  }
}

console.log(`Opvangatlas Live benchmark: clients ${sizes.join(', ')}; load ${uptime()}`);
console.log(
  `  open files: bench ${await ask<{ nofile: string }>({ cmd: 'limits' }).then((r) => r.nofile)}`,
);
const results: TargetResult[] = [];
if (wanted('embedded')) results.push(await ours('embedded', 1));
if (real) {
  for (const n of args.instances.split(',').map(Number)) {
    if (wanted(`pg${n}`)) results.push(await ours(`pg${n}`, n));
  }
  if (wanted('raw')) results.push(await reference('raw', 2));
  if (wanted('sio')) results.push(await reference('sio', 1));
} else {
  console.log(
    '\n(TEST_DATABASE_URL and TEST_REDIS_URL not set: no Postgres + Redis runs, no references)',
  );
}
const big =
  Number(args['big-snapshot']) > 0 && wanted('big')
    ? await bigSnapshot(Number(args['big-snapshot']))
    : null;
load.kill();

console.log('');
for (const line of rows(results, big)) console.log(line);
if (!args['no-write']) writeReport(args.label, results, big, uptime());

if (!args['skip-swaps']) await benchSwaps(200);
if (wanted('pressure')) await (await import('./bench-pressure')).benchPressure();
