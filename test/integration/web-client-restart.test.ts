import { describe, expect, it } from 'vitest';
import { LIVE_CLOSE_RESTART } from '@opvangatlas/shared';

/**
 * The web app's live client answers 1012 ("service restart", an instance shutting down) by
 * reconnecting within a second, with the seq it holds, without counting it as a failure: the
 * other instances take over without the backoff a broken connection gets. (The client lives in
 * web/, whose own tests run in jsdom; this one loads it by path, so the server-side
 * typecheck does not pull in the browser's types.)
 */

interface Handlers {
  onOpen(): void;
  onMessage(data: string): void;
  onClose(code: number): void;
}
interface WebLiveClient {
  start(): void;
  readonly state: { status: string; seq: number | null };
  handleMessage(data: string): void;
}
type WebLiveClientClass = new (options: {
  url: (since: number | null) => string;
  socketFactory: (url: string, handlers: Handlers) => { send(d: string): void; close(): void };
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void };
  random: () => number;
  backoff: { initialMs: number; maxMs: number };
  log: () => void;
}) => WebLiveClient;

const path = '../../web/src/lib/stores/live-client';

describe('the web client on 1012', () => {
  it('reconnects within a second with its seq, and a broken connection still backs off', async () => {
    const { LiveClient } = (await import(/* @vite-ignore */ path)) as {
      LiveClient: WebLiveClientClass;
    };
    const urls: string[] = [];
    const sockets: Handlers[] = [];
    const delays: number[] = [];
    const pending: Array<() => void> = [];
    const client = new LiveClient({
      url: (since) => `ws://x/api/live${since === null ? '' : `?since=${since}`}`,
      socketFactory: (url, handlers) => {
        urls.push(url);
        sockets.push(handlers);
        return { send: () => {}, close: () => {} };
      },
      timers: {
        setTimeout: (fn, ms) => {
          delays.push(ms);
          pending.push(fn);
          return pending.length;
        },
        clearTimeout: () => {},
      },
      random: () => 0.9,
      backoff: { initialMs: 1000, maxMs: 30_000 },
      log: () => {},
    });
    client.start();
    sockets[0]!.onOpen();
    client.handleMessage(
      JSON.stringify({ type: 'snapshot', seq: 7, scope: 'units', slices: { units: [] } }),
    );
    sockets[0]!.onClose(LIVE_CLOSE_RESTART);
    expect(client.state.status).toBe('reconnecting');
    expect(delays).toEqual([900]); // random 0.9 of a second, not a backoff
    pending.shift()!();
    expect(urls.at(-1)).toBe('ws://x/api/live?since=7');
    // Not counted as a failure: the next broken connection starts the backoff from the start.
    sockets[1]!.onClose(1006);
    expect(delays.at(-1)).toBe(1400); // 1000 ms x (0.5 + 0.9)
    pending.shift()!();
    sockets[2]!.onClose(LIVE_CLOSE_RESTART);
    expect(delays.at(-1)).toBe(900);
  });
});
