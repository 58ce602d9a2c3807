import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRuleSets, events, users } from '@opvangatlas/db';
import {
  pressureRows,
  type AlertRule,
  type AlertRuleSet,
  type PressureBoard,
  type PressureSeries,
  type Region,
  type Unit,
} from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit } from '../support/fixtures';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Druk (issue 11) through the API: the table of every region now, the same numbers the
 * coordinator's live state gives with the shared function, a change moving both the table
 * and the history's current point, and who may read it.
 */
let backend: TestBackend;
let instance: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let regions: Region[];
const clients: TestLiveClient[] = [];

const get = async <T>(url: string, cookie: string) => {
  const res = await instance.app.inject({ method: 'GET', url, headers: { cookie } });
  return { status: res.statusCode, body: res.json<T>() };
};
const board = async () => (await get<PressureBoard>('/api/pressure', s.coordinator)).body;
const rowOf = (b: PressureBoard, regionId: number) => b.rows.find((r) => r.regionId === regionId)!;

beforeAll(async () => {
  // With the demo's 18 months of unit history, as `npm start` seeds it.
  backend = await createBackend({ seedHistory: true });
  instance = await startInstance(backend);
  s = await demoSessions(instance.app);
  regions = (await get<Region[]>('/api/regions', s.coordinator)).body;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await instance?.close();
  await backend?.close();
});

describe('Druk', () => {
  it('gives every region with its units counted as the units list has them', async () => {
    const b = await board();
    expect(b.rows.map((r) => r.regionId).sort((x, y) => x - y)).toEqual(
      regions.map((r) => r.id).sort((x, y) => x - y),
    );
    const units = await getUnits(instance.app, s.coordinator);
    for (const row of b.rows) {
      const mine = units.filter((u) => u.regionId === row.regionId);
      const inService = mine.filter((u) => u.status !== 'out_of_service');
      const taken = inService.filter((u) => u.status !== 'free');
      expect(row.total.places).toBe(inService.length);
      expect(row.total.taken).toBe(taken.length);
      expect(row.freeNoodbedden).toBe(
        inService.filter((u) => u.kind === 'noodbed' && u.status === 'free').length,
      );
      expect(row.acuteShort).toBe(row.freeNoodbedden < 2);
    }
  });

  it('matches what the coordinator computes from the live stream, before and after a change', async () => {
    const live = await TestLiveClient.connect(instance.wsUrl, s.coordinator);
    clients.push(live);
    await live.waitFor((c) => c.state.ready);
    const rotterdam = regions.find((r) => r.name === 'Rotterdam')!;
    // In the order the server lists them (by id).
    const regionIds = regions.map((r) => r.id).sort((x, y) => x - y);
    const fromLive = () =>
      pressureRows(
        regionIds,
        {
          units: live.state.units.values(),
          locations: live.state.locations.values(),
          requests: live.state.slice('requests').values(),
          overflow: live.state.slice('overflow').values(),
          waitlist: live.state.slice('waitlist').values(),
          nonPlacements: live.state.slice('nonPlacements').values(),
        },
        new Date(),
      );
    expect(fromLive()).toEqual((await board()).rows);

    const before = rowOf(await board(), rotterdam.id);
    const free = (await getUnits(instance.app, s.worker, `?regionId=${rotterdam.id}`)).find(
      (u: Unit) => u.status === 'free' && u.kind === 'crisis',
    )!;
    const res = await patchUnit(instance.app, s.worker, free, {
      status: 'occupied',
      household: { adults: 1, children: 1 },
    });
    expect(res.statusCode).toBe(200);
    const after = rowOf(await board(), rotterdam.id);
    expect(after.kinds.crisis.taken).toBe(before.kinds.crisis.taken + 1);
    expect(after.total.taken).toBe(before.total.taken + 1);
    await live.waitFor((c) => c.state.units.get(free.id)?.status === 'occupied');
    expect(fromLive()).toEqual((await board()).rows);

    // The history has the change: its current hour is the occupancy now.
    const day = await get<PressureSeries>(
      `/api/pressure/history?range=24h&regionId=${rotterdam.id}`,
      s.coordinator,
    );
    expect(day.status).toBe(200);
    expect(day.body.since).not.toBeNull();
    const series = day.body.regions[0]!;
    expect(series.regionId).toBe(rotterdam.id);
    expect(series.total.at(-1)).toBeCloseTo(after.total.occupancy!, 4);
    expect(series.kinds.crisis.at(-1)).toBeCloseTo(after.kinds.crisis.occupancy!, 4);
  });

  it('shows the seeded history: a year of daily points ending in the present state', async () => {
    const b = await board();
    const year = (await get<PressureSeries>('/api/pressure/history?range=12m', s.coordinator)).body;
    expect(year.step).toBe('day');
    expect(year.times).toHaveLength(365);
    expect(Date.parse(year.since!)).toBeLessThan(Date.now() - 365 * 86_400_000);
    for (const series of year.regions) {
      const row = rowOf(b, series.regionId);
      if (row.total.places === 0) continue;
      // Every day has data, around the measured 89-90% occupancy (DOMAIN.md).
      expect(series.total.every((p) => p !== null)).toBe(true);
      const mean = series.total.reduce((sum, p) => sum! + p!, 0)! / series.total.length;
      expect(mean).toBeGreaterThan(0.7);
      expect(mean).toBeLessThan(1);
    }
    // The seeded requests of the last week give most regions a median time to placement.
    const timed = b.rows.filter((r) => r.medianPlacementMinutes !== null);
    expect(timed.length).toBeGreaterThan(b.rows.length / 2);
    // The last hour of the day view is the present state of every region.
    const day = (await get<PressureSeries>('/api/pressure/history?range=24h', s.coordinator)).body;
    for (const series of day.regions) {
      const row = rowOf(b, series.regionId);
      if (row.total.places > 0) expect(series.total.at(-1)).toBeCloseTo(row.total.occupancy!, 4);
    }
  });

  it('is for coordinators and admins only, and refuses an unknown range', async () => {
    expect((await get('/api/pressure', s.admin)).status).toBe(200);
    for (const cookie of [s.worker, s.planner, s.municipality]) {
      expect((await get('/api/pressure', cookie)).status).toBe(403);
      expect((await get('/api/pressure/history', cookie)).status).toBe(403);
    }
    const bad = await get<{ fields: Array<{ path: string }> }>(
      '/api/pressure/history?range=5y',
      s.coordinator,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0]!.path).toBe('querystring.range');
  });
});

