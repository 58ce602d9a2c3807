/**
 * The two references of `npm run bench`, doing our work without our framework:
 *
 * - `raw`: node:http -> one pg UPDATE … RETURNING -> Redis PUBLISH -> every instance sends
 *   the message to each of its `ws` clients. A new client gets the units as one message,
 *   rendered once per change from an in-memory copy.
 * - `sio`: the same write, then `io.emit` through Socket.IO and its Redis adapter; a new
 *   client gets the units with `socket.emit`.
 *
 * No sessions, no privacy projection, no audit trail: what a minimal design costs.
 *   REFERENCE=raw|sio PORT=… DATABASE_URL=… REDIS_URL=… CHANNEL=… node --import tsx reference-server.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Server as SocketIo } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';

const kind = process.env.REFERENCE === 'sio' ? 'sio' : 'raw';
const channel = process.env.CHANNEL ?? 'bench-raw';
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const pub = new Redis(process.env.REDIS_URL!);
const sub = new Redis(process.env.REDIS_URL!);
pub.on('error', () => {});
sub.on('error', () => {});
// Subscribing before the connection is ready makes ioredis's ready check fail (subscriber mode).
await Promise.all([pub, sub].map((r) => new Promise((resolve) => r.once('ready', resolve))));

type UnitJson = Record<string, unknown> & { id: number; version: number };
const units = new Map<number, UnitJson>();
let snapshot: string | null = null;

const toJson = (r: {
  data: object;
  id: number;
  version: number;
  status: string;
  household: unknown;
  since: Date;
}) =>
  ({
    ...r.data,
    id: r.id,
    status: r.status,
    household: r.household,
    since: r.since.toISOString(),
    version: r.version,
  }) as UnitJson;

for (const r of (await pool.query('select * from ref_units order by id')).rows)
  units.set(r.id, toJson(r));

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

let broadcast: (json: string, unit: UnitJson) => void = () => {};

async function handle(req: IncomingMessage, res: ServerResponse) {
  const m = /^\/api\/units\/(\d+)$/.exec(req.url ?? '');
  if (req.method !== 'PATCH' || !m) {
    res.writeHead(404).end();
    return;
  }
  try {
    const patch = JSON.parse(await body(req)) as {
      version: number;
      status: string;
      household?: unknown;
    };
    const { rows } = await pool.query(
      `update ref_units set status = $1, household = $2, since = now(), version = version + 1
       where id = $3 and version = $4 returning *`,
      [patch.status, patch.household ?? null, Number(m[1]), patch.version],
    );
    if (rows.length === 0) {
      res.writeHead(409, { 'content-type': 'application/json' }).end('{"error":"conflict"}');
      return;
    }
    const json = JSON.stringify(toJson(rows[0]));
    res.writeHead(200, { 'content-type': 'application/json' }).end(json);
    if (kind === 'raw') void pub.publish(channel, json);
    else broadcast(json, JSON.parse(json) as UnitJson);
  } catch (err) {
    res.writeHead(500).end(String(err));
  }
}

const http = createServer((req, res) => void handle(req, res));

if (kind === 'raw') {
  const wss = new WebSocketServer({ server: http, path: '/ws' });
  const clients = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    snapshot ??= JSON.stringify({ snapshot: [...units.values()] });
    ws.send(snapshot);
  });
  await sub.subscribe(channel);
  sub.on('message', (_ch, json: string) => {
    const unit = JSON.parse(json) as UnitJson;
    units.set(unit.id, unit);
    snapshot = null;
    for (const ws of clients) ws.send(json);
  });
} else {
  const io = new SocketIo(http, { adapter: createAdapter(pub, sub), transports: ['websocket'] });
  io.on('connection', (socket) => socket.emit('snapshot', [...units.values()]));
  broadcast = (_json, unit) => {
    units.set(unit.id, unit);
    io.emit('unit', unit);
  };
}

http.listen(Number(process.env.PORT), '127.0.0.1', 4096, () => {
  process.send?.('ready');
  console.log(`${kind} reference listening on ${process.env.PORT}`);
});
process.on('SIGTERM', () => process.exit(0));
