import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { channels } from './channels';
import { LiveEvent } from './live-event';

export type BusHandler = (event: LiveEvent) => void;

/** Fans committed changes out to every server instance. */
export interface Bus {
  readonly kind: 'memory' | 'redis';
  publish(event: LiveEvent): Promise<void>;
  subscribe(handler: BusHandler): () => void;
  /** Called after the connection came back, when messages may have been missed. */
  onReconnect(handler: () => void): () => void;
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** In-process bus for the embedded default: one process, so one emitter serves all. */
export function createMemoryBus(): Bus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'memory',
    async publish(event) {
      // Same trust boundary as Redis: a message goes through the wire format and the schema.
      const parsed = LiveEvent.safeParse(JSON.parse(JSON.stringify(event)));
      if (parsed.success) emitter.emit('event', parsed.data);
    },
    subscribe(handler) {
      emitter.on('event', handler);
      return () => emitter.off('event', handler);
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
  onInvalid?: (reason: string) => void;
}

/** Redis pub/sub; a subscribed connection cannot publish, hence the duplicated connection. */
export async function createRedisBus({
  url,
  channelPrefix,
  onInvalid,
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
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      onInvalid?.('not JSON');
      return;
    }
    const parsed = LiveEvent.safeParse(json);
    if (!parsed.success) {
      onInvalid?.(parsed.error.message);
      return;
    }
    emitter.emit('event', parsed.data);
  });
  await sub.subscribe(CHANNELS.events);
  return {
    kind: 'redis',
    async publish(event) {
      await pub.publish(CHANNELS.events, JSON.stringify(event));
    },
    subscribe(handler) {
      emitter.on('event', handler);
      return () => emitter.off('event', handler);
    },
    onReconnect(handler) {
      emitter.on('reconnect', handler);
      return () => emitter.off('reconnect', handler);
    },
    async healthy() {
      try {
        return (await pub.ping()) === 'PONG' && sub.status === 'ready';
      } catch {
        return false;
      }
    },
    async close() {
      emitter.removeAllListeners();
      await Promise.allSettled([sub.quit(), pub.quit()]);
    },
  };
}
