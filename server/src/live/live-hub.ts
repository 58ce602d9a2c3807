import type { FastifyBaseLogger } from 'fastify';
import type { Database, Executor } from '@opvangatlas/db';
import {
  LIVE_CLOSE_RESTART,
  LIVE_CLOSE_TOO_MANY,
  LIVE_CLOSE_TOO_SLOW,
  LIVE_CLOSE_UNAUTHORIZED,
  encodeSlice,
  scopeOf,
} from '@opvangatlas/shared';
import { listEvents, listRecentEvents, maxSeq } from '../modules/events/event-repository';
import { inAudience, roomsOf, roomsOfAudience, viewerIdentity, type Viewer } from './audience';
import type { Bus } from './bus';
import { deflatePayload, deflatedFor, sendDeflated, type SharedFrame } from './deflated-frame';
import { FrameRenderer, LiveRoutes, framed } from './frames';
import type { LiveEvent } from './live-event';
import type { LiveModule } from './live-module';

/**
 * What the hub needs of a websocket; `ws.WebSocket` fits. Frames come as UTF-8 buffers
 * (`binary: false`, so text frames): one buffer serves every client that gets the frame.
 * ws never compresses them itself (`compress: false`): a shared frame is deflated once for
 * all sockets that negotiated permessage-deflate (deflated-frame.ts).
 */
export interface LiveSocket {
  send(data: Buffer, options: { binary: false; compress: false }): void;
  close(code?: number, reason?: string): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
}

interface LiveClient {
  socket: LiveSocket;
  viewer: Viewer;
  /** The session the socket was opened with; closed when that session ends. */
  sessionId: string | null;
  rooms: string[];
  /** Seq of the last frame sent: the `prev` of the next one. -1 until synced. */
  seq: number;
  /** A resync is queued: further requests are ignored until it has run (one at a time). */
  syncQueued: boolean;
  /** When the client was last brought up to date; resyncs closer together wait. */
  syncedAt: number;
  /** When it was last sent anything (performance.now()): a busy client needs no heartbeat. */
  sentAt: number;
  /** Which tick of the heartbeat round is this client's (heartbeats are spread out). */
  beatPhase: number;
}

/**
 * How far apart flushes are (see process): at least this many ticks, and, on a busy loop, at
 * least this many times the last flush's cost, so the fan-out takes at most 1 / costs of the
 * loop and requests and commits are served in between.
 */
interface Pace {
  ticks: number;
  costs: number;
}
/**
 * A flush that carried this many events or more means changes stream in. Fewer come together
 * without a stream: a unit change and the swap proposals that fall and rise with it make three.
 */
const STREAM_EVENTS = 4;
/**
 * While changes stream in (see STREAM_EVENTS): at hundreds of changes a second the frames, not
 * the changes, are the cost (a write per socket here, a parse per frame on every screen), so a
 * client gets at most ten frames a second, each with more changes, and the fan-out takes at
 * most a quarter of a busy loop. Highest rate held at 1,000 clients with p99 <= 200 ms (bench):
 * at two ticks and twice the cost, Postgres + Redis 1 instance 200-300/s, 2 instances 200/s
 * (two runs, 300/s never); with this pace 100-600/s and 200-500/s (six runs; 400/s or more
 * in three of them each). p99 sits at 120-200 ms from 100/s up, so a step passes or fails on
 * one stall.
 */
const STREAMING: Pace = { ticks: 4, costs: 4 };
/**
 * A few changes now and then on a busy loop (the last flush carried two or three events: a
 * unit change and the swap proposals it moves, say): two ticks, or 1.5 times the last flush's
 * cost if that is longer, so the fan-out takes at most two thirds of the loop. At half (twice
 * the cost), one change after the other to 5,000 clients on one instance (flushes of 40-60
 * ms, up to 120 right after a reconnect storm) waited up to 100 ms for its fan-out after the
 * loop had caught up. From about 80 changes/s two ticks gather four events or more, and the
 * stream's pace takes over.
 */
