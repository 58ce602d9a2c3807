/**
 * The load process of `npm run bench`: websocket clients and the HTTP writer, in a process of
 * their own, so the server's figures are the server's. Driven by the orchestrator
 * (scripts/bench.ts) over IPC.
 *
 * The clients live in a few worker threads (load-clients.ts, `BENCH_LOAD_THREADS`, default 2);
 * this thread only writes and coordinates. With one thread for everything, the writer's
 * responses waited behind the parsing of a thousand clients' frames, so the HTTP time and the
 * change's due time ran late for every design alike (raw's HTTP p99 was 109 ms at 10
 * changes/s on a quiet machine): the load process measured itself.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { typescriptWorker } from '../../server/src/typescript-worker';
import { DueTimes, wallMs } from './due-times';
import type { ClientsCommand, ThreadConnect, ThreadStats } from './load-clients';
import type { LoadCommand, LoadReply, Target } from './protocol';

const MAX_UNIT = 1 << 17;
const HIST_MS = 60_000;

type ThreadReply = { id: number; ok: boolean; result?: unknown; error?: string };

/** A client thread and its pending requests. */
class ClientThread {
  private readonly worker = typescriptWorker(new URL('./load-clients.ts', import.meta.url));
  private nextId = 0;
  private readonly pending = new Map<number, (r: Omit<ThreadReply, 'id'>) => void>();

  constructor() {
    this.worker.on('error', (err) => {
      for (const settle of this.pending.values()) settle({ ok: false, error: String(err.stack) });
      this.pending.clear();
    });
    this.worker.on('message', (r: ThreadReply) => {
      this.pending.get(r.id)?.(r);
      this.pending.delete(r.id);
    });
  }

  ask<T>(command: ClientsCommand): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (r) => (r.ok ? resolve(r.result as T) : reject(new Error(r.error))));
      this.worker.postMessage({ id, command });
    });
  }
}

const threadCount = Math.max(
  1,
  Number(process.env.BENCH_LOAD_THREADS ?? Math.min(2, availableParallelism())),
);
const threads = Array.from({ length: threadCount }, () => new ClientThread());
const all = <T>(command: ClientsCommand) => Promise.all(threads.map((t) => t.ask<T>(command)));

let due = new DueTimes(0);

/** Opens n clients at once, spread over the targets and threads; resolves when all have state or failed. */
let knownFor = '';
async function connect(targets: Target[], n: number, timeoutMs: number) {
  await all({ cmd: 'close' });
  // Versions seen belong to one target's database; the next target starts afresh.
  const targetId = targets.map((t) => t.wsUrl).join(' ');
  if (targetId !== knownFor) known.clear();
  knownFor = targetId;
  let unitSpan = 0;
  for (const t of targets) unitSpan = Math.max(unitSpan, t.maxUnitId + 1);
  unitSpan = Math.min(unitSpan, MAX_UNIT);
  due = new DueTimes(unitSpan);
  const start = wallMs();
  const parts = await Promise.all(
    threads.map((t, k) =>
      t.ask<ThreadConnect>({
        cmd: 'connect',
        targets,
        indices: Array.from({ length: n }, (_, i) => i).filter((i) => i % threads.length === k),
        unitSpan,
        due: due.buffers,
        timeoutMs,
      }),
    ),
  );
  const reasons: Record<string, number> = {};
  for (const p of parts)
    for (const [why, count] of Object.entries(p.reasons))
      reasons[why] = (reasons[why] ?? 0) + count;
  const synced = parts.reduce((s, p) => s + p.synced, 0);
  return {
    ms: Math.max(0, ...parts.map((p) => p.lastSyncedAt - start)),
    synced,
    refused: n - synced,
    reasons,
    firstFrameBytes: Math.max(0, ...parts.map((p) => p.firstFrameBytes)),
  };
}

/** One unit of the writer's pool: changed by one request at a time. */
interface PoolUnit {
  id: number;
  version: number;
  status: string;
  busy: boolean;
}

let pool: PoolUnit[] = [];
let poolIndex = 0;
/**
 * The latest version and status this process saw of each unit. The references' list of
 * units is the one from their start: a later command's pool starts from what was written
 * since, or every write of it would be a stale no-op that no client is sent.
 */
const known = new Map<number, { version: number; status: string }>();

