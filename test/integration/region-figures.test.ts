import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SMALL,
  summariseRegion,
  suppressRegionSummary,
  type MunicipalityAvailability,
  type Unit,
  type UnitKind,
} from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit, sessionUser } from '../support/fixtures';
import { startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * A municipality's unit figures (issue 10): its own region only, and a kind with 1-4 taken
 * places reads "<5" in the API and on the live stream alike, with the free count next to it
 * hidden too, because free + taken = places in service, which it sees.
 */
let backend: TestBackend;
let app: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let regionId: number;
let kind: UnitKind;
const clients: TestLiveClient[] = [];

const regionUnits = async () =>
  (await getUnits(app.app, s.admin)).filter((u) => u.regionId === regionId && u.kind === kind);

async function setTaken(n: number): Promise<void> {
  const list = (await regionUnits()).filter((u) => u.status === 'free' || u.status === 'occupied');
  for (const [i, u] of list.entries()) {
    const want = i < n ? 'occupied' : 'free';
    if (u.status === want) continue;
    const body =
      want === 'occupied'
        ? { status: want, household: { adults: 1, children: 0 } }
        : { status: want };
    const res = await patchUnit(app.app, s.admin, u, body);
    expect(res.statusCode, res.body).toBe(200);
  }
}

const availability = async () =>
  (
    await app.app.inject({ url: '/api/availability', headers: { cookie: s.municipality } })
  ).json<MunicipalityAvailability>();

beforeAll(async () => {
  backend = await createBackend();
  app = await startInstance(backend);
  s = await demoSessions(app.app);
  const me = await sessionUser(app.app, s.municipality);
  regionId = me.regionId!;
  // A kind of the region with nothing held or reserved, and the most places to move.
  const units = (await getUnits(app.app, s.admin)).filter((u) => u.regionId === regionId);
  const movable = (k: UnitKind) =>
    units.some((u) => u.kind === k && (u.status === 'held' || u.status === 'reserved'))
      ? 0
      : units.filter((u) => u.kind === k && (u.status === 'free' || u.status === 'occupied'))
          .length;
  kind = (['noodbed', 'crisis', 'vervolg'] as const).reduce((a, b) =>
    movable(b) > movable(a) ? b : a,
  );
  expect(movable(kind)).toBeGreaterThanOrEqual(8);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await app?.close();
  await backend?.close();
});

describe('a municipality unit figures', () => {
  it('hides 3 taken places of a kind, and the free ones, in the API and on the live stream', async () => {
    const live = await TestLiveClient.connect(app.wsUrl, s.municipality);
    clients.push(live);
    await live.waitFor((c) => c.state.ready);

    await setTaken(3);
    const all: Unit[] = (await getUnits(app.app, s.admin)).filter((u) => u.regionId === regionId);
    const expected = suppressRegionSummary(summariseRegion(regionId, all));

    const api = await availability();
    expect(api.regions.map((r) => r.regionId)).toEqual([regionId]);
    const { name: _name, centre: _centre, ...figures } = api.regions[0]!;
    expect(figures).toEqual(expected);
    expect(figures.kinds[kind].taken).toBe(SMALL);
    expect(typeof figures.kinds[kind].free).not.toBe('number');
    await live.waitFor(
      (c) => JSON.stringify(c.state.regions.get(regionId)) === JSON.stringify(expected),
    );
    // Nothing a municipality receives is a unit or a location.
    const frames = live.frames.filter((f) => !f.includes('"type":"heartbeat"')).join('\n');
    for (const key of ['"status"', '"household"', '"locationId"', '"organisationName"'])
      expect(frames).not.toContain(key);
  });

  it('shows the counts again once 5 or more places of the kind are taken', async () => {
    await setTaken(6);
    const f = (await availability()).regions[0]!;
    const extra = (await regionUnits()).filter(
      (u) => u.status === 'held' || u.status === 'reserved',
    );
    expect(f.kinds[kind].taken).toBe(6 + extra.length);
    expect(typeof f.kinds[kind].free).toBe('number');
    expect(typeof f.total.inService).toBe('number');
  });

  it('refuses another region, and gives no region figures to anyone else on the stream', async () => {
    const other = regionId === 1 ? 2 : 1;
    const res = await app.app.inject({
      url: `/api/availability?regionId=${other}`,
      headers: { cookie: s.municipality },
    });
    expect(res.statusCode).toBe(403);
    const worker = await TestLiveClient.connect(app.wsUrl, s.worker);
    clients.push(worker);
    await worker.waitFor((c) => c.state.ready);
    expect(worker.state.regions.size).toBe(0);
  });
});
