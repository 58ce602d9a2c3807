import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '@opvangatlas/db';
import {
  LIVE_CLOSE_TOO_SLOW,
  type RegionDelta,
  type SessionUser,
  type Snapshot,
} from '@opvangatlas/shared';
import type { AvailabilityService } from '../modules/availability/availability-service';
import { listEvents, maxSeq } from '../modules/events/event-repository';
import { listLocations, toLocation } from '../modules/locations/location-repository';
import { access, unitFor } from '../modules/session/access';
import { listUnits, toUnit } from '../modules/units/unit-repository';
import type { Bus } from './bus';
import { EventFrames, render } from './frames';
import type { LiveEvent } from './live-event';

/** What the hub needs of a websocket; `ws.WebSocket` fits. */
export interface LiveSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly bufferedAmount: number;
  readonly readyState: number;
}

interface LiveClient {
  socket: LiveSocket;
  user: SessionUser;
  /** Municipalities get their region's aggregates, everyone else units. */
  stream: string;
  /** Highest seq this client holds; frames at or below it are not sent again. */
  seq: number;
  /** While a snapshot or replay is being read, live frames wait here. */
  pending: { seq: number; frame: string }[] | null;
}

export interface LiveHubOptions {
  database: Database;
  bus: Bus;
  availability: AvailabilityService;
  log: FastifyBaseLogger;
  /** A client whose socket buffers more than this is dropped and resyncs (memory bound). */
  maxBufferedBytes?: number;
  /** A resume further behind than this gets a snapshot instead of a replay. */
  replayLimit?: number;
  /** Safety net for lost bus messages: how often to look for events not yet seen. */
  catchUpMs?: number;
}

const OPEN = 1;
const UNITS_STREAM = 'units';
const regionStream = (regionId: number) => `region:${regionId}`;

