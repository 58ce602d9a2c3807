/**
 * One thread of the load process's websocket clients (Node `ws`). The load process spreads
 * its clients over a few such threads, so parsing frames for thousands of clients does not
 * queue on one core and the writer's own thread only writes.
 *
 * The three protocols are read alike: a first message with the state (our snapshot, the raw
 * server's `{"snapshot":…}`, Socket.IO's `snapshot` event), then unit changes. A client counts
 * a change of unit U to version V when it holds U at V or later: a frame that carries only the
 * later of two changes (coalescing) delivers both. Latency runs from the moment the change
 * was due (DueTimes, written by the writer before its request) to the moment the client's
 * `message` event fires.
 *
 * Frames are parsed once per distinct text, and compressed messages inflated once per distinct
 * payload: every server sends the same bytes to many clients (ours one buffer per kind of
 * viewer and seq, the references one message to all), and a browser parses and inflates only
 * its own, so doing it a thousand times here would be the load process's cost, not the
 * server's. Every client still receives, unframes and looks up every frame.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import WebSocket from 'ws';
import { decodeSlice, type ColumnarSlice } from '@opvangatlas/shared';
import { DueTimes, wallMs, type DueBuffers } from './due-times';
import { FrameSizes } from './frame-sizes';
import type { Target } from './protocol';

export type ClientsCommand =
  | {
      cmd: 'connect';
      targets: Target[];
      /** Global client numbers this thread opens (client i goes to target i % targets). */
      indices: number[];
      unitSpan: number;
      due: DueBuffers;
      timeoutMs: number;
    }
  | { cmd: 'reset' }
  | { cmd: 'watch'; units: Array<{ id: number; version: number }>; timeoutMs: number }
  | { cmd: 'stats' }
  | { cmd: 'close' };

export interface ThreadConnect {
  synced: number;
  refused: number;
  reasons: Record<string, number>;
  /** Largest message that gave a client its state, on the wire (FrameSizes). */
  firstFrameBytes: number;
  /** Wall-clock time the last client got its state. */
  lastSyncedAt: number;
}

export interface ThreadStats {
  hist: Uint32Array;
  received: number;
  gaps: number;
  shed: number;
  open: number;
  closed: number;
}

interface Client {
  ws: WebSocket;
  /** This thread's slot in `held`. */
  slot: number;
  protocol: Target['protocol'];
  /** Seq held (ours); -1 before the snapshot. */
  seq: number;
  synced: boolean;
  closed: boolean;
  /** Sizes on the wire of the messages read, until synced. */
  wire: FrameSizes | null;
  /** Messages received. */
  received: number;
}

/** What a frame says, once per distinct text. */
type Parsed =
  | { kind: 'ignore' }
  | { kind: 'reply'; text: string }
  | { kind: 'state'; seq: number; units: Array<{ id: number; version: number }> }
  | { kind: 'changes'; seq: number; prev: number; units: Array<{ id: number; version: number }> };

const HIST_MS = 60_000;

/**
 * ws inflates every compressed message per socket, queued behind ws's limit of 10 zlib jobs at
 * once: a batch frame of ours (deflated from 8 KB up) to 1,000 clients took 20-50% of each
 * client thread in the load process during a 200 changes/s step, and the queue delayed
 * delivery. A message deflated without context takeover (which our server negotiates, see
 * deflated-frame.ts) inflates to the same bytes on any socket, so one thread inflates each
 * distinct payload once and hands every socket the same buffer. Other messages (split over
 * frames, or with context takeover) go through ws as usual. ws is patched in this thread
 * only; the internals used (`lib/permessage-deflate.js`, `decompress(data, fin, callback)`,
 * `params`) are ws 8's.
 */
