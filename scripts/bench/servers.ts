/**
 * Server processes of `npm run bench`: ours started as `npm start` starts it (tsx on the
 * sources, configured by environment), and the references. Each runs on a fresh database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { UnitRef } from './protocol';

const root = new URL('../../', import.meta.url).pathname;

export interface Cluster {
  name: string;
  baseUrls: string[];
  wsUrls: string[];
  pids: number[];
  stop(): Promise<void>;
}

/** Resident memory of a process in bytes (Linux). */
export function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

/**
 * How often a listener's accept queue was full, for this network namespace since boot (the
 * kernel's ListenOverflows: a dropped SYN or handshake ACK each, so a client that retries
 * counts again; it retries after 1, 3, 7, 15 s). Null where it cannot be read (not Linux).
 */
export function listenOverflows(): number | null {
  try {
    const [names, values] = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('TcpExt:'))
      .map((l) => l.split(/\s+/));
    const value = values?.[names?.indexOf('ListenOverflows') ?? -1];
    return value === undefined ? null : Number(value);
  } catch {
    return null;
  }
}

/**
 * A port nobody listens on now, below the range the kernel hands out to outgoing connections
 * (a port from there could be taken by a client socket before the server binds it); other
 * services of the machine listen in the 4xxx range too.
 */
async function freePort(): Promise<number> {
  const [ephemeral] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
    .trim()
    .split(/\s+/)
    .map(Number);
  const below = Math.max(12_000, ephemeral ?? 32_768);
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (below - 10_000));
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 300_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function stopAll(children: ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const force = setTimeout(() => c.kill('SIGKILL'), 15_000);
          c.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  ).then(() => {});
}

