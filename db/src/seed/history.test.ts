import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Unit, UnitStatus } from '@opvangatlas/shared';
import { openDatabase, type Database } from '../client';
import { HISTORY_DAYS } from './history';
import { AVERAGE_STAY_DAYS, seed } from './index';

const now = new Date('2026-11-23T00:00:00Z');
const DAY = 86_400_000;
let withHistory: Database;
let without: Database;

async function seeded(history: boolean) {
  const database = await openDatabase();
  await database.migrate();
  await seed(database.db, { seed: 7, demo: true, demoPasswordHash: 'x', now, history });
  return database;
}

beforeAll(async () => {
  [withHistory, without] = await Promise.all([seeded(true), seeded(false)]);
}, 120_000);
afterAll(async () => {
  await Promise.all([withHistory?.close(), without?.close()]);
});

const rows = async <T>(d: Database, q: ReturnType<typeof sql>) =>
  ((await d.db.execute(q)) as unknown as { rows: T[] }).rows;

interface EventRow {
  seq: number;
  at: string | Date;
  unit_id: number;
  data: { unit: Unit; before: { status: UnitStatus; version: number } };
}

describe('seed history', () => {
  let history: EventRow[];
  beforeAll(async () => {
    history = await rows<EventRow>(
      withHistory,
      sql`select seq::int as seq, at, unit_id, data from events order by seq`,
    );
  });

  it('leaves the present state exactly as the seed without history has it', async () => {
    const q = sql`select id, kind, status, since, household_adults, household_children, location_id from units order by id`;
    expect(await rows(withHistory, q)).toEqual(await rows(without, q));
    expect(await rows(without, sql`select count(*)::int as n from events`)).toEqual([{ n: 0 }]);
  });

  it('ends every unit in its present state, each change following on the one before', async () => {
    const units = await rows<{
      id: number;
      status: UnitStatus;
      since: Date | string;
      version: number;
      household_adults: number | null;
      household_children: number | null;
    }>(
      withHistory,
      sql`select id, status, since, version, household_adults, household_children from units`,
    );
    const byUnit = new Map<number, EventRow[]>();
    for (const e of history) byUnit.set(e.unit_id, [...(byUnit.get(e.unit_id) ?? []), e]);
    expect(byUnit.size).toBeGreaterThan(units.length * 0.8);
    for (const u of units) {
      const mine = byUnit.get(u.id) ?? [];
      if (mine.length === 0) {
        // A stay that began before the history: no change of it is in the log.
        expect(new Date(u.since).getTime()).toBeLessThan(now.getTime() - HISTORY_DAYS * DAY);
        expect(u.version).toBe(1);
        continue;
      }
      const last = mine.at(-1)!.data.unit;
      expect(last.status).toBe(u.status);
      expect(Date.parse(last.since)).toBe(new Date(u.since).getTime());
      expect(last.version).toBe(u.version);
      expect(last.household).toEqual(
        u.status === 'occupied'
          ? { adults: u.household_adults, children: u.household_children }
          : null,
      );
      mine.forEach((e, i) => {
        if (i > 0) expect(e.data.before.status).toBe(mine[i - 1]!.data.unit.status);
        expect(e.data.before.version + 1).toBe(e.data.unit.version);
        expect(e.data.unit.status).not.toBe(e.data.before.status);
      });
    }
  });

  it('lies within the 18 months, in time order by seq', () => {
    const times = history.map((e) => new Date(e.at).getTime());
    expect(times[0]).toBeGreaterThanOrEqual(now.getTime() - HISTORY_DAYS * DAY);
    expect(times.at(-1)).toBeLessThanOrEqual(now.getTime());
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
  });

  it('has stays of the measured length per kind at departure', () => {
    const arrived = new Map<number, number>();
    const stays: Record<string, number[]> = { noodbed: [], crisis: [] };
    for (const e of history) {
      const t = new Date(e.at).getTime();
      if (e.data.unit.status === 'occupied') arrived.set(e.unit_id, t);
      else if (e.data.before.status === 'occupied' && arrived.has(e.unit_id))
        stays[e.data.unit.kind]?.push((t - arrived.get(e.unit_id)!) / DAY);
    }
    for (const kind of ['noodbed', 'crisis'] as const) {
      const mean = stays[kind]!.reduce((s, d) => s + d, 0) / stays[kind]!.length;
      // Stays longer than the window cannot end inside it: a little shorter than the mean.
      expect(mean).toBeGreaterThan(AVERAGE_STAY_DAYS[kind] * 0.7);
      expect(mean).toBeLessThan(AVERAGE_STAY_DAYS[kind] * 1.2);
    }
  });
});
