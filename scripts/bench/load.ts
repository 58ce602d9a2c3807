/**
 * The load process of `npm run bench`: websocket clients (Node `ws`) and the HTTP writer,
 * in a process of their own, so the server's figures are the server's. Driven by the
 * orchestrator (scripts/bench.ts) over IPC; every measurement is taken on this process's
 * clock, from the moment a change is sent to the moment each client has it.
 *
 * The three protocols are read alike: a first message with the state (our snapshot, the raw
 * server's `{"snapshot":…}`, Socket.IO's `snapshot` event), then unit changes. A client counts
 * a change of unit U to version V when it holds U at V or later: a frame that carries only
 * the later of two changes (coalescing) delivers both.
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { decodeSlice, type ColumnarSlice } from '@opvangatlas/shared';
import type { LoadCommand, LoadReply, Protocol, Target } from './protocol';

interface Client {
  ws: WebSocket;
  index: number;
  protocol: Protocol;
  /** Seq held (ours); -1 before the snapshot. */
  seq: number;
  synced: boolean;
  closed: boolean;
  closeCode: number | null;
}

const MAX_UNIT = 1 << 17;
let clients: Client[] = [];
/** Per client and unit, the highest version held. Sized on connect. */
let held = new Int32Array(0);
let unitSpan = 0;
/** Send time of (unit, version): key unit * 2^20 + version. */
const sentAt = new Map<number, number>();
/** Latency histogram in ms (last bucket: beyond). */
let hist = new Uint32Array(60_001);
let received = 0;
let gaps = 0;
let shed = 0;
let onProgress: (() => void) | null = null;

const key = (unit: number, version: number) => unit * 1_048_576 + version;

function resetHistogram() {
  hist = new Uint32Array(60_001);
  received = 0;
}