/**
 * Per-instance fan-out: takes committed events from the bus in seq order (filling gaps
 * from the events table), renders each once per audience and sends it to the websocket
 * clients allowed to see it.
 */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  /** Highest seq processed; every event up to it has been delivered. */
  private lastSeq = 0;
  /** Last seq sent per stream: the `prev` of the next frame in that stream. */
  private readonly streamPrev = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: Array<() => void> = [];
  private readonly maxBuffered: number;
  private readonly replayLimit: number;

  constructor(private readonly opts: LiveHubOptions) {
    this.maxBuffered = opts.maxBufferedBytes ?? 1_000_000;
    this.replayLimit = opts.replayLimit ?? 1000;
  }

  async start(): Promise<void> {
    this.lastSeq = await maxSeq(this.opts.database.db);
    this.unsubscribe = [
      this.opts.bus.subscribe((event) => this.enqueue(() => this.process(event))),
      this.opts.bus.onReconnect(() => this.catchUp()),
    ];
    this.timer = setInterval(() => this.catchUp(), this.opts.catchUpMs ?? 5000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const off of this.unsubscribe) off();
    await this.chain;
    for (const c of this.clients) c.socket.close(1001, 'server stopping');
    this.clients.clear();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get seq(): number {
    return this.lastSeq;
  }

  /** Looks for events committed but not seen on the bus (lost message, reconnect). */
  catchUp(): Promise<void> {
    return this.enqueue(async () => {
      const missed = await listEvents(this.opts.database.db, this.lastSeq, { limit: 1000 });
      for (const e of missed) await this.process(e);
    });
  }

  /** Registers a websocket and brings it up to date (snapshot, or replay from `since`). */
  async attach(socket: LiveSocket, user: SessionUser, since?: number): Promise<void> {
    const stream = access.seesUnits(user) ? UNITS_STREAM : regionStream(user.regionId ?? 0);
    const client: LiveClient = { socket, user, stream, seq: 0, pending: null };
    this.clients.add(client);
    await this.sync(client, since);
  }

  detach(socket: LiveSocket): void {
    for (const c of this.clients) if (c.socket === socket) this.clients.delete(c);
  }

  /** The client asked to resync from `since` (it saw a gap). */
  async resync(socket: LiveSocket, since?: number): Promise<void> {
    for (const c of this.clients) if (c.socket === socket) await this.sync(c, since);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(task).catch((err: unknown) => {
      this.opts.log.error({ err }, 'live hub task failed');
    });
    return this.chain;
  }

  private async process(event: LiveEvent): Promise<void> {
    if (event.seq <= this.lastSeq) return;
    let batch = [event];
    if (event.seq !== this.lastSeq + 1) {
      // Another instance's message overtook this one, or one got lost: the table has it all.
      batch = await listEvents(this.opts.database.db, this.lastSeq, { until: event.seq });
      if (batch.at(-1)?.seq !== event.seq) batch.push(event);
    }
    for (const e of batch) {
      if (e.seq <= this.lastSeq) continue;
      await this.deliver(e);
      this.lastSeq = e.seq;
    }
  }

  private async deliver(event: LiveEvent): Promise<void> {
    const unitsPrev = this.streamPrev.get(UNITS_STREAM) ?? this.lastSeq;
    const frames = new EventFrames(event, unitsPrev);
    this.streamPrev.set(UNITS_STREAM, event.seq);

    const region = regionStream(event.regionId);
    let regionFrame: string | undefined;
    for (const c of this.clients) {
      if (c.stream === UNITS_STREAM)
        this.send(c, event.seq, frames.forOrganisation(c.user.organisationId));
      else if (c.stream === region) {
        regionFrame ??= await this.regionFrame(event, this.streamPrev.get(region) ?? this.lastSeq);
        this.send(c, event.seq, regionFrame);
      }
    }
    // Also without listeners now: a municipality connecting later must see the right prev.
    if (event.type !== 'location.confirmed') this.streamPrev.set(region, event.seq);
  }

  private async regionFrame(event: LiveEvent, prev: number): Promise<string> {
    const region = await this.opts.availability.regionSummary(event.regionId);
    const delta: RegionDelta = { type: 'region', seq: event.seq, prev, at: event.at, region };
    return JSON.stringify(delta);
  }

  private send(client: LiveClient, seq: number, frame: string): void {
    if (client.pending) {
      client.pending.push({ seq, frame });
      if (client.pending.length > this.replayLimit) this.drop(client);
      return;
    }
    if (seq <= client.seq) return;
    if (client.socket.readyState !== OPEN) return;
    if (client.socket.bufferedAmount > this.maxBuffered) return this.drop(client);
    client.socket.send(frame);
    client.seq = seq;
  }

  /** A slow client would grow memory without bound: drop it; it reconnects with its seq. */
  private drop(client: LiveClient): void {
    this.clients.delete(client);
    client.socket.close(LIVE_CLOSE_TOO_SLOW, 'too slow, resync');
  }

  private async sync(client: LiveClient, since: number | undefined): Promise<void> {
    client.pending = [];
    const db = this.opts.database.db;
    let upTo: number | null = null;
    if (client.stream === UNITS_STREAM && since !== undefined) {
      const missed = await listEvents(db, since, { limit: this.replayLimit + 1 });
      const current = missed.at(-1)?.seq ?? (await maxSeq(db));
      // Too far behind, or a seq from another database (ahead of ours): start afresh.
      if (missed.length <= this.replayLimit && since <= current) {
        let prev = since;
        for (const e of missed) {
          client.socket.send(
            render(e, prev, access.isOwnOrganisation(client.user, e.organisationId)),
          );
          prev = e.seq;
        }
        upTo = prev;
      }
    }
    if (upTo === null) {
      const snapshot = await this.snapshot(client);
      client.socket.send(JSON.stringify(snapshot));
      upTo = snapshot.seq;
    }
    const pending = client.pending;
    client.pending = null;
    client.seq = upTo;
    for (const p of pending) this.send(client, p.seq, p.frame);
  }

  private snapshot(client: LiveClient): Promise<Snapshot> {
    const { user } = client;
    return this.opts.database.db.transaction(
      async (tx) => {
        const seq = await maxSeq(tx);
        if (client.stream !== UNITS_STREAM) {
          const regions = user.regionId
            ? [await this.opts.availability.regionSummary(user.regionId, tx)]
            : [];
          return { type: 'snapshot', seq, scope: 'aggregates', units: [], locations: [], regions };
        }
        const units = (await listUnits(tx)).map((r) => unitFor(user, toUnit(r)));
        const locations = (await listLocations(tx)).map(toLocation);
        return { type: 'snapshot', seq, scope: 'units', units, locations, regions: [] };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }
}
