import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dutchDate,
  isShown,
  monitorCsv,
  SUPPRESSION_THRESHOLD,
  type MonitorFigures,
  type Region,
} from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit } from '../support/fixtures';
import { startInstance, type Instance } from '../support/instance';

/**
 * The Monitor Veilige Opvang export through the API, on the demo's 18 months of history:
 * coordinators see a region's figures whole, a municipality its own region with small
 * numbers hidden, and every CSV file is hidden the same way.
 */
let backend: TestBackend;
let instance: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let rotterdam: Region;
const year = Number(dutchDate(new Date()).slice(0, 4));

const get = async (url: string, cookie: string) => {
  const res = await instance.app.inject({ method: 'GET', url, headers: { cookie } });
  return res;
};

beforeAll(async () => {
  backend = await createBackend({ seedHistory: true });
  instance = await startInstance(backend);
  s = await demoSessions(instance.app);
  const regions = (await get('/api/regions', s.coordinator)).json<Region[]>();
  rotterdam = regions.find((r) => r.name === 'Rotterdam')!;
});

afterAll(async () => {
  await instance?.close();
  await backend?.close();
});

describe('monitor export', () => {
  it('gives a coordinator a region’s year whole, from the log', async () => {
    const res = await get(`/api/monitor?year=${year}&regionId=${rotterdam.id}`, s.coordinator);
    expect(res.statusCode).toBe(200);
    const f = res.json<MonitorFigures>();
    expect(f.suppressed).toBe(false);
    expect(f.coveredFrom).toBe(`${year}-01-01`);
    const units = await getUnits(instance.app, s.coordinator, `?regionId=${rotterdam.id}`);
    expect(f.capacityTotal).toBeLessThanOrEqual(units.length);
    expect(f.capacityTotal).toBeGreaterThanOrEqual(
      units.filter((u) => u.status !== 'out_of_service').length,
    );
    expect(f.clients.total).toBe(
      (f.clients.women18plus as number) +
        (f.clients.men18plus as number) +
        (f.clients.otherUnder18 as number),
    );
    // Around the measured 89-90% of places taken, counted in persons (children too): above.
    expect(f.occupancyTotal as number).toBeGreaterThan(0.8);
    const all = (await get(`/api/monitor?year=${year}`, s.coordinator)).json<MonitorFigures>();
    expect(all.regionId).toBeNull();
    expect(all.verblijfsdagenTotal as number).toBeGreaterThan(f.verblijfsdagenTotal as number);
    // The seeded placement requests: arrivals from other regions, a share of all arrivals,
    // and niet-plaatsingen, in every year the history covers.
    const other = all.herkomst.otherRegions as number;
    expect(other).toBeGreaterThan(0);
    expect(other).toBeLessThan(all.herkomst.arrivals as number);
    expect(all.nonPlacements as number).toBeGreaterThan(0);
  });

  it('hides small numbers for the municipality and in every CSV, the file equal to the figures', async () => {
    const res = await get(`/api/monitor?year=${year}`, s.municipality);
    expect(res.statusCode).toBe(200);
    const f = res.json<MonitorFigures>();
    expect(f.suppressed).toBe(true);
    expect(f.regionId).toBe(rotterdam.id);
    const counts = [
      f.clients.households,
      f.clients.men18plus,
      f.overflow.households,
      f.herkomst.otherRegions,
      f.waitlist.placed,
      f.nonPlacements,
    ];
    for (const c of counts)
      if (isShown(c)) expect(c === 0 || c >= SUPPRESSION_THRESHOLD).toBe(true);

    const csv = await get(`/api/monitor.csv?year=${year}&regionId=${rotterdam.id}`, s.coordinator);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain(`monitor-${year}-rotterdam.csv`);
    expect(csv.body).toBe(monitorCsv(f, 'Rotterdam'));
  });

  /** Takes a free unit into use through `app`, as a worker's screen would. */
  async function occupyFreeUnit(app: Instance['app'], regionId?: number) {
    const units = await getUnits(app, s.admin, regionId ? `?regionId=${regionId}` : '');
    const unit = units.find((u) => u.status === 'free')!;
    const res = await patchUnit(app, s.admin, unit, {
      status: 'occupied',
      household: { adults: 1, children: 0 },
    });
    expect(res.statusCode).toBe(200);
    return unit;
  }
  const households = (f: MonitorFigures) => f.clients.households as number;

  it('answers with a stay that began after the last answer, not the answer kept from before', async () => {
    const url = `/api/monitor?year=${year}`;
    const before = (await get(url, s.coordinator)).json<MonitorFigures>();
    await occupyFreeUnit(instance.app);
    const after = (await get(url, s.coordinator)).json<MonitorFigures>();
    // One more household with a stay in the year: the one that arrived just now.
    expect(households(after)).toBe(households(before) + 1);
  });

  it('answers on one instance with a change made through another', async () => {
    // Two servers on one database (and bus): each keeps the log in memory on its own.
    const other = await startInstance(backend);
    try {
      const url = `/api/monitor?year=${year}&regionId=${rotterdam.id}`;
      const before = (await get(url, s.coordinator)).json<MonitorFigures>();
      await occupyFreeUnit(other.app, rotterdam.id);
      const after = (await get(url, s.coordinator)).json<MonitorFigures>();
      expect(households(after)).toBe(households(before) + 1);
    } finally {
      await other.close();
    }
  });

  it('keeps a municipality to its own region, and refuses a bad year', async () => {
    const other = await get(
      `/api/monitor?year=${year}&regionId=${rotterdam.id + 1}`,
      s.municipality,
    );
    expect(other.statusCode).toBe(403);
    expect(other.json<{ code: string }>().code).toBe('not_own_region');
    expect((await get(`/api/monitor?year=${year}`, s.worker)).statusCode).toBe(403);
    const bad = await get('/api/monitor?year=twenty', s.coordinator);
    expect(bad.statusCode).toBe(400);
  });
});