interface Inflater {
  params: Record<string, unknown>;
  decompress(data: Buffer, fin: boolean, callback: (err: Error | null, out?: Buffer) => void): void;
  /** Set while a message split over frames is being inflated (by ws, per socket). */
  midMessage?: boolean;
}
const requireHere = createRequire(import.meta.url);
const wsLib = join(dirname(requireHere.resolve('ws')), 'lib');
const PerMessageDeflate = requireHere(join(wsLib, 'permessage-deflate.js')) as {
  prototype: Inflater;
};
const inflateEach = PerMessageDeflate.prototype.decompress;
type Inflated = (err: Error | null, out?: Buffer) => void;
/** A payload's text once inflated, or the sockets waiting while the first inflates it. */
const inflated = new Map<string, Buffer | Inflated[]>();
PerMessageDeflate.prototype.decompress = function (this: Inflater, data, fin, callback) {
  // A message split over frames is inflated by its socket's own stream, its last frame too.
  const split = !fin || this.midMessage === true;
  this.midMessage = !fin;
  if (split || this.params.server_no_context_takeover !== true) {
    inflateEach.call(this, data, fin, callback);
    return;
  }
  const key = data.toString('latin1');
  const known = inflated.get(key);
  // Asynchronous as zlib's answer is: ws's receiver expects it after decompress returns.
  if (Buffer.isBuffer(known)) return void process.nextTick(callback, null, known);
  if (known) return void known.push(callback);
  if (inflated.size >= 64) inflated.clear();
  const waiting: Inflated[] = [callback];
  inflated.set(key, waiting);
  inflateEach.call(this, data, fin, (err, out) => {
    if (err || !out) inflated.delete(key);
    else inflated.set(key, out);
    // Each on its own tick: one socket's handler that throws must not strand the others.
    for (const cb of waiting) process.nextTick(cb, err, out);
  });
};

let clients: Client[] = [];
/** Per client (slot) and unit, the highest version held. */
let held = new Int32Array(0);
let unitSpan = 0;
let due = new DueTimes(0);
let hist = new Uint32Array(HIST_MS + 1);
let received = 0;
let gaps = 0;
let shed = 0;
let syncedCount = 0;
let firstFrameBytes = 0;
let lastSyncedAt = 0;
let onProgress: (() => void) | null = null;
const parsedFrames = new Map<string, Parsed>();
/** The same frames by buffer: an inflated message is one buffer for every socket of the thread. */
let parsedBuffers = new WeakMap<Buffer, Parsed>();

function gotUnit(c: Client, unit: number, version: number, now: number) {
  if (unit >= unitSpan) return;
  const at = c.slot * unitSpan + unit;
  const before = held[at]!;
  if (version <= before) return;
  held[at] = version;
  if (before === 0) return; // First sight (the state): no change of ours to time.
  for (let v = before + 1; v <= version; v++) {
    const t = due.get(unit, v);
    if (t === undefined) continue;
    hist[Math.max(0, Math.min(HIST_MS, Math.round(now - t)))]! += 1;
    received += 1;
  }
}

const asUnits = (list: unknown): Array<{ id: number; version: number }> =>
  Array.isArray(list) ? (list as Array<{ id: number; version: number }>) : [];

function parseOurs(text: string): Parsed {
  if (text.startsWith('{"type":"heartbeat"')) return { kind: 'ignore' };
  const msg = JSON.parse(text) as {
    type: string;
    seq: number;
    prev: number;
    slices?: Record<string, unknown>;
    changes?: Array<{ slice: string; value?: { id: number; version: number } }>;
  };
  if (msg.type === 'snapshot') {
    const units = msg.slices?.units as unknown[] | ColumnarSlice | undefined;
    const decoded = units ? decodeSlice(units) : null;
    return { kind: 'state', seq: msg.seq, units: decoded?.ok ? asUnits(decoded.values) : [] };
  }
  if (msg.type !== 'batch') return { kind: 'ignore' };
  const units: Array<{ id: number; version: number }> = [];
  for (const ch of msg.changes ?? []) if (ch.slice === 'units' && ch.value) units.push(ch.value);
  return { kind: 'changes', seq: msg.seq, prev: msg.prev, units };
}

