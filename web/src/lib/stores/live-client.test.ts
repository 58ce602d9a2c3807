import { LIVE_CLOSE_TOO_SLOW, LIVE_CLOSE_UNAUTHORIZED, type Snapshot } from '@opvangatlas/shared';
import { describe, expect, it, vi } from 'vitest';
import { makeLocation, makeUnit, NOW } from '$lib/testing/fixtures';
import { LiveClient, liveUrl, type SocketHandlers } from './live-client';

/** A fake socket per connection: records the URL and sent messages, lets the test drive events. */
function harness(options: { offlineAfterFailures?: number; silenceMs?: number } = {}) {
  const sockets: { url: string; handlers: SocketHandlers; sent: string[]; closed: boolean }[] = [];
  const timers: { fn: () => void; ms: number; handle: number }[] = [];
  let nextHandle = 1;
  const onUnauthorized = vi.fn();
  const client = new LiveClient({
    url: (since) => `ws://test/api/live${since === null ? '' : `?since=${since}`}`,
    socketFactory: (url, handlers) => {
      const socket = { url, handlers, sent: [] as string[], closed: false };
      sockets.push(socket);
      return { send: (d) => socket.sent.push(d), close: () => (socket.closed = true) };
    },
    timers: {
      setTimeout: (fn, ms) => {
        const handle = nextHandle++;
        timers.push({ fn, ms, handle });
        return handle;
      },
      clearTimeout: (h) => {
        const i = timers.findIndex((t) => t.handle === h);
        if (i >= 0) timers.splice(i, 1);
      },
    },
    now: () => NOW,
    random: () => 0.5, // no jitter: delays are exactly the backoff
    backoff: { initialMs: 1000, maxMs: 8000 },
    offlineAfterFailures: options.offlineAfterFailures ?? 3,
    ...(options.silenceMs === undefined ? {} : { silenceMs: options.silenceMs }),
    onUnauthorized,
    log: () => {},
  });
  const last = () => sockets[sockets.length - 1]!;
  const send = (msg: unknown) => last().handlers.onMessage(JSON.stringify(msg));
  const runTimers = () => {
    const due = timers.splice(0);
    for (const t of due) t.fn();
    return due.map((t) => t.ms);
  };
  return { client, sockets, last, send, runTimers, timers, onUnauthorized };
}

const snapshot = (seq: number, units = [makeUnit({ id: 1 })]): Snapshot => ({
  type: 'snapshot',
  seq,
  scope: 'units',
  slices: { units, locations: [makeLocation({ id: 10 })] },
});

const unitDelta = (seq: number, prev: number, unit = makeUnit({ id: 1, version: seq })) => ({
  type: 'batch',
  seq,
  prev,
  at: NOW.toISOString(),
  changes: [{ slice: 'units', value: unit }],
});

