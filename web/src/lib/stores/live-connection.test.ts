import type { Snapshot } from '@opvangatlas/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Api } from '$lib/api';
import { makeUnit } from '$lib/testing/fixtures';
import type { SocketHandlers } from './live-client';
import {
  LOST_CONTACT_MS,
  REST_FALLBACK_MS,
  REST_POLL_MS,
  createLiveConnection,
} from './live-connection';

const restSnapshot = (seq: number): Snapshot => ({
  type: 'snapshot',
  seq,
  scope: 'units',
  slices: { units: [makeUnit({ id: 1 })], locations: [] },
});

/** A connection whose sockets never open unless the test says so, and a REST api spy. */
function harness(user: unknown = { id: 1 }) {
  const sockets: SocketHandlers[] = [];
  const api = {
    availability: vi.fn(async () => ({ seq: 7, regions: [] })),
    units: vi.fn(async () => [makeUnit({ id: 1 })]),
    session: vi.fn(async () => user),
  } as unknown as Api;
  const onSessionGone = vi.fn();
  const connection = createLiveConnection({
    role: () => 'vo_worker',
    onSessionGone,
    api,
    socketFactory: (_url, handlers) => {
      sockets.push(handlers);
      return { send: () => {}, close: () => {} };
    },
  });
  return { connection, sockets, api, onSessionGone };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => vi.useRealTimers());

describe('createLiveConnection', () => {
  it('fills the screen over REST when no snapshot came in time, and keeps polling while down', async () => {
    const { connection, api } = harness();
    const stop = connection.start();
    await vi.advanceTimersByTimeAsync(REST_FALLBACK_MS);
    expect(api.availability).toHaveBeenCalledTimes(1);
    expect(connection.client.state.seq).toBe(7);
    await vi.advanceTimersByTimeAsync(REST_POLL_MS);
    expect(api.availability).toHaveBeenCalledTimes(2);
    stop();
    await vi.advanceTimersByTimeAsync(REST_POLL_MS * 2);
    expect(api.availability).toHaveBeenCalledTimes(2);
  });

  it('does not poll while the socket is live', async () => {
    const { connection, sockets, api } = harness();
    const stop = connection.start();
    sockets[0]!.onOpen();
    sockets[0]!.onMessage(JSON.stringify(restSnapshot(3)));
    // The server's heartbeats keep it live (LIVE_HEARTBEAT_SECONDS).
    for (let ms = 0; ms < REST_POLL_MS; ms += 2000) {
      await vi.advanceTimersByTimeAsync(2000);
      sockets[0]!.onMessage(JSON.stringify({ type: 'heartbeat', at: new Date().toISOString() }));
    }
    expect(connection.client.state.status).toBe('live');
    expect(api.availability).not.toHaveBeenCalled();
    stop();
  });

  it('reads lost contact when the socket falls silent, and at once when the browser goes offline', async () => {
    const { connection, sockets } = harness();
    const stop = connection.start();
    sockets[0]!.onOpen();
    sockets[0]!.onMessage(JSON.stringify(restSnapshot(3)));
    await vi.advanceTimersByTimeAsync(LOST_CONTACT_MS - 100);
    expect(connection.client.state.status).toBe('live');
    await vi.advanceTimersByTimeAsync(100);
    expect(connection.client.state.status).toBe('reconnecting');

    await vi.advanceTimersByTimeAsync(2000); // the retry
    sockets.at(-1)!.onOpen();
    expect(connection.client.state.status).toBe('live');
    window.dispatchEvent(new Event('offline'));
    expect(connection.client.state.status).toBe('offline');
    window.dispatchEvent(new Event('online'));
    sockets.at(-1)!.onOpen();
    expect(connection.client.state.status).toBe('live');
    stop();
  });

  it('reconnects at once when the browser is online again', async () => {
    const { connection, sockets } = harness();
    const stop = connection.start();
    sockets[0]!.onClose(1006);
    expect(sockets).toHaveLength(1);
    window.dispatchEvent(new Event('online'));
    expect(sockets).toHaveLength(2);
    stop();
    window.dispatchEvent(new Event('online'));
    expect(sockets).toHaveLength(2);
  });

  it('checks the session once the socket reads offline, and says when it is gone', async () => {
    const { connection, sockets, api, onSessionGone } = harness(null);
    const stop = connection.start();
    for (let i = 0; i < 3; i++) {
      sockets.at(-1)!.onClose(1006);
      await vi.runOnlyPendingTimersAsync();
    }
    expect(connection.client.state.status).toBe('offline');
    expect(api.session).toHaveBeenCalledTimes(1);
    expect(onSessionGone).toHaveBeenCalledTimes(1);
    stop();
  });
});