const BUSY: Pace = { ticks: 2, costs: 1.5 };
/**
 * A lone change on a busy loop (the last flush carried one event): one tick, or the stretch
 * by cost. A loop is often busy for a moment with nothing waiting (a swap recompute, the
 * change's own request), and two ticks held such changes 19-30 ms after flushes that had cost
 * 5-11 ms. One change after the other to 1,000 clients, three alternating runs of 40 changes
 * on embedded and Postgres + Redis each: after the first four, 25 of 216 changes took over 35
 * ms against 32 of 216 with two ticks; p99 on Postgres + Redis 39-50 ms against 50-62
 * (embedded within the noise). Only after a lone change: with one tick after any flush on a
 * busy loop, 80-160 changes/s never made a stream, and the extra frames took the loop from
 * the requests (embedded, 1,000 clients, HTTP p99 at 100 changes/s 83-138 ms against 32-35
 * with this pace and 39-44 with two ticks).
 */
const BUSY_LONE: Pace = { ticks: 1, costs: 1.5 };
/**
 * The pace after a flush of `events` (null: the tick alone). On an idle loop only a stream
 * keeps its pace; nothing was waiting behind the fan-out.
 */
function paceAfter(events: number, loopBusy: boolean): Pace | null {
  if (events >= STREAM_EVENTS) return STREAMING;
  if (!loopBusy) return null;
  return events > 1 ? BUSY : BUSY_LONE;
}
/** A loop busy less than this share of the time since the last flush had nothing waiting. */
const IDLE_LOOP_SHARE = 0.5;
/** The stretch's cap in ticks: one slow flush (a stall) must not hold the next. */
const MAX_STRETCH_TICKS = 10;

/** A heartbeat round is spread over this many ticks, so no tick writes to every socket. */
const BEAT_PHASES = 10;

/**
 * Batch frames from this size on are deflated (once per buffer, shared like the buffer);
 * smaller ones gain too little for the CPU. Snapshots always are (96 KB become ~21 KB).
 */
const DEFLATE_BATCH_BYTES = 8 * 1024;

export interface LiveHubOptions {
  database: Database;
  bus: Bus;
  modules: LiveModule[];
  log: FastifyBaseLogger;
  /** Which of these sessions still exist; sockets of the others are closed. */
  activeSessions?: (ids: string[]) => Promise<Set<string>>;
  /**
   * A client whose socket already buffers more than this when a frame is due is dropped and
   * resyncs (memory bound: this plus one frame, which may be a big snapshot).
   */
  maxBufferedBytes?: number;
  /**
   * Changes are sent at most once per this many ms: however many commit meanwhile, each
   * client gets one frame per tick (the first change after a quiet spell goes out at once).
   */
  flushMs?: number;
  /** Recent events kept in memory, so a resuming client is answered without a query. */
  ringSize?: number;
  /** A resume with more events than this for the viewer gets a snapshot instead. */
  replayLimit?: number;
  /** Safety net for lost bus messages: how often to look for events not yet seen. */
  catchUpMs?: number;
  heartbeatMs?: number;
  /** How often the sessions behind open sockets are checked (expiry, lost logout messages). */
  sessionCheckMs?: number;
  maxSocketsPerUser?: number;
  /** A client is answered at most one resync per this interval; later ones wait for it. */
  minResyncMs?: number;
}

const OPEN = 1;

/**
 * Per-instance fan-out. Takes committed events from the bus in seq order (filling gaps from
 * the events table), lets the owning modules apply them to their in-memory view, and sends
 * each client one frame per batch with what its audience and class may see. Snapshots and
 * resumes are answered from memory; the database is only read at start and to fill gaps.
 */
