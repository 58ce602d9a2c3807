import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, placementRequests, units } from '@opvangatlas/db';
import {
  fits,
  type PlacementRequest,
  type PlacementRequestInput,
  type Region,
  type SessionUser,
  type Unit,
} from '@opvangatlas/shared';
import { createMemoryBus } from '../../server/src/live/bus';
import { ChangeRunner } from '../../server/src/modules/events/change-runner';
import { PlacementService } from '../../server/src/modules/placements/placement-service';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit, sessionUser } from '../support/fixtures';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Bovenregionale plaatsing through the API, on two instances: post, see it arrive, offer,
 * decline, accept, arrival, departure; cancel, close, expiry, escalation, claims, quota; and
 * the races the workflow must win exactly once.
 */
let backend: TestBackend;
let a: Instance;
let b: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let moviera: { cookie: string; user: SessionUser };
let kadera: { cookie: string; user: SessionUser };
let regions: Region[];
const clients: TestLiveClient[] = [];

const rotterdam = () => regions.find((r) => r.name === 'Rotterdam')!;
const household = { adults: [{ gender: 'v' as const }], children: [4] };
const input = (over: Partial<PlacementRequestInput> = {}): PlacementRequestInput => ({
  kind: 'noodbed',
  urgency: 'code_rood',
  household,
  needs: { wheelchair: false, pets: false, largeFamily: false, languages: ['ar'] },
  originRegionId: rotterdam().id,
  unsafeRegionIds: [rotterdam().id],
  preferredRegionIds: [],
  ...over,
});

async function me(cookie: string): Promise<SessionUser> {
  return await sessionUser(a.app, cookie);
}

async function api<T = PlacementRequest>(
  method: 'GET' | 'POST' | 'DELETE' | 'PUT',
  url: string,
  cookie: string,
  payload?: object,
  instance = a,
) {
  const res = await instance.app.inject({ method, url, headers: { cookie }, payload });
  return { status: res.statusCode, body: res.json<T & { code?: string }>() };
}

const post = (cookie: string, over: Partial<PlacementRequestInput> = {}) =>
  api('POST', '/api/placements', cookie, input(over));

/**
 * A free unit of the organisation that fits the household and no other test used; when it
 * has none left, one of its occupied ones is freed first (as its admin would).
 */
const used = new Set<number>();
async function fittingUnit(organisationId: number, kind: Unit['kind'] = 'noodbed'): Promise<Unit> {
  const candidates = (await getUnits(a.app, s.admin)).filter(
    (u) =>
      !used.has(u.id) &&
      u.organisationId === organisationId &&
      fits({ kind, household, needs: { wheelchair: false, largeFamily: false } }, u),
  );
  let unit = candidates.find((u) => u.status === 'free');
  if (!unit) {
    const occupied = candidates.find((u) => u.status === 'occupied');
    if (!occupied) throw new Error(`no ${kind} of organisation ${organisationId} fits`);
    const res = await patchUnit(a.app, s.admin, occupied, { status: 'free' });
    expect(res.statusCode).toBe(200);
    unit = res.json<Unit>();
  }
  used.add(unit.id);
  return unit;
}
const ensureFittingUnit = fittingUnit;

beforeAll(async () => {
  backend = await createBackend({ holdCaps: { perUser: 50, perOrganisation: 100 } });
  a = await startInstance(backend, { live: { catchUpMs: 200 } });
  b = await startInstance(backend, {
    database: await backend.openDatabase(),
    live: { catchUpMs: 200 },
  });
  s = await demoSessions(a.app);
  const m = await login(a.app, demoEmail('vo_worker.moviera'));
  const k = await login(a.app, demoEmail('vo_worker.kadera'));
  moviera = { cookie: m, user: await me(m) };
  kadera = { cookie: k, user: await me(k) };
  regions = (await a.app.inject({ url: '/api/regions' })).json<Region[]>();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await a?.close();
  await b?.close();
  await backend?.close();
});

async function connect(instance: Instance, cookie: string) {
  const c = await TestLiveClient.connect(instance.wsUrl, cookie);
  clients.push(c);
  await c.waitFor((x) => x.state.ready);
  return c;
}

