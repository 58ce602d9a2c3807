import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { channels } from './channels';
import { BusMessage } from './live-event';

export type BusHandler = (msg: BusMessage) => void;

/** Fans committed changes out to every server instance, this one included. */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  /**
   * Never waits and never throws: a change has been committed before it is published, and
   * a user must not wait for (or retry against) a slow bus. A message that does not get
   * through is caught up from the events table by every instance.
   */
  publish(msg: BusMessage): void;
  subscribe(handler: BusHandler): () => void;
  /** Called after the connection came back, when messages may have been missed. */
  onReconnect(handler: () => void): () => void;
  /** Answers within HEALTH_TIMEOUT_MS; a hung connection counts as unhealthy. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

export const HEALTH_TIMEOUT_MS = 500;

/** Resolves to false when `check` has not answered in time. */
export function withTimeout(check: Promise<boolean>, ms = HEALTH_TIMEOUT_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([check.catch(() => false), late]).finally(() => clearTimeout(timer));
}

/** Same trust boundary everywhere: a message goes through the wire format and the schema. */
function decode(json: string, onWarning?: (reason: string) => void): BusMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    onWarning?.('not JSON');
    return null;
  }
  const parsed = BusMessage.safeParse(value);
  if (!parsed.success) {
    onWarning?.(parsed.error.message);
    return null;
  }
  return parsed.data;
}

/** In-process bus for the embedded default: one process, so one emitter serves all. */
export function createMemoryBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'memory',
    publish(msg) {
      const decoded = decode(JSON.stringify(msg));
      if (decoded) emitter.emit('message', decoded);
    },
    subscribe(handler) {
      emitter.on('message', handler);
      return () => emitter.off('message', handler);
    },
    onReconnect: () => () => {},
    healthy: async () => true,
    async close() {
      emitter.removeAllListeners();
    },
  };
}

export interface RedisBusOptions {
  url: string;
  channelPrefix: string;
  /** An invalid message received, or a publish that failed. */
  onWarning?: (reason: string) => void;
}

/** Redis pub/sub; a subscribed connection cannot publish, hence the duplicated connection. */
export async function createRedisBus({
  url,
  channelPrefix,
  onWarning,
}: RedisBusOptions): Promise<Bus> {
  const CHANNELS = channels(channelPrefix);
  const pub = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  const sub = pub.duplicate();
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  // ioredis reconnects by itself; errors are reported through health, not thrown.
  pub.on('error', () => {});
  sub.on('error', () => {});
  await Promise.all([pub.connect(), sub.connect()]);
  let ready = false;
  sub.on('ready', () => {
    if (ready) emitter.emit('reconnect');
    ready = true;
  });
  ready = true;
  sub.on('message', (channel: string, message: string) => {
    if (channel !== CHANNELS.events) return;
    const decoded = decode(message, onWarning);
    if (decoded) emitter.emit('message', decoded);
  });
  await sub.subscribe(CHANNELS.events);
  return {
    kind: 'redis',
    publish(msg) {
      const json = JSON.stringify(msg);
      // This instance's own clients do not wait for Redis; the hub drops the echo by seq.
      const decoded = decode(json, onWarning);
      if (decoded) emitter.emit('message', decoded);
      pub.publish(CHANNELS.events, json).catch((err: unknown) => {
        onWarning?.(`publish failed, other instances catch up: ${(err as Error).message}`);
      });
    },
    subscribe(handler) {
      emitter.on('message', handler);
      return () => emitter.off('message', handler);
    },
    onReconnect(handler) {
      emitter.on('reconnect', handler);
      return () => emitter.off('reconnect', handler);
    },
    healthy() {
      return withTimeout(pub.ping().then((r) => r === 'PONG' && sub.status === 'ready'));
    },
    async close() {
      emitter.removeAllListeners();
      // A hung Redis never answers QUIT: give it a second, then cut the connections.
      await withTimeout(
        Promise.allSettled([sub.quit(), pub.quit()]).then(() => true),
        1000,
      );
      pub.disconnect();
      sub.disconnect();
    },
  };
}