function parseRaw(text: string): Parsed {
  const msg = JSON.parse(text) as {
    snapshot?: Array<{ id: number; version: number }>;
    id?: number;
    version?: number;
  };
  if (msg.snapshot) return { kind: 'state', seq: 0, units: msg.snapshot };
  return { kind: 'changes', seq: 0, prev: 0, units: [{ id: msg.id!, version: msg.version! }] };
}

/** Engine.IO v4 over a websocket: 0 open, 2 ping, 40 connected, 42 event. */
function parseSio(text: string): Parsed {
  if (text === '2') return { kind: 'reply', text: '3' };
  if (text.startsWith('0')) return { kind: 'reply', text: '40' };
  if (!text.startsWith('42')) return { kind: 'ignore' };
  const [name, data] = JSON.parse(text.slice(2)) as [string, unknown];
  if (name === 'snapshot') return { kind: 'state', seq: 0, units: asUnits(data) };
  if (name === 'unit')
    return { kind: 'changes', seq: 0, prev: 0, units: [data as { id: number; version: number }] };
  return { kind: 'ignore' };
}

const parsers = { ours: parseOurs, raw: parseRaw, sio: parseSio };

function parsed(protocol: Target['protocol'], text: string): Parsed {
  const k = protocol + text;
  let p = parsedFrames.get(k);
  if (!p) {
    // A handful of frames are live at once (one per kind of viewer and prev); old ones go.
    if (parsedFrames.size >= 256) parsedFrames.clear();
    p = parsers[protocol](text);
    parsedFrames.set(k, p);
  }
  return p;
}

function onMessage(c: Client, raw: WebSocket.RawData) {
  const now = wallMs();
  c.received += 1;
  const buffer = Buffer.isBuffer(raw) ? raw : null;
  let p = buffer && parsedBuffers.get(buffer);
  let text: string | undefined;
  if (!p) {
    text = raw.toString();
    p = parsed(c.protocol, text);
    if (buffer) parsedBuffers.set(buffer, p);
  }
  if (p.kind === 'reply') c.ws.send(p.text);
  else if (p.kind === 'state') {
    if (c.protocol === 'ours') c.seq = p.seq;
    for (const u of p.units) gotUnit(c, u.id, u.version, now);
    markSynced(c, c.wire?.messages[c.received - 1] ?? (text ?? raw.toString()).length, now);
  } else if (p.kind === 'changes' && c.synced) {
    if (c.protocol === 'ours') {
      if (p.seq <= c.seq) return;
      if (p.prev > c.seq) {
        gaps += 1;
        c.ws.send(JSON.stringify({ type: 'resync', since: c.seq }));
        return;
      }
      c.seq = p.seq;
    }
    for (const u of p.units) gotUnit(c, u.id, u.version, now);
  }
}

function markSynced(c: Client, bytes: number, now: number) {
  if (c.synced) return;
  c.synced = true;
  syncedCount += 1;
  firstFrameBytes = Math.max(firstFrameBytes, bytes);
  lastSyncedAt = now;
  onProgress?.();
}

function wsUrl(t: Target): string {
  if (t.protocol === 'sio') return `${t.wsUrl}/socket.io/?EIO=4&transport=websocket`;
  return t.wsUrl;
}

