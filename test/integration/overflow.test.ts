import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, overflowRegistrations } from '@opvangatlas/db';
import {
  addDays,
  dutchDate,
  overflowTypes,
  type MunicipalityFigures,
  type NonPlacement,
  type OverflowInput,
  type OverflowRegistration,
  type PlacementRequest,
  type Region,
  type SessionUser,
  type WaitlistEntry,
} from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit, sessionUser } from '../support/fixtures';
import { slug } from '@opvangatlas/db/seed';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Niet-reguliere bedden through the API on two instances: register, check in, the overdue
 * flag and its escalation arriving live (once, whichever instance sweeps), ending; the link
 * from a placement request and from the waitlist; niet-plaatsing; and what a municipality
 * sees: its own region's suppressed figures, live, through the API and as CSV, never a
 * single registration and never another region.
 */
let backend: TestBackend;
let a: Instance;
let b: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let moviera: string;
/** A region without any stay now, and its officer: where small numbers are made. */
let quiet: Region;
let quietOfficer: string;
let worker: SessionUser;
let regions: Region[];
const clients: TestLiveClient[] = [];

const region = (name: string) => regions.find((r) => r.name === name)!;
const today = () => dutchDate(new Date());

async function api<T = OverflowRegistration>(
  method: 'GET' | 'POST',
  url: string,
  cookie: string,
  payload?: object,
  instance = a,
) {
  const res = await instance.app.inject({ method, url, headers: { cookie }, payload });
  const json = res.headers['content-type']?.toString().startsWith('application/json');
  return {
    status: res.statusCode,
    body: (json ? res.json() : {}) as T & {
      code?: string;
      fields?: Array<{ path: string; code: string }>;
    },
    raw: res,
  };
}

const register = (cookie: string, over: Partial<OverflowInput> = {}, instance = a) =>
  api(
    'POST',
    '/api/overflow',
    cookie,
    {
      type: 'hotel',
      regionId: region('Rotterdam').id,
      startDate: today(),
      adults: 1,
      children: 2,
      ...over,
    },
    instance,
  );

async function connect(instance: Instance, cookie: string) {
  const c = await TestLiveClient.connect(instance.wsUrl, cookie);
  clients.push(c);
  await c.waitFor((x) => x.state.ready);
  return c;
}

const eventsOf = async (type: string, id: number) =>
  backend.database.db
    .select()
    .from(events)
    .where(
      and(eq(events.type, type), sql`(${events.data} -> 'registration' ->> 'id')::int = ${id}`),
    );

beforeAll(async () => {
  // The sweeps are called by the tests, at the times they choose.
  backend = await createBackend({ overflowSweepMs: 3_600_000 });
  a = await startInstance(backend, { live: { catchUpMs: 200 } });
  b = await startInstance(backend, {
    database: await backend.openDatabase(),
    live: { catchUpMs: 200 },
  });
  s = await demoSessions(a.app);
  moviera = await login(a.app, demoEmail('vo_worker.moviera'));
  worker = await sessionUser(a.app, s.worker);
  regions = (await a.app.inject({ url: '/api/regions' })).json<Region[]>();
  const busy = new Set(
    (
      await backend.database.db
        .selectDistinct({ id: overflowRegistrations.regionId })
        .from(overflowRegistrations)
        .where(sql`${overflowRegistrations.endedAt} is null`)
    ).map((r) => r.id),
  );
  quiet = regions.find((r) => !busy.has(r.id) && r.name !== 'Rotterdam')!;
  quietOfficer = await login(a.app, demoEmail(`municipality.${slug(quiet.name)}`));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await a?.close();
  await b?.close();
  await backend?.close();
});