function percentile(p: number): number {
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

function gotUnit(c: Client, unit: number, version: number, now: number) {
  if (unit >= unitSpan) return;
  const slot = c.index * unitSpan + unit;
  const before = held[slot]!;
  if (version <= before) return;
  held[slot] = version;
  if (before === 0) return; // First sight (the snapshot): no change of ours to time.
  for (let v = before + 1; v <= version; v++) {
    const t = sentAt.get(key(unit, v));
    if (t === undefined) continue;
    hist[Math.min(hist.length - 1, Math.round(now - t))]! += 1;
    received += 1;
  }
}

function unitsOf(list: Array<{ id: number; version: number }>, c: Client, now: number) {
  for (const u of list) gotUnit(c, u.id, u.version, now);
}

/** Our columnar snapshot or the plain one: the units in it, as {id, version}. */
function snapshotUnits(msg: {
  slices?: Record<string, unknown>;
}): Array<{ id: number; version: number }> {
  const units = msg.slices?.units as unknown[] | ColumnarSlice | undefined;
  if (!units) return [];
  const decoded = decodeSlice(units);
  return decoded.ok ? (decoded.values as Array<{ id: number; version: number }>) : [];
}

function onMessage(c: Client, raw: WebSocket.RawData) {
  const now = performance.now();
  const text = raw.toString();
  if (c.protocol === 'ours') {
    if (text.startsWith('{"type":"heartbeat"')) return;
    const msg = JSON.parse(text) as {
      type: string;
      seq: number;
      prev: number;
      slices?: Record<string, unknown>;
      changes?: Array<{ slice: string; value?: { id: number; version: number } }>;
    };
    if (msg.type === 'snapshot') {
      c.seq = msg.seq;
      unitsOf(snapshotUnits(msg), c, now);
      markSynced(c, text.length);
      return;
    }
    if (msg.type !== 'batch' || c.seq < 0 || msg.seq <= c.seq) return;
    if (msg.prev > c.seq) {
      gaps += 1;
      c.ws.send(JSON.stringify({ type: 'resync', since: c.seq }));
      return;
    }
    c.seq = msg.seq;
    for (const ch of msg.changes ?? [])
      if (ch.slice === 'units' && ch.value) gotUnit(c, ch.value.id, ch.value.version, now);
  } else if (c.protocol === 'raw') {
    const msg = JSON.parse(text) as {
      snapshot?: Array<{ id: number; version: number }>;
      id?: number;
      version?: number;
    };
    if (msg.snapshot) {
      unitsOf(msg.snapshot, c, now);
      markSynced(c, text.length);
    } else if (c.synced) gotUnit(c, msg.id!, msg.version!, now);
  } else {
    // Engine.IO v4 over a websocket: 0 open, 2 ping, 40 connected, 42 event.
    if (text === '2') return void c.ws.send('3');
    if (text.startsWith('0')) return void c.ws.send('40');
    if (!text.startsWith('42')) return;
    const [name, data] = JSON.parse(text.slice(2)) as [string, unknown];
    if (name === 'snapshot') {
      unitsOf(data as Array<{ id: number; version: number }>, c, now);
      markSynced(c, text.length);
    } else if (name === 'unit' && c.synced) {
      const u = data as { id: number; version: number };
      gotUnit(c, u.id, u.version, now);
    }
  }
  onProgress?.();
}

let syncedCount = 0;
let firstFrameBytes = 0;
function markSynced(c: Client, bytes: number) {
  if (c.synced) return;
  c.synced = true;
  syncedCount += 1;
  firstFrameBytes = Math.max(firstFrameBytes, bytes);
  onProgress?.();
}

function wsUrl(t: Target): string {
  if (t.protocol === 'sio') return `${t.wsUrl}/socket.io/?EIO=4&transport=websocket`;
  return t.wsUrl;
}

/** Opens n clients at once, spread over the targets; resolves when all have state or failed. */
let knownFor = '';
async function connect(targets: Target[], n: number, timeoutMs: number) {
  await closeAll();
  // Versions seen belong to one target's database; the next target starts afresh.
  const targetId = targets.map((t) => t.wsUrl).join(' ');
  if (targetId !== knownFor) known.clear();
  knownFor = targetId;
  unitSpan = 0;
  for (const t of targets) unitSpan = Math.max(unitSpan, t.maxUnitId + 1);
  unitSpan = Math.min(unitSpan, MAX_UNIT);
  held = new Int32Array(n * unitSpan);
  syncedCount = 0;
  firstFrameBytes = 0;
  gaps = 0;
  shed = 0;
  let refused = 0;
  /** Why clients ended without state: HTTP status of a refused upgrade, or close code. */
  const reasons: Record<string, number> = {};
  const start = performance.now();
  let lastSynced = start;
  const done = new Promise<void>((resolve) => {
    const check = () => {
      if (syncedCount + refused >= n) resolve();
    };
    onProgress = () => {
      lastSynced = performance.now();
      check();
    };
    for (let i = 0; i < n; i++) {
      const t = targets[i % targets.length]!;
      const cookie = t.cookies.length > 0 ? t.cookies[i % t.cookies.length] : undefined;
      const ws = new WebSocket(wsUrl(t), {
        headers: cookie ? { cookie } : {},
        perMessageDeflate: true,
        handshakeTimeout: timeoutMs,
      });
      const c: Client = {
        ws,
        index: i,
        protocol: t.protocol,
        seq: -1,
        synced: false,
        closed: false,
        closeCode: null,
      };
      clients.push(c);
      ws.on('message', (raw) => onMessage(c, raw));
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => {
        reasons[`http ${res.statusCode}`] = (reasons[`http ${res.statusCode}`] ?? 0) + 1;
        ws.terminate();
      });
      ws.on('close', (code) => {
        if (!c.synced) reasons[`close ${code}`] = (reasons[`close ${code}`] ?? 0) + 1;
        c.closed = true;
        c.closeCode = code;
        if (code === 4008) shed += 1;
        if (!c.synced) {
          refused += 1;
          check();
        }
      });
    }
    setTimeout(resolve, timeoutMs).unref();
  });
  await done;
  onProgress = null;
  return {
    ms: lastSynced - start,
    synced: syncedCount,
    refused: n - syncedCount,
    reasons,
    firstFrameBytes,
  };
}