describe('LiveClient', () => {
  it('connects without since and takes the first snapshot as its state', () => {
    const h = harness();
    h.client.start();
    expect(h.last().url).toBe('ws://test/api/live');
    expect(h.client.state.status).toBe('connecting');
    h.last().handlers.onOpen();
    h.send(snapshot(5));
    expect(h.client.state).toMatchObject({ status: 'live', seq: 5, scope: 'units' });
    expect(h.client.state.units.get(1)?.status).toBe('free');
    expect(h.client.state.locations.get(10)?.name).toBe('Locatie 10');
    expect(h.client.state.lastUpdateAt).toEqual(NOW);
  });

  it('applies a delta that continues its state and advances seq', () => {
    const h = harness();
    h.client.start();
    h.send(snapshot(5));
    h.send(unitDelta(7, 5, makeUnit({ id: 1, status: 'held', version: 2 })));
    expect(h.client.state.seq).toBe(7);
    expect(h.client.state.units.get(1)?.status).toBe('held');
  });

  it('skips a delta it already has', () => {
    const h = harness();
    h.client.start();
    h.send(snapshot(5, [makeUnit({ id: 1, status: 'occupied', version: 3 })]));
    h.send(unitDelta(4, 3, makeUnit({ id: 1, status: 'free', version: 2 })));
    expect(h.client.state.seq).toBe(5);
    expect(h.client.state.units.get(1)?.status).toBe('occupied');
    expect(h.last().sent).toEqual([]);
  });

  it('asks for a resync from its seq on a gap and does not apply the delta', () => {
    const h = harness();
    h.client.start();
    h.send(snapshot(5));
    h.send(unitDelta(9, 8, makeUnit({ id: 1, status: 'occupied', version: 9 })));
    expect(h.client.state.seq).toBe(5);
    expect(h.client.state.units.get(1)?.status).toBe('free');
    expect(h.last().sent.map((s) => JSON.parse(s))).toEqual([{ type: 'resync', since: 5 }]);

    // A second gap while the resync is pending does not flood the server.
    h.send(unitDelta(10, 9));
    expect(h.last().sent).toHaveLength(1);

    // The server answers with the missed deltas; the client catches up.
    h.send(unitDelta(8, 5, makeUnit({ id: 1, status: 'held', version: 8 })));
    h.send(unitDelta(9, 8, makeUnit({ id: 1, status: 'occupied', version: 9 })));
    expect(h.client.state.seq).toBe(9);
    expect(h.client.state.units.get(1)?.status).toBe('occupied');
  });

  it('replaces its whole state with a fresh snapshot after a resync', () => {
    const h = harness();
    h.client.start();
    h.send(snapshot(5, [makeUnit({ id: 1 }), makeUnit({ id: 2 })]));
    h.send(snapshot(20, [makeUnit({ id: 3 })]));
    expect(h.client.state.seq).toBe(20);
    expect([...h.client.state.units.keys()]).toEqual([3]);
  });

  it('keeps region figures in the aggregates scope', () => {
    const h = harness();
    h.client.start();
    const counts = { places: 10, inService: 10, free: 2, taken: 8, freePersons: 5 };
    const none = { places: 0, inService: 0, free: 0, taken: 0, freePersons: 0 };
    // The record over UnitKind is exhaustive: every kind is present.
    const kinds = { noodbed: counts, crisis: none, vervolg: none, geen_onderscheid: none };
    h.send({
      type: 'snapshot',
      seq: 3,
      scope: 'aggregates',
      slices: {
        regions: [{ regionId: 1, kinds, total: counts, occupancy: 0.8, pressure: 'ok' }],
      },
    });
    h.send({
      type: 'batch',
      seq: 4,
      prev: 3,
      at: NOW.toISOString(),
      changes: [
        {
          slice: 'regions',
          value: {
            regionId: 1,
            kinds,
            total: { ...counts, free: 0, taken: 10 },
            occupancy: 1,
            pressure: 'full',
          },
        },
      ],
    });
    expect(h.client.state.scope).toBe('aggregates');
    expect(h.client.state.regions.get(1)?.pressure).toBe('full');
  });

  it('ignores messages outside the contract', () => {
    const h = harness();
    h.client.start();
    h.send(snapshot(5));
    h.last().handlers.onMessage('not json');
    h.send({
      type: 'batch',
      seq: 6,
      prev: 5,
      at: NOW.toISOString(),
      changes: [{ slice: 'units', value: { id: 'x' } }],
    });
    expect(h.client.state.seq).toBe(5);
  });

  it('reconnects with backoff and since=<last seq> after the server closes with 4008', () => {
    const h = harness();
    h.client.start();
    h.last().handlers.onOpen();
    h.send(snapshot(5));
    h.send(unitDelta(6, 5));
    h.last().handlers.onClose(LIVE_CLOSE_TOO_SLOW);
    expect(h.client.state.status).toBe('reconnecting');
    // Data stays visible while reconnecting.
    expect(h.client.state.units.size).toBe(1);
    expect(h.runTimers()).toEqual([1000]);
    expect(h.sockets).toHaveLength(2);
    expect(h.last().url).toBe('ws://test/api/live?since=6');
  });

  it('doubles the delay per failed attempt, caps it, and reads offline after repeated failures', () => {
    const h = harness({ offlineAfterFailures: 3 });
    h.client.start();
    const delays: number[] = [];
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      h.last().handlers.onClose(1006);
      statuses.push(h.client.state.status);
      delays.push(...h.runTimers());
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(statuses).toEqual(['reconnecting', 'reconnecting', 'offline', 'offline', 'offline']);
    // A message on the new connection resets the backoff.
    h.last().handlers.onOpen();
    h.send(snapshot(1));
    expect(h.client.state.status).toBe('live');
    h.last().handlers.onClose(1006);
    expect(h.runTimers()).toEqual([1000]);
  });

  it('stops and reports when the server closes with 4401 (session gone)', () => {
    const h = harness();
    h.client.start();
    h.last().handlers.onClose(LIVE_CLOSE_UNAUTHORIZED);
    expect(h.client.state.status).toBe('offline');
    expect(h.onUnauthorized).toHaveBeenCalledOnce();
    expect(h.timers).toHaveLength(0);
  });

  it('ignores events of a socket it has replaced or stopped', () => {
    const h = harness();
    h.client.start();
    const first = h.last();
    h.client.stop();
    expect(first.closed).toBe(true);
    first.handlers.onMessage(JSON.stringify(snapshot(5)));
    first.handlers.onClose(1006);
    expect(h.client.state.seq).toBeNull();
    expect(h.timers).toHaveLength(0);
  });

  it('reconnects at once on reconnectNow() when not live', () => {
    const h = harness();
    h.client.start();
    h.last().handlers.onClose(1006);
    h.client.reconnectNow();
    expect(h.sockets).toHaveLength(2);
    expect(h.sockets[0]!.closed).toBe(false); // the first was already closed by the server
    expect(h.timers).toHaveLength(0);
  });

  it('never replaces a newer unit version with an older one (REST result before its delta)', () => {
    const h = harness();
    h.client.start();
    h.send(snapshot(5, [makeUnit({ id: 1, version: 1 })]));
    h.client.upsertUnit(makeUnit({ id: 1, status: 'held', version: 3 }));
    h.send(unitDelta(6, 5, makeUnit({ id: 1, status: 'free', version: 2 })));
    expect(h.client.state.units.get(1)?.status).toBe('held');
    expect(h.client.state.seq).toBe(6);
  });

  it('takes REST fallback snapshots while not live, never older ones and never when live', () => {
    const h = harness();
    h.client.start();
    expect(h.client.applyFallbackSnapshot(snapshot(4))).toBe(true);
    expect(h.client.state.seq).toBe(4);
    expect(h.client.applyFallbackSnapshot(snapshot(2))).toBe(false);
    expect(h.client.applyFallbackSnapshot(snapshot(6))).toBe(true);
    expect(h.client.state.seq).toBe(6);
    h.last().handlers.onOpen();
    expect(h.client.applyFallbackSnapshot(snapshot(9))).toBe(false);
    expect(h.client.state.seq).toBe(6);
  });

  it('notifies subscribers like a Svelte store', () => {
    const h = harness();
    const seen: (number | null)[] = [];
    const unsubscribe = h.client.subscribe((s) => seen.push(s.seq));
    h.client.start();
    h.send(snapshot(5));
    unsubscribe();
    h.send(unitDelta(6, 5));
    expect(seen).toEqual([null, 5]);
  });
});

