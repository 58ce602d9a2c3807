import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, locations } from '@opvangatlas/db';
import type { Availability, SessionUser, Unit } from '@opvangatlas/shared';
import { buildApp, type App } from '../../server/src/app';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit, sessionUser } from '../support/fixtures';
import { demoEmail, login } from '../support/instance';

let backend: TestBackend;
let app: App;
let s: Awaited<ReturnType<typeof demoSessions>>;
let worker: SessionUser;

/**
 * Each test takes units of its own, read as they are when it starts: no test depends on what
 * another left behind, whatever order they run in.
 */
const taken = new Set<number>();
async function take(
  which: 'own' | 'foreign',
  pred: (u: Unit) => boolean = () => true,
): Promise<Unit> {
  // The worker's view: its own units with their household.
  const unit = (await getUnits(app, s.worker)).find(
    (u) =>
      !taken.has(u.id) &&
      (u.organisationId === worker.organisationId) === (which === 'own') &&
      pred(u),
  );
  if (!unit) throw new Error(`no ${which} unit left for this test`);
  taken.add(unit.id);
  return unit;
}
const isFree = (u: Unit) => u.status === 'free';

const eventCount = async () =>
  Number((await backend.database.db.select({ n: sql<number>`count(*)::int` }).from(events))[0]!.n);

beforeAll(async () => {
  backend = await createBackend();
  app = await buildApp({
    config: backend.config,
    database: backend.database,
    bus: await backend.openBus(),
  });
  await app.ready();
  s = await demoSessions(app);
  worker = await sessionUser(app, s.worker);
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

describe('session', () => {
  it('logs in with the demo password and reports the role and organisation', () => {
    expect(worker).toMatchObject({ role: 'vo_worker', organisationName: 'Arosa' });
  });

  it('refuses a wrong password with 401 and sets no cookie', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: demoEmail('vo_worker'), password: 'wrong' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.cookies).toHaveLength(0);
  });

  it('sets an httpOnly SameSite session cookie', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: demoEmail('coordinator'), password: 'demo' },
    });
    const cookie = res.cookies.find((c) => c.name === 'oa_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  it('logs out: the cookie no longer works', async () => {
    const cookie = await login(app, demoEmail('vo_planner'));
    expect(
      (await app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } })).statusCode,
    ).toBe(204);
    expect((await app.inject({ url: '/api/session', headers: { cookie } })).statusCode).toBe(401);
  });

  it('slows down password guessing: 10 wrong passwords get 401, then 429 even for the right one', async () => {
    const attempt = (password: string) =>
      app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: demoEmail('vo_worker.kadera'), password },
      });
    for (let i = 1; i <= 10; i++) {
      const res = await attempt('guess');
      expect(res.statusCode, `attempt ${i}`).toBe(401);
      expect(res.json().error, `attempt ${i}`).toBe('unauthorized');
    }
    const blocked = await attempt('guess');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error).toBe('rate_limited');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Locked, not just wrong: the right password waits as well.
    expect((await attempt('demo')).statusCode).toBe(429);
    // Other accounts from the same address are not locked out by it.
    const other = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: demoEmail('coordinator'), password: 'demo' },
    });
    expect(other.statusCode).toBe(200);
    expect(other.cookies.map((c) => c.name)).toContain('oa_session');
  });

  it('answers 401 to anonymous requests for data', async () => {
    for (const url of ['/api/availability', '/api/units', '/api/locations', '/api/session']) {
      expect((await app.inject({ url })).statusCode, url).toBe(401);
    }
  });
});