describe('an overflow stay from registration to its end', () => {
  it('registers a household with counts only, live to its VO and coordinators, never to others', async () => {
    const own = await connect(b, s.planner);
    const coordinator = await connect(b, s.coordinator);
    const other = await connect(a, moviera);
    const started = Date.now();
    const res = await register(s.worker, { checkInIntervalHours: 12 });
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.reference).toMatch(/^NR-\d{4}-\d{4,}$/);
    expect(r).toMatchObject({
      status: 'active',
      type: 'hotel',
      adults: 1,
      children: 2,
      overdueLevel: 0,
      responsible: { userId: worker.id },
      checkInIntervalHours: 12,
    });
    expect(Date.parse(r.nextCheckInAt) - Date.parse(r.createdAt)).toBe(12 * 3_600_000);
    await own.waitFor((c) => c.state.slice('overflow').has(r.id), 1000);
    console.info(`registration on its VO's screen ${Date.now() - started} ms after registering`);
    await coordinator.waitFor((c) => c.state.slice('overflow').has(r.id), 1000);
    await new Promise((res) => setTimeout(res, 200));
    expect(other.frames.join('\n')).not.toContain(r.reference);
    expect((await api('GET', `/api/overflow/${r.id}`, moviera)).status).toBe(404);
    expect((await api('GET', `/api/overflow/${r.id}`, s.coordinator)).status).toBe(200);
  });

  it('refuses a hotel name or address, a date in the future and a worker of another VO', async () => {
    const named = await register(s.worker, { hotelName: 'Hotel Centraal' } as object);
    expect(named.status).toBe(400);
    expect(named.body.fields![0]).toMatchObject({ path: 'hotelName', code: 'unknown_field' });
    const future = await register(s.worker, { startDate: addDays(today(), 2) });
    expect(future.body.fields![0]).toMatchObject({ path: 'startDate', code: 'date_in_future' });
    const movieraUser = await sessionUser(a.app, moviera);
    const foreign = await register(s.worker, { responsibleUserId: movieraUser.id });
    expect(foreign.body.fields![0]).toMatchObject({
      path: 'responsibleUserId',
      code: 'responsible_not_staff',
    });
    expect((await register(s.coordinator)).status).toBe(403);
    expect((await register(s.municipality)).status).toBe(403);
  });

  it('checks in with one tap, flags an overdue check-in live (once across instances), escalates it, and ends', async () => {
    const own = await connect(a, s.worker);
    const coordinator = await connect(b, s.coordinator);
    const { body: r } = await register(s.worker);

    const checked = await api('POST', `/api/overflow/${r.id}/check-in`, s.planner, undefined, b);
    expect(checked.status).toBe(200);
    expect(checked.body.lastCheckInBy?.userId).not.toBe(worker.id);
    expect(checked.body.lastCheckInAt).not.toBeNull();
    const due = Date.parse(checked.body.nextCheckInAt);
    expect(due - Date.parse(checked.body.lastCheckInAt!)).toBe(24 * 3_600_000);

    // The check-in is due: both instances sweep at once; the VO sees the flag live.
    const swept = Date.now();
    const flagged = await Promise.all([
      a.app.services.overflow.flagOverdue(new Date(due + 1000)),
      b.app.services.overflow.flagOverdue(new Date(due + 1000)),
    ]);
    await own.waitFor((c) => c.state.slice('overflow').get(r.id)?.overdueLevel === 1, 1000);
    console.info(
      `overdue check-in flagged on the VO's screen ${Date.now() - swept} ms after the sweep`,
    );
    expect(flagged.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(1);
    expect(await eventsOf('overflow.overdue', r.id)).toHaveLength(1);

    // Within the grace period nothing more; after it, coordinators are alerted (level 2).
    const grace = backend.config.overflowGraceMinutes * 60_000;
    await a.app.services.overflow.escalateOverdue(new Date(due + grace - 60_000));
    expect(await eventsOf('overflow.escalated', r.id)).toHaveLength(0);
    await Promise.all([
      a.app.services.overflow.escalateOverdue(new Date(due + grace + 1000)),
      b.app.services.overflow.escalateOverdue(new Date(due + grace + 1000)),
    ]);
    await coordinator.waitFor((c) => c.state.slice('overflow').get(r.id)?.overdueLevel === 2, 1000);
    expect(await eventsOf('overflow.escalated', r.id)).toHaveLength(1);

    // A check-in clears the flag; the stay ends with its outcome.
    const again = await api('POST', `/api/overflow/${r.id}/check-in`, s.worker);
    expect(again.body.overdueLevel).toBe(0);
    const vague = await api('POST', `/api/overflow/${r.id}/end`, s.worker, {
      outcome: 'regular_place',
    });
    expect(vague.status).toBe(400);
    expect(vague.body.fields!.map((f) => f.code)).toContain('outcome_details_required');
    expect(
      (await api('POST', `/api/overflow/${r.id}/end`, moviera, { outcome: 'other' })).status,
    ).toBe(404);
    const ended = await api('POST', `/api/overflow/${r.id}/end`, s.worker, {
      outcome: 'regular_place',
      kind: 'crisis',
      regionId: region('Utrecht').id,
    });
    expect(ended.body).toMatchObject({
      status: 'ended',
      endDate: today(),
      outcome: 'regular_place',
      outcomeKind: 'crisis',
      outcomeRegionId: region('Utrecht').id,
    });
    await own.waitFor((c) => c.state.slice('overflow').get(r.id)?.status === 'ended', 1000);
    const late = await api('POST', `/api/overflow/${r.id}/check-in`, s.worker);
    expect(late.body.code).toBe('overflow_ended');
    // Every step keeps its actor (the audit trail).
    const trail = await backend.database.db
      .select({ type: events.type, actor: events.actorUserId })
      .from(events)
      .where(sql`(${events.data} -> 'registration' ->> 'id')::int = ${r.id}`)
      .orderBy(events.seq);
    expect(trail.map((e) => e.type)).toEqual([
      'overflow.registered',
      'overflow.checked_in',
      'overflow.overdue',
      'overflow.escalated',
      'overflow.checked_in',
      'overflow.ended',
    ]);
    expect(trail.filter((e) => e.actor === null).map((e) => e.type)).toEqual([
      'overflow.overdue',
      'overflow.escalated',
    ]);
  });
});

