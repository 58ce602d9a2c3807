import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@opvangatlas/db';
import type { Availability, SessionUser, Unit } from '@opvangatlas/shared';
import { buildApp, type App } from '../../server/src/app';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit } from '../support/fixtures';
import { demoEmail, login } from '../support/instance';

let backend: TestBackend;
let app: App;
let s: Awaited<ReturnType<typeof demoSessions>>;
let worker: SessionUser;
let ownUnits: Unit[];
let foreignUnits: Unit[];

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
  worker = (await app.inject({ url: '/api/session', headers: { cookie: s.worker } })).json<{
    user: SessionUser;
  }>().user;
  const all = await getUnits(app, s.worker);
  ownUnits = all.filter((u) => u.organisationId === worker.organisationId);
  foreignUnits = all.filter((u) => u.organisationId !== worker.organisationId);
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

  it('slows down password guessing: the 11th attempt in 5 minutes gets 429', async () => {
    const attempt = () =>
      app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: demoEmail('vo_worker.kadera'), password: 'guess' },
      });
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await attempt()).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    const blocked = await attempt();
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error).toBe('rate_limited');
    // Other accounts from the same address are not locked out by it.
    expect((await login(app, demoEmail('coordinator'))).startsWith('oa_session=')).toBe(true);
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
    const unit = ownUnits.find((u) => u.status === 'free')!;
    const before = await eventCount();
    const res = await patchUnit(app, s.worker, unit, { status: 'occupied' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'validation', fields: [{ path: 'household' }] });
    expect(await eventCount()).toBe(before);
    expect((await getUnits(app, s.worker)).find((u) => u.id === unit.id)).toEqual(unit);
  });

  it('rejects a household larger than the unit', async () => {
    const unit = ownUnits.find((u) => u.status === 'free')!;
    const res = await patchUnit(app, s.worker, unit, {
      status: 'occupied',
      household: { adults: 1, children: unit.maxPersons },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields[0].path).toBe('household');
  });

  it('rejects unknown statuses, non-numeric ids and malformed JSON', async () => {
    const unit = ownUnits[0]!;
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
    const unit = ownUnits.find((u) => u.status === 'free')!;
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
    await patchUnit(app, s.worker, changed, { status: 'free' });
  });

  it('forbids changing another organisation’s unit', async () => {
    const res = await patchUnit(app, s.worker, foreignUnits[0]!, { status: 'out_of_service' });
    expect(res.statusCode).toBe(403);
  });

  it('answers a stale version with 409 and the current state', async () => {
    const unit = ownUnits.find((u) => u.status === 'occupied')!;
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
    const seen = await getUnits(app, s.worker);
    expect(seen.filter((u) => u.organisationId !== worker.organisationId && u.household)).toEqual(
      [],
    );
    expect(seen.some((u) => u.organisationId === worker.organisationId && u.household)).toBe(true);
    const coordinatorView = await getUnits(app, s.coordinator);
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
    const unit = foreignUnits.find((u) => u.status === 'free')!;
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
    const unit = foreignUnits.find((u) => u.status === 'free')!;
    for (const cookie of [s.coordinator, s.municipality]) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/units/${unit.id}/hold`,
        headers: { cookie },
      });
      expect(res.statusCode).toBe(403);
    }
  });

  it('releases expired holds by itself and records the system as actor', async () => {
    const unit = foreignUnits.filter((u) => u.status === 'free')[1]!;
    await app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker },
      payload: { minutes: 5 },
    });
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
    const res = await app.inject({
      method: 'POST',
      url: `/api/locations/${own!.id}/confirm`,
      headers: { cookie: s.worker },
    });
    expect(res.statusCode).toBe(200);
    const avail = (
      await app.inject({ url: '/api/availability', headers: { cookie: s.worker } })
    ).json<Availability>();
    const loc = avail.regions.flatMap((r) => r.locations ?? []).find((l) => l.id === own!.id)!;
    expect(loc.freshness).toBe('fresh');
  });

  it('forbids another organisation’s location', async () => {
    const foreign = foreignUnits[0]!.locationId;
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