export class LiveHub {
  private readonly clients = new Map<LiveSocket, LiveClient>();
  private readonly rooms = new Map<string, Set<LiveClient>>();
  private readonly socketsPerUser = new Map<number, number>();
  private readonly routes: LiveRoutes;
  /** Owner of each event type (routes.owners). */
  private readonly moduleByType: ReadonlyMap<string, LiveModule>;
  /** Highest seq applied; every event up to it is in the modules' views. */
  private lastSeq = 0;
  /** The last `ringSize` events, ascending and contiguous up to lastSeq. */
  private ring: LiveEvent[] = [];
  /** Applied but not yet sent; flushed together, so a burst becomes one frame per client. */
  private unsent: LiveEvent[] = [];
  private flushScheduled = false;
  private lastFlushAt = -Infinity;
  /** How many events the last flush carried (0 before the first). */
  private lastFlushEvents = 0;
  /** How long the last flush held the event loop (socket writes included). */
  private lastFlushCost = 0;
  /** The event loop's utilization counters when the last flush ended. */
  private afterFlush = performance.eventLoopUtilization();
  private readonly snapshots = new Map<string, { seq: number; frame: SharedFrame }>();
  /** Frames deflated so far (each once, whatever the number of sockets it went to). */
  private deflations = 0;
  private chain: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: Array<() => void> = [];
  private started = false;
  /** Whether the last read of the events table worked; clients are told when it changes. */
  private databaseOk = true;
  private beatTick = 0;
  private attached = 0;
  /** Modules whose observer failed on an event: their view may be off; reloaded by catchUp. */
  private readonly stale = new Set<LiveModule>();
  private readonly o: Required<Omit<LiveHubOptions, 'activeSessions'>> &
    Pick<LiveHubOptions, 'activeSessions'>;

  constructor(opts: LiveHubOptions) {
    this.o = {
      maxBufferedBytes: 1_000_000,
      ringSize: 5000,
      replayLimit: 1000,
      catchUpMs: 5000,
      heartbeatMs: 15_000,
      sessionCheckMs: 30_000,
      maxSocketsPerUser: 20,
      minResyncMs: 1000,
      flushMs: 25,
      ...opts,
    };
    this.routes = new LiveRoutes(opts.modules);
    this.moduleByType = this.routes.owners;
  }