describe('links from placement requests and the waitlist', () => {
  const postRequest = async () => {
    const rotterdam = region('Rotterdam').id;
    const res = await api<PlacementRequest>('POST', '/api/placements', s.worker, {
      kind: 'noodbed',
      urgency: 'acuut',
      household: { adults: [{ gender: 'v' }], children: [3, 8] },
      needs: { wheelchair: false, pets: false, largeFamily: false, languages: [] },
      originRegionId: rotterdam,
      unsafeRegionIds: [rotterdam],
      preferredRegionIds: [],
    });
    expect(res.status).toBe(200);
    return res.body;
  };

  it('opens a registration for a request closed as hotel, once', async () => {
    const request = await postRequest();
    const early = await register(s.worker, { placementRequestId: request.id });
    expect(early.body.code).toBe('placement_outcome_mismatch');
    await api('POST', `/api/placements/${request.id}/close`, s.worker, { outcome: 'hotel' });
    const linked = await register(s.worker, { placementRequestId: request.id, children: 2 });
    expect(linked.status).toBe(200);
    expect(linked.body.placementRequestId).toBe(request.id);
    const twice = await register(s.worker, { placementRequestId: request.id });
    expect(twice.body.code).toBe('placement_already_registered');
    expect((await register(moviera, { placementRequestId: request.id })).status).toBe(404);
  });

  it('records a niet-plaatsing for a request closed so, live to the VO', async () => {
    const own = await connect(a, s.worker);
    const request = await postRequest();
    await api('POST', `/api/placements/${request.id}/close`, s.worker, {
      outcome: 'niet_plaatsing',
    });
    const res = await api<NonPlacement>('POST', '/api/non-placements', s.worker, {
      kind: 'noodbed',
      urgency: 'acuut',
      regionId: region('Rotterdam').id,
      reason: 'full',
      placementRequestId: request.id,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      reason: 'full',
      date: today(),
      placementRequestId: request.id,
    });
    await own.waitFor((c) => c.state.slice('nonPlacements').has(res.body.id), 1000);
    expect(Object.keys(res.body)).not.toContain('household');
  });

  it('keeps a waitlist: one-tap placement with the days waited, and moves to a stay or a request', async () => {
    const add = (waitingSince: string) =>
      api<WaitlistEntry>('POST', '/api/waitlist', s.worker, {
        kind: 'crisis',
        urgency: 'regulier',
        household: { adults: [{ gender: 'v' }], children: [4] },
        regionId: region('Rotterdam').id,
        waitingSince,
      });
    const placed = await add(addDays(today(), -10));
    expect(placed.body.reference).toMatch(/^WL-\d{4}-\d{4,}$/);
    const done = await api<WaitlistEntry>(
      'POST',
      `/api/waitlist/${placed.body.id}/placed`,
      s.planner,
    );
    expect(done.body).toMatchObject({ status: 'placed', daysWaited: 10, endDate: today() });
    const again = await api('POST', `/api/waitlist/${placed.body.id}/placed`, s.worker);
    expect(again.body.code).toBe('waitlist_not_waiting');

    const toStay = await add(addDays(today(), -3));
    const stay = await register(s.worker, {
      waitlistEntryId: toStay.body.id,
      type: 'vakantiepark',
    });
    expect(stay.body.waitlistEntryId).toBe(toStay.body.id);
    const list = await api<WaitlistEntry[]>('GET', '/api/waitlist', s.worker);
    expect(list.body.find((e) => e.id === toStay.body.id)).toMatchObject({
      status: 'to_overflow',
      daysWaited: 3,
      overflowRegistrationId: stay.body.id,
    });

    const toRequest = await add(addDays(today(), -5));
    const moved = await api<{ entry: WaitlistEntry; request: PlacementRequest }>(
      'POST',
      `/api/waitlist/${toRequest.body.id}/placement-request`,
      s.worker,
      {
        unsafeRegionIds: [region('Rotterdam').id],
        needs: { wheelchair: false, pets: false, largeFamily: false, languages: [] },
      },
    );
    expect(moved.status).toBe(200);
    expect(moved.body.entry).toMatchObject({ status: 'to_request', daysWaited: 5 });
    expect(moved.body.request).toMatchObject({
      kind: 'crisis',
      household: { adults: [{ gender: 'v' }], children: [4] },
      status: 'open',
    });
    expect(moved.body.entry.placementRequestId).toBe(moved.body.request.id);
    expect((await api('GET', '/api/waitlist', s.municipality)).status).toBe(403);
    expect((await api('POST', `/api/waitlist/${toRequest.body.id}/removed`, moviera)).status).toBe(
      404,
    );
  });
});