describe('validation', () => {
  it('returns field-level messages for a bad login body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'x', password: '' },
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .fields.map((f: { path: string }) => f.path)
        .sort(),
    ).toEqual(['email', 'password']);
  });

  it('rejects an occupancy without household and writes nothing', async () => {
    const unit = await take('own', isFree);
    const before = await eventCount();
    const res = await patchUnit(app, s.worker, unit, { status: 'occupied' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', fields: [{ path: 'household' }] });
    expect(await eventCount()).toBe(before);
    expect((await getUnits(app, s.worker)).find((u) => u.id === unit.id)).toEqual(unit);
  });

  it('rejects a household larger than the unit', async () => {
    const unit = await take('own', isFree);
    const res = await patchUnit(app, s.worker, unit, {
      status: 'occupied',
      household: { adults: 1, children: unit.maxPersons },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields[0].path).toBe('household');
  });

  it('rejects unknown statuses, non-numeric ids and malformed JSON', async () => {
    const unit = await take('own');
    expect((await patchUnit(app, s.worker, unit, { status: 'gone' })).json().fields[0].path).toBe(
      'status',
    );
    expect(
      (
        await app.inject({
          method: 'PATCH',
          url: '/api/units/abc',
          headers: { cookie: s.worker },
          payload: { version: 1 },
        })
      ).statusCode,
    ).toBe(400);
    const bad = await app.inject({
      method: 'PATCH',
      url: `/api/units/${unit.id}`,
      headers: { cookie: s.worker, 'content-type': 'application/json' },
      payload: '{"version":',
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('units', () => {
  it('lets a VO change its own unit, bumps the version and audits the change', async () => {
    const unit = await take('own', (u) => isFree(u) && u.maxPersons >= 3);
    const res = await patchUnit(app, s.worker, unit, {
      status: 'occupied',
      household: { adults: 1, children: 2 },
    });
    expect(res.statusCode).toBe(200);
    const changed = res.json<Unit>();
    expect(changed).toMatchObject({
      status: 'occupied',
      household: { adults: 1, children: 2 },
      version: unit.version + 1,
    });
    const [audit] = await backend.database.db
      .select()
      .from(events)
      .where(eq(events.unitId, unit.id));
    expect(audit).toMatchObject({
      type: 'unit.updated',
      actorUserId: worker.id,
      organisationId: worker.organisationId,
    });
    expect(audit!.data).toMatchObject({ before: { status: 'free', version: unit.version } });
  });

  it('forbids changing another organisation’s unit', async () => {
    const unit = await take('foreign', isFree);
    const res = await patchUnit(app, s.worker, unit, { status: 'out_of_service' });
    expect(res.statusCode).toBe(403);
    expect((await getUnits(app, s.worker)).find((u) => u.id === unit.id)).toEqual(unit);
  });

  it('answers a stale version with 409 and the current state', async () => {
    const unit = await take('own', (u) => u.status === 'occupied');
    const first = await patchUnit(app, s.worker, unit, { status: 'free' });
    expect(first.statusCode).toBe(200);
    const second = await patchUnit(app, s.planner, unit, { status: 'out_of_service' });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({
      error: 'conflict',
      current: { id: unit.id, status: 'free', version: unit.version + 1 },
    });
  });

  it('never shows another organisation’s household composition', async () => {
    // An occupied unit of each side, made by this test: the own one shows its household.
    const own = await take('own', (u) => isFree(u) && u.maxPersons >= 2);
    const foreign = await take('foreign', (u) => isFree(u) && u.maxPersons >= 2);
    const household = { adults: 1, children: 1 };
    expect(
      (await patchUnit(app, s.worker, own, { status: 'occupied', household })).statusCode,
    ).toBe(200);
    expect(
      (await patchUnit(app, s.admin, foreign, { status: 'occupied', household })).statusCode,
    ).toBe(200);
    const seen = await getUnits(app, s.worker);
    expect(seen.find((u) => u.id === own.id)!.household).toEqual(household);
    expect(seen.find((u) => u.id === foreign.id)).toMatchObject({
      status: 'occupied',
      household: null,
    });
    expect(seen.filter((u) => u.organisationId !== worker.organisationId && u.household)).toEqual(
      [],
    );
    const coordinatorView = await getUnits(app, s.coordinator);
    expect(coordinatorView.find((u) => u.id === own.id)!.household).toBeNull();
    expect(coordinatorView.every((u) => u.household === null)).toBe(true);
  });

  it('keeps unit lists from municipality users', async () => {
    expect(
      (await app.inject({ url: '/api/units', headers: { cookie: s.municipality } })).statusCode,
    ).toBe(403);
  });
});

describe('holds', () => {
  it('holds a free unit of another VO for the configured time, then refuses a second hold', async () => {
    const unit = await take('foreign', isFree);
    const res = await app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker },
    });
    expect(res.statusCode).toBe(200);
    const held = res.json<Unit>();
    expect(held).toMatchObject({ status: 'held', heldByOrganisationId: worker.organisationId });
    const minutes = (Date.parse(held.heldUntil!) - Date.parse(held.since)) / 60_000;
    expect(minutes).toBeCloseTo(backend.config.holdMinutes, 5);
    const again = await app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.planner },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().current.status).toBe('held');
    const released = await app.inject({
      method: 'DELETE',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.planner },
    });
    expect(released.statusCode).toBe(200);
    expect(released.json()).toMatchObject({
      status: 'free',
      heldUntil: null,
      heldByOrganisationId: null,
    });
  });

  it('does not let coordinators or municipalities hold', async () => {
    const unit = await take('foreign', isFree);
    for (const cookie of [s.coordinator, s.municipality]) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/units/${unit.id}/hold`,
        headers: { cookie },
      });
      expect(res.statusCode).toBe(403);
    }
    expect((await getUnits(app, s.worker)).find((u) => u.id === unit.id)!.status).toBe('free');
  });

  it('releases expired holds by itself and records the system as actor', async () => {
    const unit = await take('foreign', isFree);
    const held = await app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker },
      payload: { minutes: 5 },
    });
    expect(held.statusCode).toBe(200);
    expect(await app.services.units.expireHolds(new Date())).toBe(0);
    expect(await app.services.units.expireHolds(new Date(Date.now() + 6 * 60_000))).toBe(1);
    const after = (await getUnits(app, s.worker)).find((u) => u.id === unit.id)!;
    expect(after.status).toBe('free');
    const rows = await backend.database.db.select().from(events).where(eq(events.unitId, unit.id));
    expect(rows.at(-1)).toMatchObject({ type: 'unit.hold_expired', actorUserId: null });
  });
});

describe('locations and availability', () => {
  it('confirms an own location ("klopt nog") and refreshes its freshness', async () => {
    const [own] = (await app.inject({ url: '/api/locations', headers: { cookie: s.worker } })).json<
      { id: number }[]
    >();
    const freshness = async () =>
      (await app.inject({ url: '/api/availability', headers: { cookie: s.worker } }))
        .json<Availability>()
        .regions.flatMap((r) => r.locations ?? [])
        .find((l) => l.id === own!.id)!;
    // Confirmed three days ago: stale, so a confirmation that changed nothing would show.
    await backend.database.db
      .update(locations)
      .set({ lastConfirmedAt: new Date(Date.now() - 72 * 3_600_000) })
      .where(eq(locations.id, own!.id));
    expect((await freshness()).freshness).toBe('stale');
    const before = Date.now();
    const res = await app.inject({
      method: 'POST',
      url: `/api/locations/${own!.id}/confirm`,
      headers: { cookie: s.worker },
    });
    expect(res.statusCode).toBe(200);
    const loc = await freshness();
    expect(loc.freshness).toBe('fresh');
    expect(Date.parse(loc.lastConfirmedAt!)).toBeGreaterThanOrEqual(before - 1000);
    const audit = await backend.database.db
      .select()
      .from(events)
      .where(and(eq(events.locationId, own!.id), eq(events.type, 'location.confirmed')));
    expect(audit.at(-1)).toMatchObject({ actorUserId: worker.id });
  });

  it('forbids another organisation’s location', async () => {
    const foreign = (await take('foreign')).locationId;
    expect(
      (await app.inject({ url: `/api/locations/${foreign}/units`, headers: { cookie: s.worker } }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/locations/${foreign}/confirm`,
          headers: { cookie: s.worker },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('counts free, held and occupied units per region and kind that add up to the seed', async () => {
    const avail = (
      await app.inject({ url: '/api/availability', headers: { cookie: s.coordinator } })
    ).json<Availability>();
    expect(avail.regions).toHaveLength(35);
    expect(avail.regions.reduce((n, r) => n + r.total.total, 0)).toBe(1024);
    const rotterdam = avail.regions.find((r) => r.name === 'Rotterdam')!;
    expect(rotterdam.total.total).toBe(119);
    const units = await getUnits(
      app,
      s.coordinator,
      `?regionId=${rotterdam.regionId}&kind=noodbed&status=free`,
    );
    expect(rotterdam.kinds.noodbed!.free).toBe(units.length);
    expect(rotterdam.kinds.noodbed!.freePersons).toBe(units.reduce((n, u) => n + u.maxPersons, 0));
    expect(
      rotterdam.locations!.every((l) => ['fresh', 'aging', 'stale'].includes(l.freshness)),
    ).toBe(true);
  });

  it('gives a municipality its own region as aggregates only', async () => {
    const res = await app.inject({ url: '/api/availability', headers: { cookie: s.municipality } });
    const avail = res.json<Availability>();
    expect(avail.regions.map((r) => r.name)).toEqual(['Rotterdam']);
    expect(avail.regions[0]!.locations).toBeUndefined();
    const other = avail.regions[0]!.regionId + 1;
    expect(
      (
        await app.inject({
          url: `/api/availability?regionId=${other}`,
          headers: { cookie: s.municipality },
        })
      ).statusCode,
    ).toBe(403);
  });
});

describe('service endpoints', () => {
  it('reports database and bus health', async () => {
    const res = await app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      database: { ok: true, driver: backend.kind === 'real' ? 'postgres' : 'pglite' },
      bus: { ok: true, kind: backend.kind === 'real' ? 'redis' : 'memory' },
    });
  });

  it('publishes an OpenAPI document built from the zod schemas', async () => {
    const doc = (await app.inject({ url: '/api/docs' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/units/{id}',
        '/api/units/{id}/hold',
        '/api/availability',
        '/api/locations/{id}/confirm',
      ]),
    );
    expect(
      doc.paths['/api/units/{id}'].patch.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('version');
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await app.inject({ url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toBe('not_found');
  });
});