describe('a placement request from post to arrival', () => {
  it('goes live to the receiving VOs and coordinators, never to municipalities', async () => {
    const receiver = await connect(b, moviera.cookie);
    const coordinator = await connect(b, s.coordinator);
    const municipality = await connect(a, s.municipality);
    const started = Date.now();
    const created = await post(s.worker);
    expect(created.status).toBe(200);
    expect(created.body.reference).toMatch(/^PV-\d{4}-\d{4}$/);
    expect(created.body.unsafeRegionIds).toEqual([rotterdam().id]);
    const id = created.body.id;
    await receiver.waitFor((c) => c.state.slice('requests').has(id), 1000);
    console.info(`request on the receiver's screen ${Date.now() - started} ms after posting`);
    await coordinator.waitFor((c) => c.state.slice('requests').has(id), 1000);
    // The receiver does not learn where the danger is.
    expect(receiver.state.slice('requests').get(id)!.unsafeRegionIds).toBeNull();
    expect(coordinator.state.slice('requests').get(id)!.unsafeRegionIds).toEqual([rotterdam().id]);
    await new Promise((r) => setTimeout(r, 200));
    expect(municipality.frames.join('\n')).not.toContain(created.body.reference);
    expect((await api('GET', '/api/placements', s.municipality)).status).toBe(403);
    expect((await api('GET', `/api/placements/${id}`, s.municipality)).status).toBe(404);
  });

  it('walks offer, decline, accept, arrival and departure, with every unit where it should be', async () => {
    const { body: request } = await post(s.worker);
    const id = request.id;
    const unit = await fittingUnit(moviera.user.organisationId!);
    const other = await ensureFittingUnit(kadera.user.organisationId!, 'noodbed');

    const seen = await api('POST', `/api/placements/${id}/seen`, moviera.cookie);
    expect(seen.body.responses).toMatchObject([{ organisationId: moviera.user.organisationId }]);

    const offered = await api('POST', `/api/placements/${id}/offers`, moviera.cookie, {
      unitId: unit.id,
    });
    expect(offered.status).toBe(200);
    expect(offered.body.offers).toMatchObject([{ unitId: unit.id, status: 'offered' }]);
    const held = (await getUnits(a.app, s.admin)).find((u) => u.id === unit.id)!;
    expect(held).toMatchObject({ status: 'held', heldForRequestId: id });

    // Kadera offers too, then another Kadera planner would decline: first withdraw is needed.
    const kaderaOffer = await api('POST', `/api/placements/${id}/offers`, kadera.cookie, {
      unitId: other.id,
    });
    expect(kaderaOffer.status).toBe(200);
    // A receiver sees only its own offers and answers.
    expect(kaderaOffer.body.offers.map((o) => o.organisationId)).toEqual([
      kadera.user.organisationId,
    ]);
    expect(
      (await api('POST', `/api/placements/${id}/decline`, kadera.cookie, { reason: 'full' })).body
        .code,
    ).toBe('offer_active');

    // The unit is the request's now: its own VO cannot free it behind the request's back.
    const patched = await patchUnit(a.app, moviera.cookie, held, { status: 'free' });
    expect(patched.statusCode).toBe(409);
    expect(patched.json().code).toBe('unit_in_placement');

    const outbox = await api('GET', `/api/placements/${id}`, s.worker);
    expect(outbox.body.offers).toHaveLength(2);
    const accepted = await api(
      'POST',
      `/api/placements/${id}/offers/${offered.body.offers[0]!.id}/accept`,
      s.worker,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('placed');
    expect(accepted.body.offers.map((o) => o.status)).toEqual(['accepted', 'released']);
    const after = await getUnits(a.app, s.admin);
    expect(after.find((u) => u.id === unit.id)!.status).toBe('reserved');
    expect(after.find((u) => u.id === other.id)!.status).toBe('free');

    expect((await api('POST', `/api/placements/${id}/arrival`, kadera.cookie)).status).toBe(403);
    const arrived = await api('POST', `/api/placements/${id}/arrival`, moviera.cookie);
    expect(arrived.body).toMatchObject({ status: 'arrived', outcome: 'placed' });
    const [row] = await backend.database.db.select().from(units).where(eq(units.id, unit.id));
    expect(row).toMatchObject({
      status: 'occupied',
      householdAdults: 1,
      householdChildren: 1,
      originRegionId: rotterdam().id,
      placementRequestId: id,
    });
    const departed = await api('POST', `/api/placements/${id}/departure`, s.worker);
    expect(departed.body.departedAt).not.toBeNull();
  });

  it('refuses a unit that does not fit, is in an unsafe region, or is not the own', async () => {
    const { body: request } = await post(s.worker, {
      household: { adults: [{ gender: 'v' }], children: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    });
    const small = (await getUnits(a.app, s.admin)).find(
      (u) =>
        u.organisationId === moviera.user.organisationId && u.status === 'free' && u.maxPersons < 8,
    )!;
    const res = await api('POST', `/api/placements/${request.id}/offers`, moviera.cookie, {
      unitId: small.id,
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('unit_does_not_fit');
    const foreign = await fittingUnit(kadera.user.organisationId!);
    expect(
      (
        await api('POST', `/api/placements/${request.id}/offers`, moviera.cookie, {
          unitId: foreign.id,
        })
      ).status,
    ).toBe(403);
    used.delete(foreign.id);
  });

  it('never sends a request to a VO whose only regions are unsafe for the household', async () => {
    const movieraRegions = [
      ...new Set(
        (await getUnits(a.app, s.admin))
          .filter((u) => u.organisationId === moviera.user.organisationId)
          .map((u) => u.regionId),
      ),
    ];
    const watcher = await connect(a, moviera.cookie);
    const { body: request } = await post(s.worker, {
      unsafeRegionIds: [rotterdam().id, ...movieraRegions],
    });
    expect((await api('GET', `/api/placements/${request.id}`, moviera.cookie)).status).toBe(404);
    expect(
      (await api<PlacementRequest[]>('GET', '/api/placements', moviera.cookie)).body.map(
        (r) => r.id,
      ),
    ).not.toContain(request.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(watcher.frames.join('\n')).not.toContain(request.reference);
    expect((await api('POST', `/api/placements/${request.id}/seen`, moviera.cookie)).status).toBe(
      404,
    );
  });

  it('refuses a note with personal data, naming the field and the kind of data', async () => {
    const res = await post(s.worker, { note: 'moeder geb. 12-03-1990, bel 06-12345678' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation' });
    const fields = (res.body as unknown as { fields: { path: string; code: string }[] }).fields;
    expect(fields[0]).toMatchObject({ path: 'note', code: 'note_phone' });
  });
});

describe('ending a request releases every unit it holds', () => {
  async function withOffer() {
    const { body: request } = await post(s.worker);
    const unit = await fittingUnit(moviera.user.organisationId!);
    const offered = await api('POST', `/api/placements/${request.id}/offers`, moviera.cookie, {
      unitId: unit.id,
    });
    expect(offered.status).toBe(200);
    return { request, unit };
  }
  const statusOf = async (id: number) =>
    (await getUnits(a.app, s.admin)).find((u) => u.id === id)!.status;

  it('on cancel', async () => {
    const { request, unit } = await withOffer();
    const res = await api('POST', `/api/placements/${request.id}/cancel`, s.worker);
    expect(res.body).toMatchObject({ status: 'cancelled', outcome: 'cancelled' });
    expect(await statusOf(unit.id)).toBe('free');
  });

  it('on closing with an outcome, by the requester or a coordinator', async () => {
    const { request, unit } = await withOffer();
    expect(
      (
        await api('POST', `/api/placements/${request.id}/close`, moviera.cookie, {
          outcome: 'hotel',
        })
      ).status,
    ).toBe(403);
    const res = await api('POST', `/api/placements/${request.id}/close`, s.coordinator, {
      outcome: 'niet_plaatsing',
    });
    expect(res.body).toMatchObject({ status: 'closed', outcome: 'niet_plaatsing' });
    expect(await statusOf(unit.id)).toBe('free');
  });

  it('when the respond-by time passes (timer), and a late accept loses', async () => {
    const { request, unit } = await withOffer();
    const expired = await a.app.services.placements.expireDue(
      new Date(Date.parse(request.respondBy) + 1000),
    );
    expect(expired).toBeGreaterThanOrEqual(1);
    expect(await statusOf(unit.id)).toBe('free');
    const full = await api('GET', `/api/placements/${request.id}`, s.worker);
    expect(full.body).toMatchObject({ status: 'expired', outcome: 'expired' });
    const late = await api(
      'POST',
      `/api/placements/${request.id}/offers/${full.body.offers[0]!.id}/accept`,
      s.worker,
    );
    expect(late.body.code).toBe('placement_not_open');
  });
});

describe('escalation and claims', () => {
  it('escalates along the ladder fixed at creation, once across instances', async () => {
    const { body: request } = await post(s.worker, { urgency: 'acuut' });
    expect(request.escalation).toEqual({ level: 0, ladderMinutes: [30, 60, 120] });
    const at = new Date(Date.parse(request.createdAt) + 31 * 60_000);
    const done = await Promise.all([
      a.app.services.placements.escalateDue(at),
      b.app.services.placements.escalateDue(at),
    ]);
    const after = await api('GET', `/api/placements/${request.id}`, s.coordinator);
    expect(after.body.escalation.level).toBe(1);
    expect(done.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(1);
    const audit = await backend.database.db
      .select()
      .from(events)
      .where(
        sql`${events.type} = 'placement.escalated' and (${events.data} -> 'request' ->> 'id')::int = ${request.id}`,
      );
    expect(audit).toHaveLength(1);
  });

  it('lets exactly one of two coordinators claim a request at once', async () => {
    const { body: request } = await post(s.worker);
    const admin = s.admin;
    const results = await Promise.all([
      api('POST', `/api/placements/${request.id}/claim`, s.coordinator, undefined, a),
      api('POST', `/api/placements/${request.id}/claim`, admin, undefined, b),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.code).toBe('already_claimed');
    expect((await api('POST', `/api/placements/${request.id}/claim`, s.worker)).status).toBe(403);
  });
});

describe('quota for clients from other regions', () => {
  it('warns or refuses an offer of crisis capacity over the region quota', async () => {
    const unit = await ensureFittingUnit(moviera.user.organisationId!, 'crisis');
    const { body: request } = await post(s.worker, { kind: 'crisis' });
    const setQuota = (mode: 'warn' | 'block') =>
      api('PUT', `/api/regions/${unit.regionId}/quota`, s.coordinator, {
        maxOutOfRegionPercent: 0,
        mode,
      });
    expect(
      (
        await api('PUT', `/api/regions/${unit.regionId}/quota`, moviera.cookie, {
          maxOutOfRegionPercent: 0,
          mode: 'block',
        })
      ).status,
    ).toBe(403);

    expect((await setQuota('block')).status).toBe(200);
    const refused = await api('POST', `/api/placements/${request.id}/offers`, moviera.cookie, {
      unitId: unit.id,
    });
    expect(refused.body.code).toBe('quota_exceeded');
    expect((await getUnits(a.app, s.admin)).find((u) => u.id === unit.id)!.status).toBe('free');

    await setQuota('warn');
    const warned = await api('POST', `/api/placements/${request.id}/offers`, moviera.cookie, {
      unitId: unit.id,
    });
    expect(warned.status).toBe(200);
    expect(warned.body.offers[0]!.quotaWarning).toBe(true);
    await api('PUT', `/api/regions/${unit.regionId}/quota`, s.coordinator, {
      maxOutOfRegionPercent: null,
      mode: 'warn',
    });
  });
});

describe('races: exactly one outcome wins', () => {
  const rounds = 5;
  // Vervolg places are the most numerous: enough free units for every round.
  const vervolg = { kind: 'vervolg' as const };

  it('two requests offered the same unit at once: one offer', async () => {
    for (let i = 0; i < rounds; i++) {
      const [r1, r2] = [(await post(s.worker, vervolg)).body, (await post(s.worker, vervolg)).body];
      const unit = await fittingUnit(moviera.user.organisationId!, 'vervolg');
      const results = await Promise.all([
        api('POST', `/api/placements/${r1.id}/offers`, moviera.cookie, { unitId: unit.id }, a),
        api('POST', `/api/placements/${r2.id}/offers`, moviera.cookie, { unitId: unit.id }, b),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const [{ n }] = (
        (await backend.database.db.execute(
          sql`select count(*)::int as n from placement_offers where unit_id = ${unit.id} and status = 'offered'`,
        )) as unknown as { rows: [{ n: number }] }
      ).rows;
      expect(n).toBe(1);
    }
  });

  it('two offers accepted at once: one placement, one reserved unit', async () => {
    for (let i = 0; i < rounds; i++) {
      const { body: request } = await post(s.worker, vervolg);
      const u1 = await fittingUnit(moviera.user.organisationId!, 'vervolg');
      const u2 = await ensureFittingUnit(kadera.user.organisationId!, 'vervolg');
      await api('POST', `/api/placements/${request.id}/offers`, moviera.cookie, { unitId: u1.id });
      const { body } = await api('POST', `/api/placements/${request.id}/offers`, kadera.cookie, {
        unitId: u2.id,
      });
      const full = (await api('GET', `/api/placements/${request.id}`, s.worker)).body;
      void body;
      const results = await Promise.all(
        full.offers.map((o, k) =>
          api(
            'POST',
            `/api/placements/${request.id}/offers/${o.id}/accept`,
            s.worker,
            undefined,
            k ? b : a,
          ),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const statuses = (await getUnits(a.app, s.admin))
        .filter((u) => [u1.id, u2.id].includes(u.id))
        .map((u) => u.status);
      expect(statuses.sort()).toEqual(['free', 'reserved']);
    }
  });

  it('an accept racing the expiry or a withdrawal: one of them, never both', async () => {
    for (let i = 0; i < rounds; i++) {
      const { body: request } = await post(s.worker, vervolg);
      const unit = await fittingUnit(moviera.user.organisationId!, 'vervolg');
      const { body } = await api('POST', `/api/placements/${request.id}/offers`, moviera.cookie, {
        unitId: unit.id,
      });
      const offerId = body.offers[0]!.id;
      const rival =
        i % 2
          ? b.app.services.placements.expireDue(new Date(Date.parse(request.respondBy) + 1000))
          : api(
              'DELETE',
              `/api/placements/${request.id}/offers/${offerId}`,
              moviera.cookie,
              undefined,
              b,
            );
      const [accept] = await Promise.all([
        api('POST', `/api/placements/${request.id}/offers/${offerId}/accept`, s.worker),
        rival,
      ]);
      const final = (await api('GET', `/api/placements/${request.id}`, s.worker)).body;
      const unitStatus = (await getUnits(a.app, s.admin)).find((u) => u.id === unit.id)!.status;
      if (accept.status === 200) {
        expect(final.status).toBe('placed');
        expect(unitStatus).toBe('reserved');
      } else {
        expect(final.status).toBe(i % 2 ? 'expired' : 'open');
        expect(unitStatus).toBe('free');
      }
    }
  });

  it('every screen converges to the database after the races', async () => {
    const watcher = await connect(b, s.coordinator);
    const rows = await backend.database.db.select().from(placementRequests);
    await watcher.waitFor(
      (c) =>
        rows.every((r) => {
          const seen = c.state.slice('requests').get(r.id);
          return seen?.status === r.status && seen.version === r.version;
        }),
      5000,
    );
    const dbUnits = await getUnits(a.app, s.admin);
    for (const u of dbUnits) expect(watcher.state.units.get(u.id)?.version).toBe(u.version);
  });
});

describe('data minimisation', () => {
  it('keeps household details out of the append-only log, and deletes them after the retention time', async () => {
    const { body: request } = await post(s.worker, { note: 'Spreekt Tigrinya, hond mee' });
    const stored = async () =>
      JSON.stringify(
        await backend.database.db
          .select({ data: events.data })
          .from(events)
          .where(sql`${events.type} like 'placement.%'`),
      );
    expect(await stored()).toContain(request.reference);
    expect(await stored()).not.toContain('Tigrinya');
    await api('POST', `/api/placements/${request.id}/close`, s.worker, { outcome: 'not_needed' });
    const later = new Date(Date.now() + 31 * 24 * 3_600_000);
    expect(await a.app.services.placements.deleteOldDetails(later)).toBeGreaterThanOrEqual(1);
    const [row] = await backend.database.db
      .select()
      .from(placementRequests)
      .where(eq(placementRequests.id, request.id));
    expect(row).toMatchObject({
      household: null,
      needs: null,
      note: null,
      outcome: 'not_needed',
      kind: 'noodbed',
    });
    expect((await api('GET', `/api/placements/${request.id}`, s.worker)).body.household).toBeNull();
  });

  it('shows the details on screens that learn of a request from the table (a lost bus message)', async () => {
    const watcher = await connect(b, moviera.cookie);
    // A writer whose messages reach nobody: as if Redis dropped them.
    const lossy = new PlacementService({
      database: backend.database,
      changes: new ChangeRunner(backend.database, createMemoryBus()),
      ladders: backend.config.placementLadders,
      retentionDays: 30,
    });
    const worker = await me(s.worker);
    const created = await lossy.create(worker, input({ note: 'Alleen via de tabel' }));
    await watcher.waitFor((c) => c.state.slice('requests').has(created.id), 5000);
    const seen = watcher.state.slice('requests').get(created.id)!;
    expect(seen.household).toEqual(household);
    expect(seen.note).toBe('Alleen via de tabel');
  });
});