describe('the municipality view', () => {
  it('shows a new hotel placement on the dashboard live, within a second, and nothing else of it', async () => {
    const officer = await connect(b, s.municipality);
    const rotterdam = region('Rotterdam').id;
    const before = officer.state.slice('municipality').get(rotterdam)!;
    expect(before).toBeDefined();
    expect([...officer.state.slice('municipality').keys()]).toEqual([rotterdam]);
    const started = Date.now();
    const { body: r } = await register(s.worker, { regionId: rotterdam });
    await officer.waitFor(
      (c) =>
        JSON.stringify(c.state.slice('municipality').get(rotterdam)?.overflow) !==
        JSON.stringify(before.overflow),
      1000,
    );
    console.info(
      `new hotel placement on the municipality's figures ${Date.now() - started} ms after registering`,
    );
    const frames = officer.frames.join('\n');
    for (const secret of [r.reference, 'responsible', 'Arosa', 'Nachtdienst', worker.displayName]) {
      expect(frames).not.toContain(secret);
    }
    // Only its own region's figures, and no registration, waitlist entry or record.
    for (const name of ['overflow', 'waitlist', 'nonPlacements', 'requests', 'units'] as const)
      expect(officer.state.slice(name).size).toBe(0);
    expect([...officer.state.slice('municipality').keys()]).toEqual([rotterdam]);
    expect((await api('GET', '/api/overflow', s.municipality)).status).toBe(403);
    expect((await api('GET', `/api/overflow/${r.id}`, s.municipality)).status).toBe(404);
  });

  it('never gives a municipality another region (API, CSV, frames)', async () => {
    const quietId = quiet.id;
    const rotterdam = region('Rotterdam').id;
    const officer = await connect(a, quietOfficer);
    const own = await api<MunicipalityFigures>('GET', '/api/municipality/figures', quietOfficer);
    expect(own.status).toBe(200);
    expect(own.body.regionId).toBe(quietId);
    for (const url of ['/api/municipality/figures', '/api/municipality/figures.csv']) {
      const other = await api('GET', `${url}?regionId=${rotterdam}`, quietOfficer);
      expect(other.status).toBe(403);
      expect(other.body.code).toBe('not_own_region');
      expect((await api('GET', url, s.worker)).status).toBe(403);
    }
    expect(
      (await api('GET', `/api/municipality/figures?regionId=${quietId}`, s.coordinator)).status,
    ).toBe(200);
    // A change in Rotterdam sends the other region nothing.
    const frames = officer.frames.length;
    await register(s.worker, { regionId: rotterdam });
    await new Promise((res) => setTimeout(res, 300));
    expect(officer.messages(frames).filter((m) => m.type === 'batch')).toEqual([]);
    expect([...officer.state.slice('municipality').keys()]).toEqual([quietId]);
  });

  it('suppresses small numbers everywhere it can see them, with totals that give nothing away', async () => {
    const quietId = quiet.id;
    const officer = await connect(a, quietOfficer);
    const activeHotels = async () =>
      (
        await backend.database.db
          .select({ n: sql<number>`count(*)::int` })
          .from(overflowRegistrations)
          .where(
            and(
              eq(overflowRegistrations.regionId, quietId),
              eq(overflowRegistrations.type, 'hotel'),
              sql`${overflowRegistrations.endedAt} is null`,
            ),
          )
      )[0]!.n;
    // Two households in hotels in a region that had none.
    while ((await activeHotels()) < 2) await register(s.worker, { regionId: quietId });
    {
      const figures = (
        await api<MunicipalityFigures>('GET', '/api/municipality/figures', quietOfficer)
      ).body;
      expect(figures.overflow.byType.hotel).toEqual({ households: '<5', persons: '<5' });
      // Not the only hidden type: the total minus the shown types leaves two or more unknowns.
      const hidden = overflowTypes.filter(
        (t) => typeof figures.overflow.byType[t].households !== 'number',
      );
      expect(hidden.length >= 2 || typeof figures.overflow.total.households !== 'number').toBe(
        true,
      );
      await officer.waitFor(
        (c) =>
          c.state.slice('municipality').get(quietId)?.overflow.byType.hotel.households === '<5',
        1000,
      );
      const csv = await api('GET', '/api/municipality/figures.csv', quietOfficer);
      expect(csv.raw.headers['content-type']).toContain('text/csv');
      expect(csv.raw.headers['content-disposition']).toMatch(
        new RegExp(`attachment; filename="opvangatlas-${slug(quiet.name)}-`),
      );
      expect(csv.raw.body).toContain('huishoudens_niet_regulier,hotel,nu,<5');
    }
    // Five or more: the number itself, the same on the API, the CSV and the screen.
    while ((await activeHotels()) < 6) await register(s.worker, { regionId: quietId });
    const n = await activeHotels();
    const figures = (
      await api<MunicipalityFigures>('GET', '/api/municipality/figures', quietOfficer)
    ).body;
    expect(figures.overflow.byType.hotel.households).toBe(n);
    await officer.waitFor(
      (c) => c.state.slice('municipality').get(quietId)?.overflow.byType.hotel.households === n,
      1000,
    );
    expect(officer.state.slice('municipality').get(quietId)).toEqual(figures);
    const csv = await api('GET', '/api/municipality/figures.csv', quietOfficer);
    expect(csv.raw.body).toContain(`huishoudens_niet_regulier,hotel,nu,${n}`);
    // No shown count anywhere in the municipality's frames is from 1-4 households: every
    // number under "households" is 0 or at least 5.
    const counts = officer.frames
      .join('\n')
      .match(/"households":(\d+)/g)!
      .map((m) => Number(m.split(':')[1]));
    expect(counts.filter((c) => c > 0 && c < 5)).toEqual([]);
  });

  it('recounts occupancy and herkomst with the unit change and sends it live', async () => {
    const rotterdam = region('Rotterdam').id;
    const officer = await connect(a, s.municipality);
    const unit = (await getUnits(a.app, s.worker)).find(
      (u) =>
        u.regionId === rotterdam &&
        u.status === 'free' &&
        u.organisationId === worker.organisationId,
    )!;
    const before = officer.state.slice('municipality').get(rotterdam)!.capacity!;
    const res = await patchUnit(a.app, s.worker, unit, { status: 'out_of_service' });
    expect(res.statusCode).toBe(200);
    await officer.waitFor(
      (c) =>
        c.state.slice('municipality').get(rotterdam)!.capacity!.total.inService ===
        before.total.inService - 1,
      1000,
    );
    const after = officer.state.slice('municipality').get(rotterdam)!.capacity!;
    expect(after.total.places).toBe(before.total.places);
    expect(after.inhabitants).toBe(region('Rotterdam').inhabitants);
    await patchUnit(a.app, s.worker, res.json(), { status: 'free' });
  });

  it('carries every region to the new day once across instances, live to its municipality', async () => {
    const dayEvents = (day: string) =>
      backend.database.db
        .select({ regionId: events.regionId })
        .from(events)
        .where(
          and(eq(events.type, 'municipality.capacity'), sql`${events.data} ->> 'day' = ${day}`),
        );
    // The seed counted today already: nothing was sent at start.
    expect(await dayEvents(today())).toEqual([]);
    const officer = await connect(a, quietOfficer);
    const seen = officer.frames.length;
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    const sent = await Promise.all([
      a.app.services.municipality.startDay(tomorrow),
      b.app.services.municipality.startDay(tomorrow),
    ]);
    expect(sent[0] + sent[1]).toBe(regions.length);
    const byRegion = (await dayEvents(dutchDate(tomorrow))).map((e) => e.regionId);
    expect(byRegion.sort((x, y) => x! - y!)).toEqual(
      regions.map((r) => r.id).sort((x, y) => x - y),
    );
    // A region where nothing happened gets its figures again (for the new date, on the
    // server's new day), and only its own.
    await officer.waitFor(
      (c) => c.messages(seen).some((m) => m.changes?.some((ch) => ch.slice === 'municipality')),
      1000,
    );
    expect([...officer.state.slice('municipality').keys()]).toEqual([quiet.id]);
    expect(await a.app.services.municipality.startDay(tomorrow)).toBe(0);
  });
});
