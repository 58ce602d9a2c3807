import {
  LIVE_CLOSE_RESTART,
  LIVE_CLOSE_UNAUTHORIZED,
  dataFromSnapshot,
  emptySlices,
  parseServerMessage,
  putValue,
  reduceLive,
  type ClientMessage,
  type LiveData,
  type LiveScope,
  type Location,
  type SliceMaps,
  type Snapshot,
  type Unit,
} from '@opvangatlas/shared';

/**
 * Client of the /api/live websocket (contract: shared/src/live.ts).
 *
 * A plain class without Svelte or DOM dependencies so it can be unit-tested with a fake
 * socket and fake timers. It implements the Svelte store contract (`subscribe`), so
 * components read it as `$live`.
 */

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/**
 * What components read as `$live`: the connection, and every slice of the live state
 * (`units`, `locations`, `regions`, ...) kept by the shared reducer. `regions` holds server
 * summaries and is only filled in the `aggregates` scope (the units scope derives its own).
 */
export interface LiveState extends SliceMaps {
  status: ConnectionStatus;
  /** Null until the first snapshot. */
  scope: LiveScope | null;
  /** Seq of the state held; null until the first snapshot. */
  seq: number | null;
  /** When the state last changed from the server (snapshot or batch). */
  lastUpdateAt: Date | null;
  /**
   * While not live: the last moment the state was known to be current (the last message of
   * the connection that was lost). Null while live, and before any contact.
   */
  lastContactAt: Date | null;
}

export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: string): void;
  onClose(code: number): void;
}

export interface SocketConnection {
  send(data: string): void;
  close(): void;
}

/** Opens a socket; the factory is injectable for tests. */
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketConnection;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LiveClientOptions {
  /** URL to connect to, given the seq the client holds (null: fresh snapshot). */
  url: (since: number | null) => string;
  socketFactory: SocketFactory;
  timers?: Timers;
  now?: () => Date;
  /** 0..1, for jitter; tests pass a constant. */
  random?: () => number;
  /** First retry after initialMs, doubling up to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
  /** Consecutive failed connections after which the state reads "offline" (it keeps trying). */
  offlineAfterFailures?: number;
  /** A second resync request is only sent when the first got no answer within this time. */
  resyncRetryMs?: number;
  /**
   * A socket that delivers nothing (no frame, no heartbeat) for this long has lost contact:
   * it is closed and the client resumes by seq. Off when not set; the server's heartbeat
   * interval must be well under it.
   */
  silenceMs?: number;
  /** The server closed with 4401: the session is gone. */
  onUnauthorized?: () => void;
  log?: (message: string, detail?: unknown) => void;
}

