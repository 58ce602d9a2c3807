import type { SessionUser, Unit } from '@opvangatlas/shared';
import type { TestBackend } from './backend';
import { demoEmail } from './instance';
import { sleep, startServer, type ServerProcess } from './processes';
import { ResilientClient } from './resilient-client';

/**
 * What the fault scenarios share: server processes on the test's database and a Redis of
 * their own, sessions over HTTP, live clients on every instance and a stream of changes.
 */

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
  /** Network error instead of an answer (connection refused or reset). */
  error?: string;
  ms: number;
}

export async function http<T = unknown>(
  baseUrl: string,
  path: string,
  opts: { method?: string; cookie?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<HttpResult<T>> {
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method: opts.method ?? 'GET',
      headers: {
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (metrics)
    }
    return { status: res.status, body: body as T, ms: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return {
      status: 0,
      body: undefined as T,
      error: e.cause?.code ?? e.name,
      ms: Math.round(performance.now() - started),
    };
  }
}

export async function httpLogin(
  baseUrl: string,
  local: string,
): Promise<{ cookie: string; user: SessionUser }> {
  const res = await fetch(`${baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: demoEmail(local), password: 'demo' }),
  });
  if (res.status !== 200) throw new Error(`login ${local}: ${res.status}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('oa_session='))!;
  return { cookie, user: ((await res.json()) as { user: SessionUser }).user };
}

/** Environment for a server process on the backend's database and the given Redis. */
export function serverEnv(
  backend: TestBackend,
  redisUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: backend.config.databaseUrl!,
    REDIS_URL: redisUrl,
    REDIS_CHANNEL_PREFIX: backend.config.redisChannelPrefix,
    HOLD_SWEEP_SECONDS: '1',
    ...extra,
  };
}

export async function startServers(
  names: string[],
  env: Record<string, string>,
): Promise<ServerProcess[]> {
  const out: ServerProcess[] = [];
  for (const name of names) out.push(await startServer(name, env));
  return out;
}

/** The five kinds of viewer, each on every instance (round robin start). */
export const VIEWERS = ['vo_worker', 'vo_worker.moviera', 'coordinator', 'municipality', 'admin'];

export interface Watcher {
  name: string;
  viewer: SessionUser;
  client: ResilientClient;
}

export async function watchers(
  servers: () => ServerProcess[],
  perInstance = 1,
): Promise<Watcher[]> {
  const base = servers()[0]!.baseUrl;
  const out: Watcher[] = [];
  let i = 0;
  for (const local of VIEWERS) {
    const { cookie, user } = await httpLogin(base, local);
    for (let k = 0; k < servers().length * perInstance; k++, i++) {
      const offset = i;
      const client = new ResilientClient(
        `${local}#${k}`,
        () => {
          const urls = servers().map((s) => s.wsUrl);
          return [...urls.slice(offset % urls.length), ...urls.slice(0, offset % urls.length)];
        },
        cookie,
      ).start();
      out.push({ name: client.name, viewer: user, client });
    }
  }
  for (const w of out) await w.client.waitFor(() => w.client.state.ready, 20_000, 'snapshot');
  return out;
}

export interface WriterStats {
  ok: number;
  conflicts: number;
  failed: Record<string, number>;
  /** Unit id -> versions this writer got a 200 for. */
  versions: Map<number, number[]>;
}

/**
 * Toggles the worker's own units between free and occupied through the instances in turn,
 * until stopped: a steady stream of changes. A 409 takes the version from `current`; a
 * request that got no answer (instance gone) goes to the next instance.
 */
export function changeStream(
  servers: () => ServerProcess[],
  cookie: string,
  units: Unit[],
  pauseMs = 40,
) {
  const stats: WriterStats = { ok: 0, conflicts: 0, failed: {}, versions: new Map() };
  const known = new Map(units.map((u) => [u.id, u]));
  let running = true;
  let n = 0;
  const loop = (async () => {
    while (running) {
      const list = servers();
      const server = list[n % list.length]!;
      const unit = known.get(units[n % units.length]!.id)!;
      n += 1;
      const body =
        unit.status === 'free'
          ? { version: unit.version, status: 'occupied', household: { adults: 1, children: 0 } }
          : { version: unit.version, status: 'free' };
      const res = await http<Unit & { current?: Unit }>(server.baseUrl, `/api/units/${unit.id}`, {
        method: 'PATCH',
        cookie,
        body,
      });
      if (res.status === 200) {
        stats.ok += 1;
        known.set(unit.id, res.body);
        stats.versions.set(unit.id, [...(stats.versions.get(unit.id) ?? []), res.body.version]);
      } else if (res.status === 409 && res.body.current) {
        stats.conflicts += 1;
        known.set(unit.id, res.body.current);
      } else {
        const key = res.error ?? String(res.status);
        stats.failed[key] = (stats.failed[key] ?? 0) + 1;
      }
      await sleep(pauseMs);
    }
  })();
  return {
    stats,
    async stop() {
      running = false;
      await loop;
      return stats;
    },
  };
}