  async start(): Promise<void> {
    // One consistent read: the modules' views and the ring are exactly the state at lastSeq.
    await this.o.database.db.transaction(
      async (tx) => {
        this.lastSeq = await maxSeq(tx);
        for (const m of this.o.modules) await m.load(tx);
        const recent = await this.fromTable(
          listRecentEvents(tx, this.lastSeq, this.o.ringSize),
          tx,
        );
        this.ring = recent.map((e) => this.decode(e) ?? e);
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    this.started = true;
    this.unsubscribe = [
      this.o.bus.subscribe((msg) => {
        if (msg.kind === 'events') void this.enqueue(() => this.process(msg.events));
        else this.endSessions(msg.sessionIds);
      }),
      this.o.bus.onReconnect(() => void this.catchUp()),
    ];
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.o.catchUpMs, () => void this.catchUp());
    // Each tick writes to a tenth of the sockets: 5,000 writes at once would hold a change
    // that commits meanwhile for a good part of 100 ms. A client about to go silent for
    // heartbeatMs is sent one whatever its phase (see heartbeat).
    every(this.beatTickMs, () => this.heartbeat(false));
    every(this.o.sessionCheckMs, () => void this.checkSessions());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const off of this.unsubscribe) off();
    await this.chain;
    this.flush();
    // "Service restart": the web client reconnects at once, to an instance still running.
    for (const c of this.clients.values()) c.socket.close(LIVE_CLOSE_RESTART, 'server stopping');
    this.clients.clear();
    this.rooms.clear();
    this.socketsPerUser.clear();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get seq(): number {
    return this.lastSeq;
  }

  get framesDeflated(): number {
    return this.deflations;
  }

  /** Looks for events committed but not seen on the bus (lost message, reconnect). */
  catchUp(): Promise<void> {
    return this.enqueue(async () => {
      let missed;
      try {
        const db = this.o.database.db;
        missed = await this.fromTable(listEvents(db, this.lastSeq, { limit: 1000 }), db);
      } catch (err) {
        this.setDatabaseOk(false, err);
        return;
      }
      this.setDatabaseOk(true);
      if (missed.length > 0) await this.process(missed);
      if (this.stale.size > 0) await this.reloadStale();
    });
  }

  /**
   * Reloads the modules an observer failure left behind, at exactly lastSeq (as at start);
   * when more has been committed meanwhile, the next catch-up tries again. Clients already
   * connected get the reloaded state with their next change or resync.
   */
  private async reloadStale(): Promise<void> {
    const modules = [...this.stale];
    const reloaded = await this.o.database.db.transaction(
      async (tx) => {
        if ((await maxSeq(tx)) > this.lastSeq) return false;
        for (const m of modules) await m.load(tx);
        return true;
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    if (!reloaded) return;
    for (const m of modules) this.stale.delete(m);
    this.snapshots.clear();
    this.o.log.info({ modules: modules.map((m) => m.name) }, 'live hub: modules reloaded');
  }

  /** The catch-up poll doubles as the database probe: clients hear of a change at once. */
  private setDatabaseOk(ok: boolean, err?: unknown): void {
    if (ok === this.databaseOk) return;
    this.databaseOk = ok;
    if (ok) this.o.log.info('live hub: database reachable again, caught up');
    else this.o.log.warn({ err }, 'live hub: database unreachable; clients told');
    this.heartbeat(true);
  }

  /** Registers a websocket and brings it up to date (snapshot, or what it missed since `since`). */
  attach(socket: LiveSocket, viewer: Viewer, opts: { sessionId?: string; since?: number } = {}) {
    const open = this.socketsPerUser.get(viewer.id) ?? 0;
    if (open >= this.o.maxSocketsPerUser) {
      socket.close(LIVE_CLOSE_TOO_MANY, 'too many connections');
      return Promise.resolve();
    }
    this.socketsPerUser.set(viewer.id, open + 1);
    const client: LiveClient = {
      socket,
      viewer,
      sessionId: opts.sessionId ?? null,
      rooms: roomsOf(viewer),
      seq: -1,
      syncQueued: true,
      syncedAt: 0,
      sentAt: 0,
      beatPhase: this.attached++ % BEAT_PHASES,
    };
    this.clients.set(socket, client);
    for (const room of client.rooms) {
      let members = this.rooms.get(room);
      if (!members) this.rooms.set(room, (members = new Set()));
      members.add(client);
    }
    return this.enqueue(async () => this.sync(client, opts.since));
  }

  detach(socket: LiveSocket): void {
    const client = this.clients.get(socket);
    if (!client) return;
    this.clients.delete(socket);
    for (const room of client.rooms) this.rooms.get(room)?.delete(client);
    const open = (this.socketsPerUser.get(client.viewer.id) ?? 1) - 1;
    if (open > 0) this.socketsPerUser.set(client.viewer.id, open);
    else this.socketsPerUser.delete(client.viewer.id);
  }

  /** The client asked to resync from `since` (it saw a gap). One at a time per client. */
  resync(socket: LiveSocket, since?: number): Promise<void> {
    const client = this.clients.get(socket);
    if (!client || client.syncQueued) return Promise.resolve();
    client.syncQueued = true;
    const wait = client.syncedAt + this.o.minResyncMs - Date.now();
    if (wait <= 0) return this.enqueue(() => this.sync(client, since));
    // Asked again so soon: answered once, a little later, from the state of that moment.
    return new Promise((resolve) => {
      setTimeout(() => void this.enqueue(() => this.sync(client, since)).then(resolve), wait);
    });
  }

  /** Closes the sockets of sessions that ended (logout on any instance). */
  endSessions(sessionIds: string[]): void {
    const ended = new Set(sessionIds);
    for (const c of [...this.clients.values()]) {
      if (c.sessionId !== null && ended.has(c.sessionId)) this.close(c, LIVE_CLOSE_UNAUTHORIZED);
    }
  }

  private async checkSessions(): Promise<void> {
    const check = this.o.activeSessions;
    const ids = [...new Set([...this.clients.values()].flatMap((c) => c.sessionId ?? []))];
    if (!check || ids.length === 0) return;
    try {
      const active = await check(ids);
      this.endSessions(ids.filter((id) => !active.has(id)));
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'session check failed');
    }
  }

  private enqueue(task: () => Promise<void> | void): Promise<void> {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      this.o.log.error({ err }, 'live hub task failed');
    });
    return this.chain;
  }