describe('Druk alert rules', () => {
  const put = async (cookie: string, payload: unknown) => {
    const res = await instance.app.inject({
      method: 'PUT',
      url: '/api/pressure/alert-rules',
      headers: { cookie },
      payload: payload as object,
    });
    return {
      status: res.statusCode,
      body: res.json<AlertRuleSet & { fields?: Array<{ path: string; code: string }> }>(),
    };
  };
  const rulesOf = async (cookie: string) =>
    (await get<AlertRuleSet>('/api/pressure/alert-rules', cookie)).body;
  const savedEvents = (userId: number) =>
    backend.database.db
      .select()
      .from(events)
      .where(and(eq(events.type, 'alert_rules.saved'), eq(events.actorUserId, userId)))
      .orderBy(asc(events.seq));
  const rotterdamRule = (): AlertRule => ({
    id: 'rdam-crisis',
    type: 'occupancy',
    regionId: regions.find((r) => r.name === 'Rotterdam')!.id,
    kind: 'crisis',
    percent: 90,
  });

  /** A second coordinator, with the demo coordinator's password. */
  async function otherCoordinator(): Promise<string> {
    const [demo] = await backend.database.db
      .select()
      .from(users)
      .where(eq(users.email, demoEmail('coordinator')));
    const email = demoEmail('coordinator.tweede');
    await backend.database.db
      .insert(users)
      .values({ ...demo!, id: undefined, email, displayName: 'Tweede coördinator' })
      .onConflictDoNothing();
    return login(instance.app, email);
  }

  it('saves a coordinator’s rules, audited, live to that coordinator’s other screens only', async () => {
    const before = await rulesOf(s.coordinator);
    const me = before.userId;
    const other = await otherCoordinator();
    // The laptop and the phone: two sessions of one coordinator; and a colleague.
    const phoneCookie = await login(instance.app, demoEmail('coordinator'));
    const [laptop, phone, colleague] = await Promise.all(
      [s.coordinator, phoneCookie, other].map((c) => TestLiveClient.connect(instance.wsUrl, c)),
    );
    clients.push(laptop!, phone!, colleague!);
    await Promise.all([laptop, phone, colleague].map((c) => c!.waitFor((x) => x.state.ready)));

    const rules: AlertRule[] = [
      rotterdamRule(),
      { id: 'noodbed', type: 'acute_short', regionId: null },
    ];
    const saved = await put(s.coordinator, { rules });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ userId: me, rules, version: before.version + 1 });
    expect(await rulesOf(phoneCookie)).toEqual(saved.body);

    for (const screen of [laptop!, phone!]) {
      await screen.waitFor(
        (c) => c.state.slice('alertRules').get(me)?.version === saved.body.version,
      );
      expect(screen.state.slice('alertRules').get(me)).toEqual(saved.body);
    }
    // The colleague's own save reaches the colleague; by then mine would have too, and has not.
    const theirs = await put(other, {
      rules: [{ id: 'x', type: 'overdue_check_in', regionId: null }],
    });
    expect(theirs.status).toBe(200);
    await colleague!.waitFor((c) => c.state.slice('alertRules').has(theirs.body.userId));
    expect([...colleague!.state.slice('alertRules').keys()]).toEqual([theirs.body.userId]);
    expect(colleague!.frames.some((f) => f.includes('rdam-crisis'))).toBe(false);
    // Likewise mine: a second save of mine comes after theirs, theirs never came.
    const sentAt = Date.now();
    const again = await put(s.coordinator, { rules });
    const answeredAt = Date.now();
    expect(again.body.version).toBe(saved.body.version + 1);
    await laptop!.waitFor(
      (c) => c.state.slice('alertRules').get(me)?.version === again.body.version,
    );
    expect([...laptop!.state.slice('alertRules').keys()]).toEqual([me]);

    // In the audit trail: who, when, and the whole rule set.
    const logged = await savedEvents(me);
    expect(logged.map((e) => e.data)).toEqual([saved.body, again.body]);
    // When: the database's clock, so within the request give or take a little skew.
    expect(logged.at(-1)!.at.getTime()).toBeGreaterThan(sentAt - 1000);
    expect(logged.at(-1)!.at.getTime()).toBeLessThan(answeredAt + 1000);
  });

  it('refuses bad rules with the field that is wrong, and writes nothing', async () => {
    const before = await rulesOf(s.coordinator);
    const logged = (await savedEvents(before.userId)).length;
    const cases: Array<[unknown, string]> = [
      [{ rules: [{ ...rotterdamRule(), percent: 49 }] }, 'rules.0.percent'],
      [{ rules: [{ id: 'a', type: 'nonsense', regionId: null }] }, 'rules.0.type'],
      [{ rules: [rotterdamRule(), { ...rotterdamRule(), percent: 95 }] }, 'rules.1.id'],
      [{ rules: [{ ...rotterdamRule(), regionId: 999_999 }] }, 'rules.0.regionId'],
      [{ rules: [{ ...rotterdamRule(), colour: 'red' }] }, 'rules.0.colour'],
      [
        { rules: Array.from({ length: 51 }, (_, i) => ({ ...rotterdamRule(), id: `r${i}` })) },
        'rules',
      ],
    ];
    for (const [payload, path] of cases) {
      const res = await put(s.coordinator, payload);
      expect(res.status, path).toBe(400);
      expect(
        res.body.fields?.map((f) => f.path),
        path,
      ).toContain(path);
    }
    expect(await rulesOf(s.coordinator)).toEqual(before);
    expect(await savedEvents(before.userId)).toHaveLength(logged);
  });

  it('leaves out only a stored rule it no longer accepts, keeping the others', async () => {
    const other = await otherCoordinator();
    const { userId } = await rulesOf(other);
    const good = rotterdamRule();
    const noodbed: AlertRule = { id: 'nood', type: 'acute_short', regionId: null };
    // As a document saved under an older schema could read now.
    await backend.database.db
      .insert(alertRuleSets)
      .values({
        userId,
        rules: [good, { id: 'old', type: 'retired_kind', regionId: null }, noodbed, good],
        version: 7,
        updatedAt: new Date(),
      })
      .onConflictDoUpdate({
        target: alertRuleSets.userId,
        set: {
          rules: [good, { id: 'old', type: 'retired_kind', regionId: null }, noodbed, good],
          version: 7,
        },
      });
    const read = await rulesOf(other);
    expect(read).toMatchObject({ userId, version: 7, rules: [good, noodbed] });
    // The next save from the screen builds on what was read: the good rules stay.
    const added = await put(other, {
      rules: [...read.rules, { id: 'late', type: 'overdue_check_in', regionId: null }],
    });
    expect(added.status).toBe(200);
    expect(added.body.rules.map((r) => r.id)).toEqual(['rdam-crisis', 'nood', 'late']);
  });

  it('is a coordinator’s own: every other role is refused and nothing is written', async () => {
    const count = async () =>
      (await backend.database.db.select().from(events).where(eq(events.type, 'alert_rules.saved')))
        .length;
    const logged = await count();
    for (const cookie of [s.worker, s.planner, s.municipality, s.admin]) {
      expect((await get('/api/pressure/alert-rules', cookie)).status).toBe(403);
      expect((await put(cookie, { rules: [rotterdamRule()] })).status).toBe(403);
    }
    expect((await get('/api/pressure/alert-rules', '')).status).toBe(401);
    expect(await count()).toBe(logged);
  });
});
