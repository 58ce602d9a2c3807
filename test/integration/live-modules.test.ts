import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MunicipalityFigures, SessionUser } from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit, sessionUser } from '../support/fixtures';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';
import { notesLiveModule, postNote } from '../support/notes-module/notes-live';

/**
 * The measure of a general live core: a domain the server has never heard of, in its own
 * folder plus one registration line, is delivered, filtered and resumed like units are.
 */
let backend: TestBackend;
let a: Instance;
let b: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let me: SessionUser;
let other: string;
const clients: TestLiveClient[] = [];

const live = { catchUpMs: 200, extraModules: [notesLiveModule] };
beforeAll(async () => {
  backend = await createBackend();
  a = await startInstance(backend, { live });
  b = await startInstance(backend, { database: await backend.openDatabase(), live });
  s = await demoSessions(a.app);
  me = await sessionUser(a.app, s.worker);
  other = await login(a.app, demoEmail('vo_worker.moviera'));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await a?.close();
  await b?.close();
  await backend?.close();
});

async function connect(
  instance: Instance,
  cookie: string,
  kept?: Parameters<typeof TestLiveClient.connect>[2],
) {
  const c = await TestLiveClient.connect(instance.wsUrl, cookie, kept);
  clients.push(c);
  await c.waitFor((x) => x.state.ready);
  return c;
}
type NoteChange = { slice: string; value: { id: number; text: string } };
const notesIn = (c: TestLiveClient, from = 0) =>
  c
    .messages(from)
    .flatMap((m) => (m.changes ?? []) as NoteChange[])
    .filter((ch) => ch.slice === 'notes')
    .map((ch) => ch.value.text);

describe('a new kind of change from a module of its own', () => {
  it('reaches its audience on both instances, projected per viewer class, and nobody else', async () => {
    const own = await connect(b, s.worker);
    const coordinator = await connect(b, s.coordinator);
    const otherVo = await connect(a, other);
    const municipality = await connect(a, s.municipality);
    const before = [otherVo, municipality].map((c) => c.messages().length);

    await postNote(a.app.changes, me.organisationId!, 'bed 3 lekt');
    await own.waitFor((c) => notesIn(c).length === 1);
    await coordinator.waitFor((c) => notesIn(c).length === 1);
    expect(notesIn(own)).toEqual(['bed 3 lekt']);
    expect(notesIn(coordinator)).toEqual(['(privé)']);

    // A later unit-level change reaches the others, so they would have had the note by now.
    await postNote(a.app.changes, 9999, 'een andere organisatie');
    await new Promise((r) => setTimeout(r, 300));
    expect(notesIn(otherVo)).toEqual([]);
    expect(otherVo.messages().length).toBe(before[0]);
    expect(municipality.messages().length).toBe(before[1]);
    expect(own.gaps + coordinator.gaps).toBe(0);
  });

  it('is resumed by seq: a client that was away gets the notes it missed and no others', async () => {
    const first = await connect(a, s.worker);
    const kept = first.keep();
    await first.close();
    await postNote(a.app.changes, me.organisationId!, 'gemist 1');
    await postNote(a.app.changes, 4242, 'niet voor jou');
    await postNote(a.app.changes, me.organisationId!, 'gemist 2');
    // On Redis, b may not have the notes yet: a resume then gets them in two frames.
    while (b.app.live.seq < a.app.live.seq) await new Promise((r) => setTimeout(r, 5));
    const resumed = await TestLiveClient.connect(b.wsUrl, s.worker, kept);
    clients.push(resumed);
    await resumed.waitFor((c) => notesIn(c).length === 2);
    expect(resumed.messages().map((m) => m.type)).toEqual(['batch']);
    expect(notesIn(resumed)).toEqual(['gemist 1', 'gemist 2']);
    expect(resumed.gaps).toBe(0);
  });

  it('is part of the snapshot for exactly the viewers that may see it', async () => {
    const own = await connect(a, s.worker);
    const snapshot = JSON.parse(own.frames[0]!) as {
      slices: Record<string, Array<{ text: string }>>;
    };
    expect(snapshot.slices.notes!.map((n) => n.text)).toContain('bed 3 lekt');
    const stranger = await connect(a, other);
    const theirs = JSON.parse(stranger.frames[0]!) as { slices: Record<string, unknown[]> };
    expect(theirs.slices.notes).toEqual([]);
  });
});

describe("a module that observes another module's events", () => {
  it("moves the municipality's capacity figures with a unit change, in the same frame, on every instance", async () => {
    const onA = await connect(a, s.municipality);
    const onB = await connect(b, s.municipality);
    const regionId = [...onA.state.slice('municipality').keys()][0]!;
    const unit = (await getUnits(a.app, s.worker)).find(
      (u) =>
        u.regionId === regionId && u.status === 'free' && u.organisationId === me.organisationId,
    )!;
    const before = onA.state.slice('municipality').get(regionId)!.capacity!;
    const from = onB.frames.length;
    const started = Date.now();
    const res = await patchUnit(a.app, s.worker, unit, { status: 'out_of_service' });
    expect(res.statusCode).toBe(200);
    const moved = (f: MunicipalityFigures | undefined) =>
      f?.capacity?.total.inService === before.total.inService - 1;
    await onA.waitFor((c) => moved(c.state.slice('municipality').get(regionId)), 1000);
    await onB.waitFor((c) => moved(c.state.slice('municipality').get(regionId)), 1000);
    // At once (a frame tick), not at a sweep; the unit's region figures come in the same frame.
    expect(Date.now() - started).toBeLessThan(1000);
    const frame = onB
      .messages(from)
      .find((m) => m.changes?.some((c) => c.slice === 'municipality'));
    expect(frame?.changes?.map((c) => c.slice).sort()).toEqual(['municipality', 'regions']);
    // The API counts the units in the database: the same figures as the live view.
    const api = await a.app.inject({
      url: '/api/municipality/figures',
      headers: { cookie: s.municipality },
    });
    expect(onA.state.slice('municipality').get(regionId)).toEqual(api.json());

    // A change that moves no capacity figure (a hold) sends the municipality no figures.
    const back = await patchUnit(a.app, s.worker, res.json(), { status: 'free' });
    await onB.waitFor(
      (c) =>
        c.state.slice('municipality').get(regionId)!.capacity!.total.inService ===
        before.total.inService,
      1000,
    );
    const quiet = onB.frames.length;
    const hold = await a.app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker },
      payload: {},
    });
    expect(hold.statusCode).toBe(200);
    await onB.waitFor(
      (c) => c.messages(quiet).some((m) => m.changes?.some((ch) => ch.slice === 'regions')),
      1000,
    );
    expect(
      onB
        .messages(quiet)
        .flatMap((m) => m.changes ?? [])
        .map((c) => c.slice),
    ).not.toContain('municipality');
    expect(back.statusCode).toBe(200);
  });
});
