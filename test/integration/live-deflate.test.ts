import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionUser, Unit } from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit, sessionUser } from '../support/fixtures';
import { startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';
import { notesLiveModule, postNote } from '../support/notes-module/notes-live';

/**
 * Issue 15: the first frame of 1,024 units at most 80 KB on the wire. Sockets that negotiate
 * permessage-deflate (browsers, ws by default) get the snapshot deflated, once for all of them
 * at a seq; the others the plain text. Both keep state through later batches.
 */
let backend: TestBackend;
let a: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let worker: SessionUser;
const clients: TestLiveClient[] = [];

beforeAll(async () => {
  backend = await createBackend();
  a = await startInstance(backend, { live: { extraModules: [notesLiveModule] } });
  s = await demoSessions(a.app);
  worker = await sessionUser(a.app, s.worker);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await a?.close();
  await backend?.close();
});

async function connect(cookie: string, options: { perMessageDeflate?: unknown } = {}) {
  const c = await TestLiveClient.connect(a.wsUrl, cookie, undefined, options as never);
  clients.push(c);
  await c.waitFor((x) => x.state.ready);
  return c;
}

/** Changes a free unit of the worker's organisation; resolves when `c` has the change. */
async function changeOneUnit(...watchers: TestLiveClient[]) {
  const free = (await getUnits(a.app, s.worker)).find(
    (u) => u.organisationId === worker.organisationId && u.status === 'free',
  )!;
  const res = await patchUnit(a.app, s.worker, free, { status: 'out_of_service' });
  expect(res.statusCode).toBe(200);
  const changed = res.json<Unit>();
  for (const c of watchers)
    await c.waitFor((x) => x.state.units.get(free.id)?.status === 'out_of_service');
  await patchUnit(a.app, s.worker, changed, { status: 'free' });
  return free.id;
}

describe('the snapshot on the wire', () => {
  it('is deflated for a client that negotiated it: at most 80 KB, decoded to the same state', async () => {
    const deflating = await connect(s.coordinator);
    const plain = await connect(s.coordinator, { perMessageDeflate: false });
    expect(deflating.ws.extensions).toContain('permessage-deflate');
    expect(plain.ws.extensions).toBe('');
    expect(deflating.state.units.size).toBe(1024);
    expect(plain.state.units.size).toBe(1024);

    const text = Buffer.byteLength(deflating.frames[0]!);
    const wire = deflating.wire.texts[0]!;
    expect(wire.deflated).toBe(true);
    expect(wire.bytes).toBeLessThanOrEqual(80 * 1024);
    // Deflated for real (a frame of 1,024 units is ~4x smaller), not merely small.
    expect(wire.bytes * 3).toBeLessThan(text);
    // The plain client reads the text and a header of 10 bytes: nothing else.
    expect(plain.wire.texts[0]).toEqual({
      opcode: 1,
      deflated: false,
      bytes: Buffer.byteLength(plain.frames[0]!) + 10,
    });

    // Later batches reach both.
    const id = await changeOneUnit(deflating, plain);
    await deflating.waitFor((x) => x.state.units.get(id)?.status === 'free');
    await plain.waitFor((x) => x.state.units.get(id)?.status === 'free');
    expect(deflating.gaps + plain.gaps).toBe(0);
  });

  it('is deflated once per seq, whatever the number of sockets', async () => {
    const before = a.app.live.framesDeflated;
    const storm = await Promise.all(Array.from({ length: 6 }, () => connect(s.worker)));
    // The seq of the snapshot each got (its state may have moved on since, by a batch).
    const snapshotSeq = (c: TestLiveClient) => JSON.parse(c.frames[0]!).seq as number;
    const seqs = new Set(storm.map(snapshotSeq));
    // A sweep may commit in between: one deflation per seq the clients were given, no more.
    expect(a.app.live.framesDeflated - before).toBe(seqs.size);
    for (const c of storm) {
      const first = storm.find((x) => snapshotSeq(x) === snapshotSeq(c))!;
      expect(c.wire.texts[0]).toEqual(first.wire.texts[0]);
    }
  });

  it('deflates a big batch once for all its sockets, and leaves small ones plain', async () => {
    // The note's own organisation reads its text (everyone else a redacted copy).
    const [one, two] = [await connect(s.worker), await connect(s.worker)];
    const plain = await connect(s.worker, { perMessageDeflate: false });
    await changeOneUnit(one, two, plain);
    const batches = (c: TestLiveClient) =>
      c.wire.texts.filter((_, i) => JSON.parse(c.frames[i]!).type === 'batch');
    expect(batches(one).length).toBeGreaterThan(0);
    expect(batches(one).every((f) => !f.deflated)).toBe(true);

    const before = a.app.live.framesDeflated;
    const text = 'Vandaag drie bedden vrij in de crisisopvang. '.repeat(500);
    const note = await postNote(a.app.changes, worker.organisationId!, text);
    const noteFrame = (c: TestLiveClient) => {
      const i = c.frames.findIndex((f) => f.includes(`"slice":"notes","value":{"id":${note.id},`));
      return i < 0 ? undefined : c.wire.texts[i];
    };
    for (const c of [one, two, plain]) await c.waitFor((x) => noteFrame(x) !== undefined);
    // One frame for the two sockets at the same seq and prev: deflated once.
    expect(a.app.live.framesDeflated - before).toBe(1);
    expect(noteFrame(one)).toEqual(noteFrame(two));
    expect(noteFrame(one)!.deflated).toBe(true);
    expect(noteFrame(one)!.bytes * 10).toBeLessThan(text.length);
    expect(noteFrame(plain)).toMatchObject({ deflated: false });
    expect(noteFrame(plain)!.bytes).toBeGreaterThan(text.length);
  });
});

describe('a client that asked for a window under 32 KB (ws and Python clients can)', () => {
  it('gets plain frames, its state and later batches, beside one that gets them deflated', async () => {
    // The shared payloads are made with a 32 KB window: this client could not inflate them.
    const small = await connect(s.worker, { perMessageDeflate: { serverMaxWindowBits: 10 } });
    const deflating = await connect(s.worker);
    type Deflate = { params: Record<string, unknown> };
    const negotiated = (small.ws as unknown as { _extensions: Record<string, Deflate> })
      ._extensions['permessage-deflate']!.params;
    expect(negotiated.server_max_window_bits).toBe(10);
    expect(small.state.units.size).toBeGreaterThan(0);
    expect(small.wire.texts[0]).toMatchObject({ deflated: false });
    expect(deflating.wire.texts[0]).toMatchObject({ deflated: true });

    await changeOneUnit(small, deflating);
    const text = 'Twee plekken vrij in de nachtopvang, een voor een gezin. '.repeat(400);
    const note = await postNote(a.app.changes, worker.organisationId!, text);
    const noteFrame = (c: TestLiveClient) => {
      const i = c.frames.findIndex((f) => f.includes(`"slice":"notes","value":{"id":${note.id},`));
      return i < 0 ? undefined : c.wire.texts[i];
    };
    for (const c of [small, deflating]) await c.waitFor((x) => noteFrame(x) !== undefined);
    expect(noteFrame(deflating)).toMatchObject({ deflated: true });
    expect(noteFrame(small)).toMatchObject({ deflated: false });
    expect(small.wire.texts.every((f) => !f.deflated)).toBe(true);
    expect(small.closeCode).toBeNull();
    expect(small.gaps).toBe(0);
  });
});

describe('messages from a client that deflates everything (as Chromium does)', () => {
  it('are read, and the server keeps no inflate context for the idle socket', async () => {
    const c = await connect(s.municipality, { perMessageDeflate: { threshold: 0 } });
    for (let i = 1; i <= 2; i++) {
      // A resync without a seq is answered with a snapshot (the second after minResyncMs).
      c.ws.send(JSON.stringify({ type: 'resync' }));
      await c.waitFor((x) => x.messages().filter((m) => m.type === 'snapshot').length > i);
    }
    type Deflate = { _inflate: unknown };
    const held = [...a.app.websocketServer.clients].filter(
      (ws) =>
        (ws as unknown as { _extensions: Record<string, Deflate | undefined> })._extensions[
          'permessage-deflate'
        ]?._inflate,
    );
    expect(held).toEqual([]);
  });
});