function poolOf(units: Array<{ id: number; version: number; status: string }>): PoolUnit[] {
  return units.map((u) => {
    const seen = known.get(u.id);
    return { ...u, ...(seen && seen.version > u.version ? seen : {}), busy: false };
  });
}

function nextIdle(): PoolUnit | null {
  for (let i = 0; i < pool.length; i++) {
    const u = pool[(poolIndex + i) % pool.length]!;
    if (!u.busy) {
      poolIndex = (poolIndex + i + 1) % pool.length;
      return u;
    }
  }
  return null;
}

interface WriteStats {
  sent: number;
  ok: number;
  conflicts: number;
  serverErrors: number;
  otherErrors: number;
  noIdleUnit: number;
  httpMs: number[];
}

const newStats = (): WriteStats => ({
  sent: 0,
  ok: 0,
  conflicts: 0,
  serverErrors: 0,
  otherErrors: 0,
  noIdleUnit: 0,
  httpMs: [],
});

/**
 * The writer's HTTP client: node:http on kept-alive connections. fetch (undici) cost 10-20% of
 * the writer's thread at 200 changes/s, CPU the servers under test share on this machine.
 */
const agent = new Agent({ keepAlive: true });
function patch(url: string, body: string, cookie: string | undefined) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'PATCH',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(cookie ? { cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    // As fetch gave up on a server that stalls; the step then counts the change as failed.
    req.setTimeout(60_000, () => req.destroy(new Error('no answer within 60 s')));
    req.end(body);
  });
}

/** Toggles a unit free <-> occupied through the target's HTTP API; `t0` (wall clock) is when it was due. */
async function change(
  u: PoolUnit,
  urls: string[],
  cookie: string | undefined,
  stats: WriteStats,
  t0: number,
) {
  u.busy = true;
  const body =
    u.status === 'free'
      ? { version: u.version, status: 'occupied', household: { adults: 1, children: 0 } }
      : { version: u.version, status: 'free' };
  due.set(u.id, u.version + 1, t0);
  stats.sent += 1;
  const url = urls[stats.sent % urls.length]!;
  try {
    const res = await patch(`${url}/${u.id}`, JSON.stringify(body), cookie);
    const text = res.text;
    stats.httpMs.push(wallMs() - t0);
    if (res.status === 200) {
      const unit = JSON.parse(text) as { version: number; status: string };
      if (unit.version !== u.version + 1) {
        due.clear(u.id, u.version + 1);
        due.set(u.id, unit.version, t0);
      }
      u.version = unit.version;
      u.status = unit.status;
      known.set(u.id, { version: u.version, status: u.status });
      stats.ok += 1;
    } else {
      due.clear(u.id, u.version + 1);
      if (res.status === 409) stats.conflicts += 1;
      else if (res.status >= 500) stats.serverErrors += 1;
      else stats.otherErrors += 1;
      if (res.status === 409) {
        const cur = (JSON.parse(text) as { current?: { version: number; status: string } }).current;
        if (cur) Object.assign(u, { version: cur.version, status: cur.status });
      }
    }
  } catch {
    due.clear(u.id, u.version + 1);
    stats.otherErrors += 1;
  } finally {
    u.busy = false;
  }
}

/** Every open client holds every changed unit at its final version (or timeout): pairs missing. */
async function settle(changed: PoolUnit[], timeoutMs: number): Promise<number> {
  const units = changed.map((u) => ({ id: u.id, version: u.version }));
  const missing = await all<number>({ cmd: 'watch', units, timeoutMs });
  return missing.reduce((s, m) => s + m, 0);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

function percentile(hist: Uint32Array, p: number): number {
  let total = 0;
  for (const n of hist) total += n;
  if (total === 0) return NaN;
  const want = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let ms = 0; ms < hist.length; ms++) {
    seen += hist[ms]!;
    if (seen >= want) return ms;
  }
  return hist.length - 1;
}