async function closeAll() {
  const open = clients.filter((c) => !c.closed);
  await Promise.all(
    open.map(
      (c) =>
        new Promise<void>((resolve) => {
          c.ws.once('close', () => resolve());
          c.ws.terminate();
        }),
    ),
  );
  clients = [];
  sentAt.clear();
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

/** Toggles a unit free <-> occupied through the target's HTTP API; `t0` is when it was due. */
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
  const k = key(u.id, u.version + 1);
  sentAt.set(k, t0);
  stats.sent += 1;
  const url = urls[stats.sent % urls.length]!;
  try {
    const res = await fetch(`${url}/${u.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    stats.httpMs.push(performance.now() - t0);
    if (res.status === 200) {
      const unit = JSON.parse(text) as { version: number; status: string };
      if (unit.version !== u.version + 1) {
        sentAt.delete(k);
        sentAt.set(key(u.id, unit.version), t0);
      }
      u.version = unit.version;
      u.status = unit.status;
      known.set(u.id, { version: u.version, status: u.status });
      stats.ok += 1;
    } else {
      sentAt.delete(k);
      if (res.status === 409) stats.conflicts += 1;
      else if (res.status >= 500) stats.serverErrors += 1;
      else stats.otherErrors += 1;
      if (res.status === 409) {
        const cur = (JSON.parse(text) as { current?: { version: number; status: string } }).current;
        if (cur) Object.assign(u, { version: cur.version, status: cur.status });
      }
    }
  } catch {
    sentAt.delete(k);
    stats.otherErrors += 1;
  } finally {
    u.busy = false;
  }
}

/** Every open client holds every changed unit at its final version (or timeout). */
async function settle(changed: PoolUnit[], timeoutMs: number): Promise<number> {
  const until = performance.now() + timeoutMs;
  const missing = () => {
    let m = 0;
    for (const c of clients) {
      if (!c.synced || c.closed) continue;
      for (const u of changed) if (held[c.index * unitSpan + u.id]! < u.version) m += 1;
    }
    return m;
  };
  let m = missing();
  while (m > 0 && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    m = missing();
  }
  return m;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

function summary(stats: WriteStats, expected: number, missing: number, seconds: number) {
  const open = clients.filter((c) => c.synced && !c.closed).length;
  return {
    p50: percentile(50),
    p99: percentile(99),
    max: percentile(100),
    received,
    expected,
    missing,
    openClients: open,
    closedClients: clients.length - open,
    shed,
    gaps,
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
  resetHistogram();
  const stats = newStats();
  const open = () => clients.filter((c) => c.synced && !c.closed);
  let missing = 0;
  for (let i = 0; i < cmd.count; i++) {
    const u = pool[i % pool.length]!;
    await change(u, cmd.urls, cmd.cookie, stats, performance.now());
    missing = await settle([u], cmd.timeoutMs);
    if (missing > 0) break;
  }
  await new Promise((r) => setTimeout(r, 200));
  return summary(stats, stats.ok * open().length, missing, 1);
}

/** Open loop at `rate` changes/s for `seconds`: due times are kept even when the server lags. */
async function throughput(cmd: Extract<LoadCommand, { cmd: 'throughput' }>) {
  pool = poolOf(cmd.units);
  resetHistogram();
  const stats = newStats();
  const openClients = clients.filter((c) => c.synced && !c.closed).length;
  const start = performance.now();
  const end = start + cmd.seconds * 1000;
  const inflight = new Set<Promise<void>>();
  let due = 0;
  while (performance.now() < end) {
    const now = performance.now();
    const should = Math.floor(((now - start) / 1000) * cmd.rate);
    while (due < should) {
      const t0 = start + (due / cmd.rate) * 1000;
      due += 1;
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
  return summary(stats, stats.ok * openClients, missing, cmd.seconds);
}

function limits(): string {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return line?.replace(/\s+/g, ' ').trim() ?? '?';
  } catch {
    return '?';
  }
}

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
        await closeAll();
        return {};
    }
  };
  run().then(
    (result) => reply({ ok: true, result }),
    (err: unknown) => reply({ ok: false, error: String((err as Error).stack ?? err) }),
  );
});