describe('liveUrl', () => {
  it('uses ws on http and wss on https, on the page origin', () => {
    expect(liveUrl({ protocol: 'http:', host: 'localhost:5173' }, null)).toBe(
      'ws://localhost:5173/api/live',
    );
    expect(liveUrl({ protocol: 'https:', host: 'opvangatlas.nl' }, 42)).toBe(
      'wss://opvangatlas.nl/api/live?since=42',
    );
  });

  it('reads a socket silent for silenceMs as lost contact, keeps the time of the last frame and resumes by seq', () => {
    const h = harness({ silenceMs: 5000 });
    h.client.start();
    h.last().handlers.onOpen();
    h.send(snapshot(5));
    expect(h.client.state).toMatchObject({ status: 'live', lastContactAt: null });
    // A heartbeat re-arms the watchdog: still one timer, still live.
    h.send({ type: 'heartbeat', at: NOW.toISOString() });
    expect(h.timers.map((t) => t.ms)).toEqual([5000]);

    expect(h.runTimers()).toEqual([5000]);
    expect(h.sockets[0]!.closed).toBe(true);
    expect(h.client.state.status).toBe('reconnecting');
    expect(h.client.state.lastContactAt).toEqual(NOW);
    // A frame of the dropped socket is ignored.
    h.sockets[0]!.handlers.onMessage(JSON.stringify(unitDelta(6, 5)));
    expect(h.client.state.seq).toBe(5);

    h.runTimers(); // the reconnect
    expect(h.last().url).toBe('ws://test/api/live?since=5');
    h.last().handlers.onOpen();
    expect(h.client.state).toMatchObject({ status: 'live', lastContactAt: null });
  });

  it('has no watchdog without silenceMs', () => {
    const h = harness();
    h.client.start();
    h.last().handlers.onOpen();
    h.send(snapshot(5));
    expect(h.timers).toEqual([]);
  });

  it('reads offline at once when the browser loses the network, and resumes when told', () => {
    const h = harness({ silenceMs: 5000 });
    h.client.start();
    h.last().handlers.onOpen();
    h.send(snapshot(5));
    h.client.connectionLost();
    expect(h.sockets[0]!.closed).toBe(true);
    expect(h.client.state).toMatchObject({ status: 'offline', lastContactAt: NOW, seq: 5 });
    h.client.reconnectNow();
    expect(h.sockets).toHaveLength(2);
    expect(h.last().url).toBe('ws://test/api/live?since=5');
    h.last().handlers.onOpen();
    expect(h.client.state.status).toBe('live');
  });
});