  /** Events read from the table, with what their modules keep out of it put back. */
  private async fromTable(read: Promise<LiveEvent[]>, ex: Executor): Promise<LiveEvent[]> {
    let events = await read;
    for (const m of this.o.modules) {
      if (!m.hydrate) continue;
      const own = events.filter((e) => this.moduleByType.get(e.type) === m);
      if (own.length === 0) continue;
      const hydrated = new Map((await m.hydrate(own, ex)).map((e) => [e.seq, e]));
      events = events.map((e) => hydrated.get(e.seq) ?? e);
    }
    return events;
  }

  /** The event with its data checked by the owning module, or null when it cannot be used. */
  private decode(event: LiveEvent): LiveEvent | null {
    const module = this.moduleByType.get(event.type);
    const parsed = module?.events[event.type]!.safeParse(event.data);
    if (!parsed?.success) {
      this.o.log.warn({ seq: event.seq, type: event.type }, 'live event without a valid module');
      return null;
    }
    return { ...event, data: parsed.data };
  }

  private async process(incoming: LiveEvent[]): Promise<void> {
    if (!this.started) return;
    let events = incoming.filter((e) => e.seq > this.lastSeq);
    if (events.length === 0) return;
    if (events[0]!.seq !== this.lastSeq + 1) {
      // Another instance's message overtook this one, or one got lost: the table has it all.
      // Seq order is commit order, so once seq N is committed, a seq below it that the table
      // does not hold was rolled back and never comes: the read is authoritative.
      const until = events.at(-1)!.seq;
      const db = this.o.database.db;
      events = await this.fromTable(listEvents(db, this.lastSeq, { until }), db);
    }
    for (const raw of events) {
      if (raw.seq <= this.lastSeq) continue;
      const event = this.decode(raw);
      if (event) {
        this.moduleByType.get(event.type)!.apply(event);
        for (const m of this.routes.observers.get(event.type) ?? []) this.observe(m, event);
        this.unsent.push(event);
      }
      this.ring.push(event ?? raw);
      this.lastSeq = raw.seq;
    }
    if (this.ring.length > this.o.ringSize * 1.25) this.ring = this.ring.slice(-this.o.ringSize);
    if (!this.flushScheduled && this.unsent.length > 0) {
      this.flushScheduled = true;
      // A change after a quiet spell goes out at once, or at the next tick if the last flush
      // was less than a tick ago. While changes stream in, flushes are four ticks apart; on a
      // busy loop, two after a flush of a few changes together (one after a lone one), and
      // the pace stretches further when a flush is expensive (many sockets), up to the cap. A
      // client then gets fewer frames, each with more changes; nothing is lost or reordered.
      const loopBusy =
        performance.eventLoopUtilization(this.afterFlush).utilization >= IDLE_LOOP_SHARE;
      const pace = paceAfter(this.lastFlushEvents, loopBusy);
      const every = pace
        ? Math.max(
            pace.ticks * this.o.flushMs,
            loopBusy
              ? Math.min(pace.costs * this.lastFlushCost, MAX_STRETCH_TICKS * this.o.flushMs)
              : 0,
          )
        : this.o.flushMs;
      const wait = this.lastFlushAt + every - performance.now();
      if (wait <= 0) setImmediate(() => this.flush());
      else setTimeout(() => this.flush(), wait);
    }
  }

  /**
   * An observer that throws must not hold the stream: the owner has applied the event, so
   * lastSeq moves on and every later event too. Only the observer's own view may be off, so
   * its module is reloaded at the next catch-up.
   */
  private observe(module: LiveModule, event: LiveEvent): void {
    try {
      module.observes!.apply(event);
    } catch (err) {
      this.stale.add(module);
      this.o.log.error(
        { err, seq: event.seq, type: event.type, module: module.name },
        'live hub: observer failed; its module is reloaded at the next catch-up',
      );
    }
  }

