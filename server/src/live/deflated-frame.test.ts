import { constants, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflatePayload, deflatedFor, takesDeflated, type SharedFrame } from './deflated-frame';

describe('deflatePayload', () => {
  it('is a whole message without the sync-flush tail, as RFC 7692 has a sender send it', () => {
    const text = Buffer.from(JSON.stringify({ type: 'snapshot', units: Array(500).fill('free') }));
    const payload = deflatePayload(text);
    expect(payload.length * 10).toBeLessThan(text.length);
    // The receiver appends the tail before inflating (RFC 7692 7.2.2).
    const tail = Buffer.from([0, 0, 0xff, 0xff]);
    const inflated = inflateRawSync(Buffer.concat([payload, tail]), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    expect(inflated.equals(text)).toBe(true);
  });
});

describe('takesDeflated', () => {
  const sender = (state: number) => ({
    _state: state,
    sendFrame() {},
    constructor: { frame: () => [] },
  });

  const negotiated = { 'permessage-deflate': { params: {} } };

  it('says yes only with the extension negotiated and ws internals as checked', () => {
    expect(takesDeflated({ _extensions: negotiated, _sender: sender(0) })).toBe(true);
    expect(takesDeflated({ _extensions: {}, _sender: sender(0) })).toBe(false);
    // A sender busy with a queue (another ws send compressing): the plain send queues behind.
    expect(takesDeflated({ _extensions: negotiated, _sender: sender(1) })).toBe(false);
    // Another ws, or a test double: plain text.
    expect(takesDeflated({ _extensions: negotiated, _sender: { sendFrame() {} } })).toBe(false);
    expect(takesDeflated({ send() {} })).toBe(false);
  });

  it('says no to a client that asked for a window under 32 KB', () => {
    // ws accepts `server_max_window_bits` below 15 (a Node or Python client may offer it): a
    // payload made with the 32 KB window could refer further back than that client keeps.
    const windowOf = (bits: number) => ({
      _extensions: { 'permessage-deflate': { params: { server_max_window_bits: bits } } },
      _sender: sender(0),
    });
    expect(takesDeflated(windowOf(15))).toBe(true);
    expect(takesDeflated(windowOf(14))).toBe(false);
    expect(takesDeflated(windowOf(8))).toBe(false);
    // Without the parameters ws negotiated, the window is unknown.
    expect(takesDeflated({ _extensions: { 'permessage-deflate': {} }, _sender: sender(0) })).toBe(
      false,
    );
  });
});

describe('deflatedFor', () => {
  const socket = {
    _extensions: { 'permessage-deflate': { params: {} } },
    _sender: { _state: 0, sendFrame() {}, constructor: { frame: () => [] } },
  };
  const text = Buffer.from('{"type":"snapshot"}'.repeat(100));

  it('deflates a frame once, for every socket that takes it', () => {
    const frame: SharedFrame = { text };
    let runs = 0;
    const deflate = (t: Buffer) => (runs++, deflatePayload(t));
    const first = deflatedFor(socket, frame, () => {}, deflate);
    expect(first).toEqual(deflatePayload(text));
    expect(deflatedFor(socket, frame, () => {}, deflate)).toBe(first);
    expect(deflatedFor({ send() {} }, frame, () => {}, deflate)).toBeNull();
    expect(runs).toBe(1);
  });

  it('leaves a frame zlib failed on plain for every socket, reported once', () => {
    const frame: SharedFrame = { text };
    const failures: unknown[] = [];
    let runs = 0;
    const deflate = () => {
      runs += 1;
      throw new Error('Z_MEM_ERROR');
    };
    for (let i = 0; i < 3; i++)
      expect(deflatedFor(socket, frame, (err) => failures.push(err), deflate)).toBeNull();
    expect(runs).toBe(1);
    expect(failures).toHaveLength(1);
    expect(frame.deflated).toBeNull();
  });
});