/** A fresh database on the admin connection; dropped by the returned function. */
export async function freshDatabase(adminUrl: string, prefix: string) {
  const name = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export interface OursOptions {
  instances: number;
  /** Postgres + Redis; without: PGlite in a fresh directory and the in-process bus. */
  real?: { adminUrl: string; redisUrl: string };
  /** Extra node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** An existing PGlite directory (kept); otherwise a fresh one, removed at stop. */
  dataDir?: string;
  env?: Record<string, string>;
}

/** Our server as `npm start` runs it: `node --import tsx server/src/server.ts` with env. */
export async function startOurs(opts: OursOptions): Promise<Cluster> {
  const children: ChildProcess[] = [];
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'oa-bench-'));
  const db = opts.real ? await freshDatabase(opts.real.adminUrl, 'oa_bench') : null;
  const baseUrls: string[] = [];
  const stop = async () => {
    await stopAll(children);
    await db?.drop();
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  // One after another: the first migrates and seeds, the others find it done.
  try {
    for (let i = 0; i < opts.instances; i++) {
      const port = await freePort();
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        NODE_ENV: 'development',
        DEMO: 'true',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        // One demo account stands for many users here.
        LIVE_MAX_SOCKETS_PER_USER: '1000',
        ...(db
          ? {
              DATABASE_URL: db.url,
              REDIS_URL: opts.real!.redisUrl,
              REDIS_CHANNEL_PREFIX: db.name,
            }
          : { DATA_DIR: dataDir }),
        ...opts.env,
      };
      delete env.TEST_BACKEND;
      const child = spawn(
        process.execPath,
        [...(opts.nodeArgs ?? []), '--import', 'tsx', 'server/src/server.ts'],
        { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      children.push(child);
      const base = `http://127.0.0.1:${port}`;
      await waitUntil(async () => (await fetch(`${base}/api/ready`)).ok, `instance on ${port}`);
      baseUrls.push(base);
    }
  } catch (err) {
    // A start that fails leaves no server behind (nor its database).
    await stop();
    throw err;
  }
  return {
    name: db ? `postgres+redis x${opts.instances}` : 'pglite',
    baseUrls,
    wsUrls: baseUrls.map((b) => `${b.replace('http', 'ws')}/api/live`),
    pids: children.map((c) => c.pid!),
    stop,
  };
}

export async function login(baseUrl: string, email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo' }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('oa_session='))!;
  return cookie.split(';')[0]!;
}

/** The demo VO names, from the seed's source (one worker account per VO). */
export function demoOrganisations(): string[] {
  const csv = readFileSync(join(root, 'db/src/seed/nl-regions-2023.csv'), 'utf8');
  const names = csv
    .trim()
    .split('\n')
    .slice(1)
    .flatMap((l) => l.split(',').slice(7).join(',').split(';'))
    .map((s) => s.trim())
    .filter(Boolean);
  return [...new Set(names)];
}

export const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');

/** Cookies for the viewers the clients stand for: VO workers of every VO, planners, coordinators. */
export async function viewerCookies(baseUrl: string): Promise<string[]> {
  const emails = [
    'vo_worker',
    'vo_planner',
    'coordinator',
    ...demoOrganisations().map((o) => `vo_worker.${slug(o)}`),
  ].map((l) => `${l}@demo.opvangatlas.nl`);
  const cookies: string[] = [];
  for (const e of emails) cookies.push(await login(baseUrl, e).catch(() => ''));
  return cookies.filter(Boolean);
}

export async function ourUnits(baseUrl: string, adminCookie: string): Promise<UnitRef[]> {
  const res = await fetch(`${baseUrl}/api/units`, { headers: { cookie: adminCookie } });
  const units = (await res.json()) as Array<UnitRef & { heldForRequestId: number | null }>;
  return units
    .filter((u) => (u.status === 'free' || u.status === 'occupied') && !u.heldForRequestId)
    .map(({ id, version, status }) => ({ id, version, status }));
}

/** A reference (raw or Socket.IO) with its own database, seeded with `n` units like ours. */
export async function startReference(
  kind: 'raw' | 'sio',
  instances: number,
  real: { adminUrl: string; redisUrl: string },
  n = 1024,
): Promise<Cluster & { units: UnitRef[] }> {
  const db = await freshDatabase(real.adminUrl, `oa_bench_${kind}`);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(`create table ref_units (id int primary key, version int not null, status text not null,
    household jsonb, since timestamptz not null default now(), data jsonb not null)`);
  await c.query(
    `insert into ref_units (id, version, status, data)
     select i, 1, 'free', jsonb_build_object('locationId', 1 + i % 300, 'organisationId', 1 + i % 22,
       'regionId', 1 + i % 35, 'kind', (array['noodbed','crisis','vervolg'])[1 + i % 3],
       'label', 'Kamer ' || i, 'maxPersons', 3, 'mannenopvang', false, 'wheelchair', i % 7 = 0,
       'largeFamily', false, 'heldUntil', null, 'heldByOrganisationId', null, 'heldForRequestId', null)
     from generate_series(1, ${n}) i`,
  );
  await c.end();
  const children: ChildProcess[] = [];
  const baseUrls: string[] = [];
  for (let i = 0; i < instances; i++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench/reference-server.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          REFERENCE: kind,
          PORT: String(port),
          DATABASE_URL: db.url,
          REDIS_URL: real.redisUrl,
          CHANNEL: db.name,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    children.push(child);
    const base = `http://127.0.0.1:${port}`;
    await waitUntil(async () => (await fetch(`${base}/`)).status === 404, `${kind} on ${port}`);
    baseUrls.push(base);
  }
  return {
    name: kind === 'raw' ? `raw x${instances}` : `socket.io x${instances}`,
    baseUrls,
    wsUrls: baseUrls.map((b) => b.replace('http', 'ws') + (kind === 'raw' ? '/ws' : '')),
    pids: children.map((ch) => ch.pid!),
    units: Array.from({ length: n }, (_, i) => ({ id: i + 1, version: 1, status: 'free' })),
    stop: async () => {
      await stopAll(children);
      await db.drop();
    },
  };
}
