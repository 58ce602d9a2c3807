import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../client';
import { AVERAGE_STAY_DAYS, ensureAdmin, seed, splitPlaces } from './index';

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
beforeAll(async () => {
  [a, b] = await Promise.all([seeded(7, now), seeded(7, now)]);
});
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
});
