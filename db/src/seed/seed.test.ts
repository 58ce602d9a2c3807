import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../client';
import { AVERAGE_STAY_DAYS, ensureAdmin, seed, splitPlaces } from './index';
import { WEST_REGIONS } from './overflow';

async function seeded(seedValue: number, now: Date) {
  const database = await openDatabase();
  await database.migrate();
  await seed(database.db, {
    seed: seedValue,
    demo: true,
    demoPasswordHash: 'not-a-real-hash',
    now,
  });
  return database;
}

const now = new Date('2026-11-23T00:00:00Z');
let a: Database;
let b: Database;
// Two embedded databases migrated and seeded side by side: slow on a busy machine.
beforeAll(async () => {
  [a, b] = await Promise.all([seeded(7, now), seeded(7, now)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

// The Db type is generic over drivers; both drivers answer raw SQL with `rows`.
const rows = async (d: Database, q: SQL) =>
  ((await d.db.execute(q)) as unknown as { rows: Record<string, unknown>[] }).rows;

describe('seed', () => {
  it('splits places ~10/30/60 with at least one noodbed', () => {
    expect(splitPlaces(119)).toEqual({ noodbed: 12, crisis: 36, vervolg: 71, geen_onderscheid: 0 });
    expect(splitPlaces(11).noodbed).toBe(1);
    expect(splitPlaces(0)).toMatchObject({ noodbed: 0, crisis: 0, vervolg: 0 });
  });

  it('is reproducible from the seed value', async () => {
    const q = sql`select id, kind, status, max_persons, since, location_id from units order by id`;
    expect(await rows(a, q)).toEqual(await rows(b, q));
  });

  it('creates 35 regions and units summing to the 2023 places, about 90% occupied', async () => {
    const [r] = await rows(a, sql`select count(*)::int as n from regions`);
    expect(r!.n).toBe(35);
    const [u] = await rows(
      a,
      sql`select count(*)::int as n, avg((status = 'occupied')::int)::float as occ from units`,
    );
    expect(u!.n).toBe(1024);
    expect(u!.occ).toBeGreaterThan(0.82);
    expect(u!.occ).toBeLessThan(0.95);
    const [men] = await rows(a, sql`select count(*)::int as n from units where mannenopvang`);
    expect(men!.n).toBe(38);
    const missing = await rows(
      a,
      sql`select r.name from regions r left join locations l on l.region_id = r.id where l.id is null`,
    );
    expect(missing).toEqual([]);
  });

  it('gives occupied units stays that follow the measured averages per kind', async () => {
    const stays = await rows(
      a,
      sql`select kind, avg(extract(epoch from (${now.toISOString()}::timestamptz - since)) / 86400)::float as days from units where status = 'occupied' group by kind`,
    );
    const days = Object.fromEntries(stays.map((s) => [s.kind, s.days as number]));
    for (const kind of ['noodbed', 'crisis', 'vervolg'] as const) {
      expect(days[kind]).toBeGreaterThan(AVERAGE_STAY_DAYS[kind] * 0.7);
      expect(days[kind]).toBeLessThan(AVERAGE_STAY_DAYS[kind] * 1.3);
    }
  });

  it('has one demo user per role and seeds nothing twice', async () => {
    const roles = await rows(
      a,
      sql`select role, count(*)::int as n from users where email like '%@demo.opvangatlas.nl' group by role`,
    );
    expect(roles.map((r) => r.role).sort()).toEqual([
      'admin',
      'coordinator',
      'municipality',
      'vo_planner',
      'vo_worker',
    ]);
    expect((await seed(a.db, { demo: true, demoPasswordHash: 'x' })).seeded).toBe(false);
  });

  it('creates the configured administrator once and never overwrites it', async () => {
    expect(await ensureAdmin(b.db, 'Beheer@VO.nl', 'hash-1')).toBe(true);
    expect(await ensureAdmin(b.db, 'beheer@vo.nl', 'hash-2')).toBe(false);
    const admins = await rows(
      b,
      sql`select email, password_hash from users where email = 'beheer@vo.nl'`,
    );
    expect(admins).toEqual([{ email: 'beheer@vo.nl', password_hash: 'hash-1' }]);
  });

  it('places about a quarter of occupants from another region, and gives Rotterdam its quota', async () => {
    const [h] = await rows(
      a,
      sql`select count(*) filter (where u.origin_region_id is not null)::float / count(*) as share,
            count(*) filter (where u.origin_region_id = l.region_id)::int as own
          from units u join locations l on l.id = u.location_id where u.status = 'occupied'`,
    );
    expect(h!.share).toBeGreaterThan(0.18);
    expect(h!.share).toBeLessThan(0.3);
    expect(h!.own).toBe(0);
    const quota = await rows(
      a,
      sql`select name, quota_out_of_region_percent as pct from regions where quota_out_of_region_percent is not null`,
    );
    expect(quota).toEqual([{ name: 'Rotterdam', pct: 25 }]);
  });
});

describe('seed: niet-reguliere bedden, waitlists and niet-plaatsingen (issue 10)', () => {
  const west = sql.join(
    [...WEST_REGIONS].map((name) => sql`${name}`),
    sql`, `,
  );

  it('matches the 2023 monitor: about 190 households a year, most in the west, 3-40 nights', async () => {
    const [year] = await rows(
      a,
      sql`select count(*)::int as households,
            avg((r.name in (${west}))::int)::float as west,
            min(coalesce(o.end_date, o.expected_end_date) - o.start_date)::int as min_nights,
            max(coalesce(o.end_date, o.expected_end_date) - o.start_date)::int as max_nights,
            avg(coalesce(o.end_date, o.expected_end_date) - o.start_date)::float as avg_nights
          from overflow_registrations o join regions r on r.id = o.region_id
          where o.start_date > ${now.toISOString()}::date - 365`,
    );
    expect(year!.households).toBeGreaterThan(150);
    expect(year!.households).toBeLessThan(240);
    expect(year!.west).toBeGreaterThan(0.9);
    expect(year!.min_nights).toBeGreaterThanOrEqual(3);
    expect(year!.max_nights).toBeLessThanOrEqual(40);
    // 3,129 nights for 193 households in 2023: about 16 each.
    expect(year!.avg_nights).toBeGreaterThan(12);
    expect(year!.avg_nights).toBeLessThan(20);
    const [history] = await rows(
      a,
      sql`select min(start_date)::text as first, count(*) filter (where end_date is null)::int as active,
            count(*) filter (where reference !~ '^NR-[0-9]{4}-[0-9]{4,}$')::int as bad_refs
          from overflow_registrations`,
    );
    // 18 months before 2026-11-23.
    expect(history!.first).toMatch(/^2025-05-(2[3-9]|3[01])$/);
    expect(history!.active).toBeGreaterThan(0);
    expect(history!.bad_refs).toBe(0);
  });

  it('rises over the 18 months (the monitor saw overflow triple in a year)', async () => {
    const [trend] = await rows(
      a,
      sql`select count(*) filter (where start_date > ${now.toISOString()}::date - 182)::int as recent,
            count(*) filter (where start_date <= ${now.toISOString()}::date - 365)::int as early
          from overflow_registrations`,
    );
    // The last half year against the first half year of the history.
    expect(trend!.recent).toBeGreaterThan(trend!.early as number);
  });

  it('keeps a waitlist in about 40% of the regions, and a few niet-plaatsingen', async () => {
    const [w] = await rows(
      a,
      sql`select count(distinct region_id)::int as regions,
            count(*) filter (where status = 'waiting')::int as waiting,
            avg(days_waited) filter (where status = 'placed')::float as avg_wait
          from waitlist_entries`,
    );
    const share = (w!.regions as number) / 35;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.55);
    expect(w!.waiting).toBeGreaterThan(10);
    expect(w!.avg_wait).toBeGreaterThan(20);
    const [n] = await rows(a, sql`select count(*)::int as n from non_placements`);
    expect(n!.n).toBeGreaterThanOrEqual(10);
    expect(n!.n).toBeLessThanOrEqual(40);
  });

  it('is reproducible from the seed value', async () => {
    const q = sql`select reference, region_id, type, start_date, end_date, adults, children from overflow_registrations order by id`;
    expect(await rows(a, q)).toEqual(await rows(b, q));
    const w = sql`select reference, region_id, kind, household, waiting_since, status from waitlist_entries order by id`;
    expect(await rows(a, w)).toEqual(await rows(b, w));
  });
});