  /** Sends everything applied since the last flush: one frame per client in its audience. */
  private flush(): void {
    this.flushScheduled = false;
    const events = this.unsent;
    if (events.length === 0) return;
    this.lastFlushEvents = events.length;
    this.unsent = [];
    const started = performance.now();
    this.lastFlushAt = started;
    const seq = this.lastSeq;
    const renderer = new FrameRenderer(this.routes, events, seq);
    const audience = new Set<LiveClient>();
    for (const e of events) {
      for (const room of roomsOfAudience(e.audience))
        for (const c of this.rooms.get(room) ?? []) audience.add(c);
    }
    // Clients of one kind of viewer mostly share their `prev` too: one buffer for all of them,
    // found by the body string itself (the same string object, so its hash is computed once).
    const buffers = new Map<string, Map<number, Buffer | SharedFrame>>();
    let failed: { err: unknown; clients: number } | undefined;
    for (const c of audience) {
      if (c.seq < 0 || c.seq >= seq) continue; // Not synced yet, or its sync already has these.
      // A flush runs from a timer: a projection that throws would end the process. That
      // client gets a snapshot instead (no projection needed); the others their frames.
      try {
        const body = renderer.bodyFor(c.viewer);
        if (body === null) continue;
        let byPrev = buffers.get(body);
        if (!byPrev) buffers.set(body, (byPrev = new Map()));
        let buffer = byPrev.get(c.seq);
        if (!buffer) {
          const text = Buffer.from(framed(c.seq, body));
          byPrev.set(c.seq, (buffer = text.length < DEFLATE_BATCH_BYTES ? text : { text }));
        }
        this.send(c, buffer, seq);
      } catch (err) {
        failed ??= { err, clients: 0 };
        failed.clients += 1;
        this.resnapshot(c);
      }
    }
    if (failed) {
      const types = [...new Set(events.map((e) => e.type))];
      this.o.log.error(
        { err: failed.err, clients: failed.clients, seq, types },
        'live hub: projection failed; those clients were sent a snapshot',
      );
    }
    this.lastFlushCost = performance.now() - started;
    this.afterFlush = performance.eventLoopUtilization();
  }

  /** Brings a client to lastSeq by snapshot; when even that fails, closes it to resume. */
  private resnapshot(client: LiveClient): void {
    try {
      this.send(client, this.snapshotFrame(client.viewer), this.lastSeq);
    } catch (err) {
      this.o.log.error({ err }, 'live hub: snapshot failed; client closed to resume');
      this.close(client, LIVE_CLOSE_TOO_SLOW);
    }
  }

  private get beatTickMs(): number {
    return Math.max(1, this.o.heartbeatMs / BEAT_PHASES);
  }

  /**
   * All clients (a status change, at once), or this tick's share of them that were sent
   * nothing for half a heartbeat interval (any frame proves the connection alive too), and
   * any client that would be silent for heartbeatMs by the next tick. Ticks drift under load
   * (a round of ten took up to 3.6 s instead of 2), so the phase alone cannot bound the
   * silence; this does, to heartbeatMs plus one late tick, under the web watchdog's 5 s.
   */
  private heartbeat(everyone: boolean): void {
    const phase = everyone ? -1 : this.beatTick++ % BEAT_PHASES;
    const now = performance.now();
    const quietSince = now - this.o.heartbeatMs / 2;
    const dueSince = now - (this.o.heartbeatMs - this.beatTickMs);
    let frame: Buffer | undefined;
    for (const c of this.clients.values()) {
      if (c.seq < 0) continue;
      const due = c.sentAt <= dueSince || (c.beatPhase === phase && c.sentAt <= quietSince);
      if (!everyone && !due) continue;
      frame ??= this.heartbeatFrame();
      this.send(c, frame, c.seq);
    }
  }

  private heartbeatFrame(): Buffer {
    return Buffer.from(
      JSON.stringify({
        type: 'heartbeat',
        at: new Date().toISOString(),
        status: this.databaseOk ? 'ok' : 'database_unavailable',
      }),
    );
  }