async function summary(stats: WriteStats, missing: number, seconds: number) {
  const parts = await all<ThreadStats>({ cmd: 'stats' });
  const hist = summed(parts);
  const open = parts.reduce((s, p) => s + p.open, 0);
  return {
    p50: percentile(hist, 50),
    p99: percentile(hist, 99),
    max: percentile(hist, 100),
    received: parts.reduce((s, p) => s + p.received, 0),
    expected: stats.ok * open,
    missing,
    openClients: open,
    closedClients: parts.reduce((s, p) => s + p.closed, 0),
    shed: parts.reduce((s, p) => s + p.shed, 0),
    gaps: parts.reduce((s, p) => s + p.gaps, 0),
    rate: stats.ok / seconds,
    ok: stats.ok,
    conflicts: stats.conflicts,
    serverErrors: stats.serverErrors,
    otherErrors: stats.otherErrors,
    noIdleUnit: stats.noIdleUnit,
    httpP50: pct(stats.httpMs, 50),
    httpP99: pct(stats.httpMs, 99),
  };
}

/** `count` changes one after another, each waiting until every client has it. */
async function latency(cmd: Extract<LoadCommand, { cmd: 'latency' }>) {
  pool = poolOf(cmd.units);
  await all({ cmd: 'reset' });
  const stats = newStats();
  let missing = 0;
  // Each change's slowest client: one slow change (a collection, a stall) decides the p99.
  const slowest: number[] = [];
  let before = summed(await all<ThreadStats>({ cmd: 'stats' }));
  for (let i = 0; i < cmd.count; i++) {
    const u = pool[i % pool.length]!;
    await change(u, cmd.urls, cmd.cookie, stats, wallMs());
    missing = await settle([u], cmd.timeoutMs);
    const after = summed(await all<ThreadStats>({ cmd: 'stats' }));
    slowest.push(
      percentile(
        after.map((n, ms) => n - before[ms]!),
        100,
      ),
    );
    before = after;
    if (missing > 0) break;
  }
  await new Promise((r) => setTimeout(r, 200));
  return { ...(await summary(stats, missing, 1)), slowest };
}

/** The client threads' latency histograms, summed. */
function summed(parts: ThreadStats[]): Uint32Array {
  const hist = new Uint32Array(HIST_MS + 1);
  for (const p of parts) for (let i = 0; i < hist.length; i++) hist[i]! += p.hist[i]!;
  return hist;
}

/** Open loop at `rate` changes/s for `seconds`: due times are kept even when the server lags. */
async function throughput(cmd: Extract<LoadCommand, { cmd: 'throughput' }>) {
  pool = poolOf(cmd.units);
  await all({ cmd: 'reset' });
  const stats = newStats();
  const start = wallMs();
  const end = start + cmd.seconds * 1000;
  const inflight = new Set<Promise<void>>();
  let sent = 0;
  while (wallMs() < end) {
    // Changes due by now: the k-th (from 0) is due k / rate after the start. (Counting only
    // those due strictly before, as until round 5, sent each one 1 / rate after its due
    // time: 100 ms on every change of the 10/s step.)
    const should = Math.floor(((wallMs() - start) / 1000) * cmd.rate) + 1;
    while (sent < should) {
      const t0 = start + (sent / cmd.rate) * 1000;
      sent += 1;
      const u = nextIdle();
      if (!u) {
        stats.noIdleUnit += 1;
        continue;
      }
      const p = change(u, cmd.urls, cmd.cookie, stats, t0).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inflight);
  const missing = await settle(pool, cmd.settleMs);
  return summary(stats, missing, cmd.seconds);
}

function limits(): string {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return `${line?.replace(/\s+/g, ' ').trim() ?? '?'}; ${threadCount} client threads`;
  } catch {
    return '?';
  }
}

// The orchestrator gone (it failed, or was stopped): nothing is left to measure for.
process.on('disconnect', () => process.exit(1));

process.on('message', (raw) => {
  const cmd = raw as LoadCommand;
  const reply = (r: LoadReply) => process.send!(r);
  const run = async (): Promise<unknown> => {
    switch (cmd.cmd) {
      case 'limits':
        return { nofile: limits() };
      case 'connect':
        return connect(cmd.targets, cmd.n, cmd.timeoutMs);
      case 'latency':
        return latency(cmd);
      case 'throughput':
        return throughput(cmd);
      case 'close':
        await all({ cmd: 'close' });
        return {};
    }
  };
  run().then(
    (result) => reply({ ok: true, result }),
    (err: unknown) => reply({ ok: false, error: String((err as Error).stack ?? err) }),
  );
});