async function connect(cmd: Extract<ClientsCommand, { cmd: 'connect' }>): Promise<ThreadConnect> {
  await closeAll();
  unitSpan = cmd.unitSpan;
  due = DueTimes.of(cmd.due);
  held = new Int32Array(cmd.indices.length * unitSpan);
  syncedCount = 0;
  firstFrameBytes = 0;
  lastSyncedAt = 0;
  gaps = 0;
  shed = 0;
  let refused = 0;
  /** Why clients ended without state: HTTP status of a refused upgrade, or close code. */
  const reasons: Record<string, number> = {};
  const n = cmd.indices.length;
  await new Promise<void>((resolve) => {
    const check = () => {
      if (syncedCount + refused >= n) resolve();
    };
    onProgress = check;
    cmd.indices.forEach((i, slot) => {
      const t = cmd.targets[i % cmd.targets.length]!;
      const cookie = t.cookies.length > 0 ? t.cookies[i % t.cookies.length] : undefined;
      const ws = new WebSocket(wsUrl(t), {
        headers: cookie ? { cookie } : {},
        // As a browser: it offers permessage-deflate.
        perMessageDeflate: true,
        handshakeTimeout: cmd.timeoutMs,
      });
      const c: Client = {
        ws,
        slot,
        protocol: t.protocol,
        seq: -1,
        synced: false,
        closed: false,
        wire: new FrameSizes(),
        received: 0,
      };
      clients.push(c);
      ws.once('open', () => {
        // Ahead of ws's listener, which delivers the message within the chunk that ends it;
        // bytes that came with the handshake's answer are read again after 'open'.
        const socket = (ws as unknown as { _socket: NodeJS.ReadableStream })._socket;
        const count = (d: Buffer) => {
          c.wire?.push(d);
          if (c.synced) {
            socket.off('data', count);
            c.wire = null;
          }
        };
        socket.prependListener('data', count);
      });
      ws.on('message', (raw) => onMessage(c, raw));
      ws.on('error', () => {});
      ws.on('unexpected-response', (_req, res) => {
        reasons[`http ${res.statusCode}`] = (reasons[`http ${res.statusCode}`] ?? 0) + 1;
        ws.terminate();
      });
      ws.on('close', (code) => {
        if (!c.synced) reasons[`close ${code}`] = (reasons[`close ${code}`] ?? 0) + 1;
        c.closed = true;
        if (code === 4008) shed += 1;
        if (!c.synced) {
          refused += 1;
          check();
        }
      });
    });
    check();
    setTimeout(resolve, cmd.timeoutMs).unref();
  });
  onProgress = null;
  return { synced: syncedCount, refused: n - syncedCount, reasons, firstFrameBytes, lastSyncedAt };
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
  parsedFrames.clear();
  parsedBuffers = new WeakMap();
  inflated.clear();
}

/** Resolves with how many (client, unit) pairs still lack the version, when none or at timeout. */
async function watch(units: Array<{ id: number; version: number }>, timeoutMs: number) {
  const until = performance.now() + timeoutMs;
  const missing = () => {
    let m = 0;
    for (const c of clients) {
      if (!c.synced || c.closed) continue;
      const base = c.slot * unitSpan;
      for (const u of units) if (u.id < unitSpan && held[base + u.id]! < u.version) m += 1;
    }
    return m;
  };
  // One unit is cheap to check often (the latency row waits on it between changes).
  const every = units.length <= 4 ? 2 : 50;
  let m = missing();
  while (m > 0 && performance.now() < until) {
    await new Promise((r) => setTimeout(r, every));
    m = missing();
  }
  return m;
}

function stats(): ThreadStats {
  const open = clients.filter((c) => c.synced && !c.closed).length;
  return { hist, received, gaps, shed, open, closed: clients.length - open };
}

parentPort!.on('message', (msg: { id: number; command: ClientsCommand }) => {
  const { id, command } = msg;
  const run = async (): Promise<unknown> => {
    switch (command.cmd) {
      case 'connect':
        return connect(command);
      case 'reset':
        hist = new Uint32Array(HIST_MS + 1);
        received = 0;
        return {};
      case 'watch':
        return watch(command.units, command.timeoutMs);
      case 'stats':
        return stats();
      case 'close':
        await closeAll();
        return {};
    }
  };
  run().then(
    (result) => parentPort!.postMessage({ id, ok: true, result }),
    (err: unknown) =>
      parentPort!.postMessage({ id, ok: false, error: String((err as Error).stack ?? err) }),
  );
});