  private send(client: LiveClient, frame: Buffer | SharedFrame, seq: number): void {
    const socket = client.socket;
    if (socket.readyState !== OPEN) return;
    // Every send, snapshots included, is bounded: a client that does not read is dropped
    // (closed with 4008, it resumes by seq) instead of holding memory or the others up.
    if (socket.bufferedAmount > this.o.maxBufferedBytes) {
      this.close(client, LIVE_CLOSE_TOO_SLOW);
      return;
    }
    if (Buffer.isBuffer(frame)) socket.send(frame, { binary: false, compress: false });
    else {
      const payload = deflatedFor(socket, frame, this.deflateFailed, this.deflate);
      if (payload) sendDeflated(socket, payload);
      else socket.send(frame.text, { binary: false, compress: false });
    }
    client.seq = seq;
    client.sentAt = performance.now();
  }

  /** deflatePayload, counted (see framesDeflated). */
  private readonly deflate = (text: Buffer): Buffer => {
    const payload = deflatePayload(text);
    this.deflations += 1;
    return payload;
  };

  private readonly deflateFailed = (err: unknown): void => {
    this.o.log.warn({ err }, 'live hub: deflating a frame failed; it goes out plain');
  };

  private close(client: LiveClient, code: number): void {
    this.detach(client.socket);
    client.socket.close(code, code === LIVE_CLOSE_TOO_SLOW ? 'too slow, resync' : 'session ended');
  }

  /**
   * Brings a client to lastSeq: one batch of the events it missed when the ring still holds
   * them and they are not too many, a snapshot otherwise. Runs in the chain, so no frame of
   * a later event can overtake it.
   */
  private sync(client: LiveClient, since: number | undefined): void {
    client.syncQueued = false;
    client.syncedAt = Date.now();
    if (!this.clients.has(client.socket)) return;
    const seq = this.lastSeq;
    const ringFrom = this.ring[0]?.seq ?? seq + 1;
    if (since !== undefined && since <= seq && since >= ringFrom - 1 && this.issued(since)) {
      const missed = this.ring.filter(
        (e) =>
          e.seq > since && inAudience(client.viewer, e.audience) && this.moduleByType.has(e.type),
      );
      if (missed.length <= this.o.replayLimit) {
        client.seq = since;
        if (missed.length === 0) return;
        let frame: string | null;
        try {
          frame = new FrameRenderer(this.routes, missed, seq).frameFor(client.viewer, since);
        } catch (err) {
          // The replay's projection throws: the snapshot needs none (see flush).
          this.o.log.error({ err, since, seq }, 'live hub: replay failed; snapshot instead');
          this.send(client, this.snapshotFrame(client.viewer), seq);
          return;
        }
        // Plain, even when big: the replay is rendered for this client alone, so deflating it
        // would cost a zlib run per client, and replays come in storms (a restart's
        // reconnects), when CPU is scarcest. Most are small (a few missed events); a shared,
        // deflated replay would need a cache by viewer, since and seq, like snapshotFrame's.
        if (frame !== null) this.send(client, Buffer.from(frame), seq);
        else client.seq = since;
        return;
      }
    }
    this.send(client, this.snapshotFrame(client.viewer), seq);
  }

  /**
   * Whether `since` is a seq this database gave out: every seq a client holds is an event's
   * (or 0 before the first). One it never gave out comes from another timeline (a client that
   * saw changes a restored backup lacks): that client gets a snapshot, not a replay.
   */
  private issued(since: number): boolean {
    if (since === this.lastSeq) return true;
    if (since === 0) return this.ring[0]?.seq === 1;
    let lo = 0;
    let hi = this.ring.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.ring[mid]!.seq;
      if (s === since) return true;
      if (s < since) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** One rendering per kind of viewer and seq, shared by every client that connects meanwhile. */
  private snapshotFrame(viewer: Viewer): SharedFrame {
    const key = viewerIdentity(viewer);
    const cached = this.snapshots.get(key);
    if (cached?.seq === this.lastSeq) return cached.frame;
    const slices: Record<string, unknown> = {};
    for (const m of this.o.modules) {
      for (const [name, values] of Object.entries(m.snapshot(viewer)))
        slices[name] = encodeSlice(values);
    }
    const frame = {
      text: Buffer.from(
        JSON.stringify({
          type: 'snapshot',
          seq: this.lastSeq,
          scope: scopeOf(viewer.role),
          slices,
        }),
      ),
    };
    this.snapshots.set(key, { seq: this.lastSeq, frame });
    return frame;
  }
}
