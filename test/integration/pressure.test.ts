import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pressureRows,
  type PressureBoard,
  type PressureSeries,
  type Region,
  type Unit,
} from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit } from '../support/fixtures';
import { startInstance, type Instance } from '../support/instance';
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
