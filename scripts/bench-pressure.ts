/**
 * Druk with a year and a half of history: an embedded database seeded as `npm start` seeds
 * it (35 regions, 1,024 units, 18 months of unit events), then the dashboard's requests as
 * the page makes them: the table now and the occupancy history, cold (the time series built
 * from the log on the first read) and warm (extended with new changes only), and the
 * monitor export of a year. Also the seed time with and without the history. Prints
 * figures; asserts nothing.
 *
 *   node --import tsx scripts/bench-pressure.ts
 */
import { sql } from 'drizzle-orm';
import { openDatabase } from '@opvangatlas/db';
import { DEMO_PASSWORD, seed } from '@opvangatlas/db/seed';
import { buildApp } from '../server/src/app';
import { testConfig } from '../server/src/config/env';
import { createMemoryBus } from '../server/src/live/bus';
import { hashPassword } from '../server/src/modules/session/password';

const ms = (from: number) => `${(performance.now() - from).toFixed(0)} ms`;

async function seeded(history: boolean, hash: string) {
  const database = await openDatabase();
  await database.migrate();
  const t0 = performance.now();
  await seed(database.db, { demo: true, demoPasswordHash: hash, history });
  return { database, seedTime: ms(t0) };
}

export async function benchPressure(): Promise<void> {
  const hash = await hashPassword(DEMO_PASSWORD);
  const plain = await seeded(false, hash);
  await plain.database.close();
  const { database, seedTime } = await seeded(true, hash);
  const [{ n, regions, requests } = { n: 0, regions: 0, requests: 0 }] = (
    (await database.db.execute(
      sql`select count(*)::int as n, count(distinct region_id)::int as regions,
                 (select count(*)::int from placement_requests) as requests from events`,
    )) as unknown as { rows: Array<{ n: number; regions: number; requests: number }> }
  ).rows;
  console.log(`\nDruk (pressure dashboard), embedded database`);
  console.log(
    `  seed: ${plain.seedTime} without history, ${seedTime} with 18 months (${n} unit events, ${requests} placement requests, ${regions} regions)`,
  );

  const app = await buildApp({
    config: testConfig({ dataDir: 'memory' }),
    database,
    bus: createMemoryBus(),
  });
  const b0 = performance.now();
  await app.ready();
  // The series is built from the log in the background from start (onReady); wait for it.
  await app.services.pressure.current();
  console.log(`  start + time series built from the log: ${ms(b0)}`);
  const login = await app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email: 'coordinator@demo.opvangatlas.nl', password: DEMO_PASSWORD },
  });
  const cookie = login.headers['set-cookie']!.toString().split(';')[0]!;
  const get = async (url: string) => {
    const t0 = performance.now();
    const res = await app.inject({ url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return { time: performance.now() - t0, bytes: res.rawPayload.length };
  };
  // What /druk asks for on opening: the table and the history of the chosen range, at once.
  const dashboard = async (range: string) => {
    const t0 = performance.now();
    // One after the other, so each time is its own (the embedded database runs one query at a time).
    const board = await get('/api/pressure');
    const history = await get(`/api/pressure/history?range=${range}`);
    return { total: performance.now() - t0, board, history };
  };
  const line = (what: string, d: Awaited<ReturnType<typeof dashboard>>) =>
    console.log(
      `  ${what}: ${d.total.toFixed(0)} ms (table ${d.board.time.toFixed(0)} ms, history ${d.history.time.toFixed(0)} ms, ${(d.history.bytes / 1024).toFixed(0)} kB)`,
    );
  line('dashboard, 12 months, first after start', await dashboard('12m'));
  line('dashboard, 12 months, warm', await dashboard('12m'));
  const series = await app.services.pressure.current();
  const q0 = performance.now();
  series.query('12m', new Date());
  console.log(`  of which computing the 12 months of points: ${ms(q0)}`);
  for (const range of ['24h', '7d', '30d'])
    line(`dashboard, ${range}, warm`, await dashboard(range));

  // The monitor export: a year for all regions and for one, the first after start and again.
  const year = new Date().getUTCFullYear();
  const monitor = async (what: string) => {
    for (const [y, region] of [
      [year, ''],
      [year - 1, ''],
      [year - 1, '&regionId=1'],
    ] as const) {
      const first = await get(`/api/monitor?year=${y}${region}`);
      const again = await get(`/api/monitor?year=${y}${region}`);
      // A login is an event too, but none the figures come from: the kept answer stands.
      await app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: 'coordinator@demo.opvangatlas.nl', password: DEMO_PASSWORD },
      });
      const afterLogin = await get(`/api/monitor?year=${y}${region}`);
      console.log(
        `  monitor ${y}${region ? ', one region' : ', all regions'}, ${what}: ${first.time.toFixed(0)} ms, again ${again.time.toFixed(0)} ms, after a login ${afterLogin.time.toFixed(0)} ms`,
      );
    }
  };
  await monitor('first after start');

  // 200 more changes, then the history again: only those are read and applied.
  const worker = (
    await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'vo_worker@demo.opvangatlas.nl', password: DEMO_PASSWORD },
    })
  ).headers['set-cookie']!.toString().split(';')[0]!;
  const own = (await app.inject({ url: '/api/locations', headers: { cookie: worker } })).json<
    Array<{ id: number }>
  >();
  const free = [];
  for (const l of own) {
    const res = await app.inject({
      url: `/api/locations/${l.id}/units`,
      headers: { cookie: worker },
    });
    free.push(
      ...res
        .json<{ units: Array<{ id: number; status: string; version: number }> }>()
        .units.filter((u) => u.status === 'free'),
    );
  }
  const t0 = performance.now();
  let changes = 0;
  for (const u of free.slice(0, 20)) {
    for (let i = 0; i < 10; i++) {
      const res = await app.inject({
        method: 'PATCH',
        url: `/api/units/${u.id}`,
        headers: { cookie: worker },
        payload: { version: u.version + i, status: i % 2 === 0 ? 'out_of_service' : 'free' },
      });
      if (res.statusCode === 200) changes++;
    }
  }
  console.log(`  ${changes} unit changes written in ${ms(t0)}`);
  line(`dashboard, 12 months, after ${changes} changes`, await dashboard('12m'));
  await monitor(`after ${changes} changes`);
  await app.close();
  await database.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPressure();