type Listener = (state: LiveState) => void;

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class LiveClient {
  #opts: Required<Omit<LiveClientOptions, 'onUnauthorized' | 'silenceMs'>> &
    Pick<LiveClientOptions, 'onUnauthorized' | 'silenceMs'>;
  #state: LiveState = {
    status: 'connecting',
    scope: null,
    seq: null,
    ...emptySlices(),
    lastUpdateAt: null,
    lastContactAt: null,
  };
  /** The reducer's state; `#state` shows it to components. */
  #data: LiveData | null = null;
  #listeners = new Set<Listener>();
  #socket: SocketConnection | null = null;
  /** Bumped per connection, so events of an old socket are ignored. */
  #generation = 0;
  #running = false;
  #failures = 0;
  #retryHandle: unknown = null;
  #resyncRequestedAt: number | null = null;
  #watchdogHandle: unknown = null;
  /** Last valid message; published as `lastContactAt` when the connection is lost. */
  #lastContact: Date | null = null;

  constructor(options: LiveClientOptions) {
    this.#opts = {
      timers: defaultTimers,
      now: () => new Date(),
      random: Math.random,
      backoff: { initialMs: 1000, maxMs: 30_000 },
      offlineAfterFailures: 3,
      resyncRetryMs: 5000,
      log: (message, detail) => console.warn(`[live] ${message}`, detail ?? ''),
      ...options,
    };
  }

  get state(): LiveState {
    return this.#state;
  }

  /** Svelte store contract. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    listener(this.#state);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    this.#clearRetry();
    this.#clearWatchdog();
    this.#generation += 1;
    this.#socket?.close();
    this.#socket = null;
  }

  /**
   * Contact is gone (the browser reports it is offline): say so at once instead of waiting
   * for the socket to notice; it keeps retrying, and `reconnectNow` resumes when online.
   */
  connectionLost(): void {
    if (!this.#running) return;
    this.#generation += 1;
    this.#socket?.close();
    this.#failures = Math.max(this.#failures, this.#opts.offlineAfterFailures - 1);
    this.#onClose(1006);
  }

  /** Reconnect at once (e.g. when the browser reports it is online again). */
  reconnectNow(): void {
    if (!this.#running || this.#state.status === 'live') return;
    this.#clearRetry();
    this.#generation += 1;
    this.#socket?.close();
    this.#connect();
  }

  /**
   * A snapshot from another source: the REST fallback while the socket cannot connect.
   * Taken when the client holds nothing yet, or while it is not live and the snapshot is not
   * older than its state; never while the socket is live. Returns whether it was applied.
   */
  applyFallbackSnapshot(snapshot: Snapshot): boolean {
    const { seq, status } = this.#state;
    if (seq !== null && (status === 'live' || snapshot.seq < seq)) return false;
    this.#applySnapshot(snapshot);
    return true;
  }

  /**
   * A unit returned by a REST call (hold, release, patch, conflict): shown at once instead of
   * waiting for its delta. Never replaces a newer version.
   */
  upsertUnit(unit: Unit): void {
    if (this.#data) this.#setData(putValue(this.#data, 'units', unit), false);
  }

  upsertLocation(location: Location): void {
    if (this.#data) this.#setData(putValue(this.#data, 'locations', location), false);
  }

  /** Entry point for one raw message; public for tests. */
  handleMessage(data: string): void {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      this.#opts.log('ignored a message that is not JSON');
      return;
    }
    const parsed = parseServerMessage(json);
    if (!parsed.success) {
      this.#opts.log('ignored a message outside the contract', parsed.error);
      return;
    }
    // Any valid message proves the connection works: the next failure starts a fresh backoff.
    this.#failures = 0;
    this.#lastContact = this.#opts.now();
    this.#armWatchdog();
    const { data: next, result } = reduceLive(this.#data, parsed.data);
    if (result === 'gap') {
      this.#requestResync(this.#data?.seq);
      return;
    }
    if (result === 'snapshot' || result === 'applied') {
      this.#resyncRequestedAt = null;
      this.#setData(next!, true);
    }
  }

  #applySnapshot(s: Snapshot): void {
    this.#resyncRequestedAt = null;
    this.#setData(dataFromSnapshot(s), true);
  }

  #setData(data: LiveData, fromServer: boolean): void {
    if (data === this.#data) return;
    this.#data = data;
    this.#set({
      seq: data.seq,
      scope: data.scope,
      ...data.slices,
      ...(fromServer ? { lastUpdateAt: this.#opts.now() } : {}),
    });
  }

  #requestResync(since: number | undefined): void {
    const now = this.#opts.now().getTime();
    const pending = this.#resyncRequestedAt;
    if (pending !== null && now - pending < this.#opts.resyncRetryMs) return;
    this.#resyncRequestedAt = now;
    const msg: ClientMessage = since === undefined ? { type: 'resync' } : { type: 'resync', since };
    this.#socket?.send(JSON.stringify(msg));
  }

  #connect(): void {
    const generation = ++this.#generation;
    const current = () => generation === this.#generation && this.#running;
    this.#resyncRequestedAt = null;
    try {
      this.#socket = this.#opts.socketFactory(this.#opts.url(this.#state.seq), {
        onOpen: () => {
          if (!current()) return;
          this.#armWatchdog();
          this.#set({ status: 'live', lastContactAt: null });
        },
        onMessage: (data) => {
          if (current()) this.handleMessage(data);
        },
        onClose: (code) => {
          if (current()) this.#onClose(code);
        },
      });
    } catch (err) {
      this.#opts.log('could not open the socket', err);
      this.#onClose(1006);
    }
  }

  #onClose(code: number): void {
    this.#socket = null;
    this.#clearWatchdog();
    if (this.#state.status === 'live') this.#set({ lastContactAt: this.#lastContact });
    if (code === LIVE_CLOSE_UNAUTHORIZED) {
      this.#running = false;
      this.#set({ status: 'offline' });
      this.#opts.onUnauthorized?.();
      return;
    }
    if (code === LIVE_CLOSE_RESTART) {
      // The server is shutting down: reconnect now (to another instance), not after a
      // backoff; spread over a second so its clients do not all arrive at once.
      this.#set({ status: 'reconnecting' });
      this.#retryLater(Math.round(this.#opts.random() * 1000));
      return;
    }
    this.#failures += 1;
    const offline = this.#failures >= this.#opts.offlineAfterFailures;
    this.#set({ status: offline ? 'offline' : 'reconnecting' });
    const { initialMs, maxMs } = this.#opts.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** (this.#failures - 1));
    // Jitter (0.5x..1.5x) so a server restart is not followed by every client at once.
    this.#retryLater(Math.round(base * (0.5 + this.#opts.random())));
  }

  #retryLater(delay: number): void {
    this.#clearRetry();
    this.#retryHandle = this.#opts.timers.setTimeout(() => {
      this.#retryHandle = null;
      if (this.#running) this.#connect();
    }, delay);
  }

  #armWatchdog(): void {
    const silenceMs = this.#opts.silenceMs;
    if (silenceMs === undefined) return;
    this.#clearWatchdog();
    const generation = this.#generation;
    this.#watchdogHandle = this.#opts.timers.setTimeout(() => {
      this.#watchdogHandle = null;
      if (generation !== this.#generation || !this.#running) return;
      this.#opts.log(`no frame for ${silenceMs} ms: contact lost`);
      this.#generation += 1;
      this.#socket?.close();
      this.#onClose(1006);
    }, silenceMs);
  }

  #clearWatchdog(): void {
    if (this.#watchdogHandle !== null) this.#opts.timers.clearTimeout(this.#watchdogHandle);
    this.#watchdogHandle = null;
  }

  #clearRetry(): void {
    if (this.#retryHandle !== null) this.#opts.timers.clearTimeout(this.#retryHandle);
    this.#retryHandle = null;
  }

  #set(patch: Partial<LiveState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const l of this.#listeners) l(this.#state);
  }
}

/** ws(s)://<host>/api/live?since=<seq> on the page's own origin. */
export function liveUrl(
  origin: Pick<globalThis.Location, 'protocol' | 'host'>,
  since: number | null,
) {
  const scheme = origin.protocol === 'https:' ? 'wss' : 'ws';
  const query = since === null ? '' : `?since=${since}`;
  return `${scheme}://${origin.host}/api/live${query}`;
}

/** The browser's WebSocket behind the injectable factory. */
export const browserSocketFactory: SocketFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (ev: MessageEvent) => {
    if (typeof ev.data === 'string') handlers.onMessage(ev.data);
  };
  ws.onclose = (ev: CloseEvent) => handlers.onClose(ev.code);
  return {
    send: (data) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(data);
    },
    close: () => ws.close(1000),
  };
};
