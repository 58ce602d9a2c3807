import { eq, sql } from 'drizzle-orm';
import { unitKinds, type UnitKind, type UnitStatus } from '@opvangatlas/shared';
import type { Db } from '../client';
import {
  locations,
  organisationRegions,
  organisations,
  regions,
  units,
  users,
} from '../schema/index';
import { seedHistory } from './history';
import { seedOverflow } from './overflow';
import { seedSwaps } from './swaps';
import { createRandom, type Random } from './random';
import { readRegions, type RegionRow } from './regions-csv';

export interface SeedOptions {
  /** Same value, same data (relative to `now`). */
  seed?: number;
  /** Demo locations, units and users; never in production. */
  demo: boolean;
  /** argon2 hash of the demo password, shared by all demo accounts. */
  demoPasswordHash?: string;
  now?: Date;
  /** 18 months of unit history in the events table (seed/history.ts); for the demo, not tests. */
  history?: boolean;
}

export interface SeedResult {
  seeded: boolean;
  regions: number;
  units: number;
  demoUsers: string[];
}

export const DEMO_DOMAIN = 'demo.opvangatlas.nl';
export const DEMO_PASSWORD = 'demo';
/** The demo "home" of the one-per-role accounts (issue 2: the Rotterdam VO). */
export const DEMO_REGION = 'Rotterdam';
export const DEMO_ORGANISATION = 'Arosa';

/** Average stay in days per kind (Monitor 2023, docs/DOMAIN.md). */
export const AVERAGE_STAY_DAYS: Record<UnitKind, number> = {
  noodbed: 12,
  crisis: 64,
  vervolg: 259,
  geen_onderscheid: 129,
};

/** Mannenopvang places per organisation and the regions they are in (data/README.md). */
const MANNENOPVANG: ReadonlyArray<readonly [string, string, number]> = [
  ['Kadera', 'Zwolle', 3],
  ['Kadera', 'Enschede', 3],
  ['Sterk Huis', 'Tilburg', 4],
  ['Moviera', 'Utrecht', 7],
  ['Arosa', 'Rotterdam', 14],
  ['Blijf Groep', 'Amsterdam', 7],
];

export const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');

/** National split ~10% nood, 30% crisis, 60% vervolg (docs/DOMAIN.md); at least one noodbed. */
export function splitPlaces(places: number): Record<UnitKind, number> {
  if (places <= 0) return { noodbed: 0, crisis: 0, vervolg: 0, geen_onderscheid: 0 };
  const noodbed = Math.max(1, Math.round(places * 0.1));
  const crisis = Math.min(places - noodbed, Math.round(places * 0.3));
  return { noodbed, crisis, vervolg: places - noodbed - crisis, geen_onderscheid: 0 };
}

const STREETS = [
  'Lindelaan',
  'Beukenweg',
  'Vlierstraat',
  'Essenhof',
  'Populierendreef',
  'Wilgenkade',
];

function fictitiousAddress(rnd: Random, city: string) {
  const letters = 'ABCDEFGHJKLMNPRSTVWXZ';
  const letter = () => letters[rnd.int(0, letters.length - 1)];
  return {
    street: `${STREETS[rnd.int(0, STREETS.length - 1)]} ${rnd.int(1, 240)}`,
    postcode: `${rnd.int(1000, 9999)} ${letter()}${letter()}`,
    city,
  };
}

/**
 * A fictitious 24/7 intake line per organisation, shared by its locations: an 088 number
 * (the Dutch prefix for organisations) derived from the name, so it is stable across seeds and
 * leaves the random stream (and with it every other seeded value) as it was.
 */
function fictitiousIntakePhone(organisation: string): string {
  let h = 2166136261;
  for (const ch of organisation) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const n = String(h % 10_000_000).padStart(7, '0');
  return `088-${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5)}`;
}

function organisationsOf(row: RegionRow): string[] {
  // The seeds do not name the VO for two regions: a named placeholder stands in.
  return row.organisations.length > 0 ? row.organisations : [`Vrouwenopvang ${row.name}`];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Seeds an empty database: the 35 regions and their VOs always; with `demo`, locations,
 * units summing to the 2023 places (~90% occupied, stays following the measured averages)
 * and one demo user per role. Does nothing when regions already exist.
 */
export async function seed(db: Db, opts: SeedOptions): Promise<SeedResult> {
  const [{ count } = { count: 0 }] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(regions);
  if (count > 0) return { seeded: false, regions: count, units: 0, demoUsers: [] };

  const rnd = createRandom(opts.seed ?? 2023);
  const now = opts.now ?? new Date();
  const rows = readRegions();

  return db.transaction(async (tx) => {
    const regionIds = new Map<string, number>();
    for (const r of await tx
      .insert(regions)
      .values(
        rows.map((r) => ({
          name: r.name,
          lat: r.lat,
          lon: r.lon,
          inhabitants: r.inhabitants,
          places2023: r.places2023,
          acutePlaces2019: r.acutePlaces2019,
        })),
      )
      .returning({ id: regions.id, name: regions.name })) {
      regionIds.set(r.name, r.id);
    }

    const orgNames = [...new Set(rows.flatMap(organisationsOf))];
    const orgIds = new Map<string, number>();
    for (const o of await tx
      .insert(organisations)
      .values(orgNames.map((name) => ({ name })))
      .returning()) {
      orgIds.set(o.name, o.id);
    }
    await tx.insert(organisationRegions).values(
      rows.flatMap((r) =>
        organisationsOf(r).map((o) => ({
          organisationId: orgIds.get(o)!,
          regionId: regionIds.get(r.name)!,
        })),
      ),
    );

    if (!opts.demo) return { seeded: true, regions: rows.length, units: 0, demoUsers: [] };

    // Rotterdam keeps at most 25% of its crisis capacity for Code Rood clients from
    // elsewhere (seed 004); other regions set no quota.
    await tx
      .update(regions)
      .set({ quotaOutOfRegionPercent: 25, quotaMode: 'warn' })
      .where(eq(regions.name, 'Rotterdam'));
    // About 24% of clients stay outside their own region (docs/DOMAIN.md). A separate stream, so
    // adding herkomst left every other seeded value as it was.
    const herkomst = createRandom((opts.seed ?? 2023) + 1);
    const allRegionIds = [...regionIds.values()];

    let unitCount = 0;
    for (const row of rows) {
      const regionId = regionIds.get(row.name)!;
      const orgs = organisationsOf(row);
      // Pressure differs per region (peaks in the west, docs/DOMAIN.md): target 80-99% occupied.
      const regionOccupancy = 0.8 + rnd.next() * 0.19;
      const split = splitPlaces(row.places2023 ?? 0);
      const locationsPerMainOrg = Math.max(1, Math.ceil((row.places2023 ?? 0) / 30));

      const locs: { organisation: string; name: string }[] = [];
      for (let i = 0; i < locationsPerMainOrg; i++) {
        const suffix = locationsPerMainOrg > 1 ? ` ${String.fromCharCode(65 + i)}` : '';
        locs.push({ organisation: orgs[0]!, name: `${orgs[0]} ${row.name}${suffix}` });
      }
      for (const o of orgs.slice(1)) locs.push({ organisation: o, name: `${o} ${row.name}` });

      const insertedLocs = await tx
        .insert(locations)
        .values(
          locs.map((l) => {
            const ageHours = rnd.weighted([
              [rnd.next() * 2, 0.6],
              [2 + rnd.next() * 6, 0.25],
              [8 + rnd.next() * 40, 0.15],
            ] as const);
            return {
              organisationId: orgIds.get(l.organisation)!,
              regionId,
              name: l.name,
              ...fictitiousAddress(rnd, row.name),
              intakePhone: fictitiousIntakePhone(l.organisation),
              lastConfirmedAt: new Date(now.getTime() - ageHours * HOUR),
            };
          }),
        )
        .returning({ id: locations.id, organisationId: locations.organisationId });

      // Units go round-robin over locations; a second (specialist) VO gets about 15%.
      const kinds = unitKinds.flatMap((k) => Array<UnitKind>(split[k]).fill(k));
      const menQuota = new Map(
        MANNENOPVANG.filter(([, region]) => region === row.name).map(([org, , n]) => [
          orgIds.get(org)!,
          n,
        ]),
      );
      const values = kinds.map((kind, i) => {
        const loc =
          insertedLocs.length > locationsPerMainOrg && rnd.chance(0.15)
            ? insertedLocs[
                locationsPerMainOrg + rnd.int(0, insertedLocs.length - locationsPerMainOrg - 1)
              ]!
            : insertedLocs[i % locationsPerMainOrg]!;
        const maxPersons = rnd.weighted([
          [1, 0.1],
          [2, 0.2],
          [3, 0.3],
          [4, 0.25],
          [5, 0.1],
          [6, 0.05],
        ] as const);
        const quota = menQuota.get(loc.organisationId) ?? 0;
        const mannenopvang = quota > 0 && kind !== 'noodbed';
        if (mannenopvang) menQuota.set(loc.organisationId, quota - 1);
        const status: UnitStatus = rnd.chance(0.015)
          ? 'out_of_service'
          : rnd.chance(regionOccupancy)
            ? rnd.chance(0.01)
              ? 'reserved'
              : 'occupied'
            : 'free';
        const occupied = status === 'occupied';
        const adults = occupied ? (rnd.chance(0.9) ? 1 : Math.min(2, maxPersons)) : null;
        const children = occupied
          ? Math.min(
              maxPersons - adults!,
              rnd.weighted([
                [0, 0.35],
                [1, 0.25],
                [2, 0.2],
                [3, 0.12],
                [4, 0.08],
              ] as const),
            )
          : null;
        // The elapsed part of a stay whose length is exponential has the same mean.
        const sinceMs = occupied
          ? rnd.exponential(AVERAGE_STAY_DAYS[kind]) * DAY
          : rnd.exponential(kind === 'noodbed' ? 0.5 : 4) * DAY;
        return {
          locationId: loc.id,
          kind,
          label: `${kind === 'noodbed' ? 'Noodbed' : 'Kamer'} ${i + 1}`,
          maxPersons,
          mannenopvang,
          wheelchair: rnd.chance(0.06),
          largeFamily: maxPersons >= 5,
          status,
          since: new Date(now.getTime() - sinceMs),
          householdAdults: adults,
          householdChildren: children,
          originRegionId:
            occupied && herkomst.chance(0.24)
              ? allRegionIds.filter((id) => id !== regionId)[
                  herkomst.int(0, allRegionIds.length - 2)
                ]!
              : null,
        };
      });
      if (values.length > 0) await tx.insert(units).values(values);
      unitCount += values.length;
    }

    const hash = opts.demoPasswordHash;
    if (!hash) throw new Error('seed: demo data needs demoPasswordHash');
    const demoOrg = orgIds.get(DEMO_ORGANISATION)!;
    const demoRegion = regionIds.get(DEMO_REGION)!;
    const email = (local: string) => `${local}@${DEMO_DOMAIN}`;
    const demoUsers = [
      {
        email: email('vo_worker'),
        displayName: 'Nachtdienst Arosa',
        role: 'vo_worker' as const,
        organisationId: demoOrg,
        regionId: demoRegion,
      },
      {
        email: email('vo_planner'),
        displayName: 'Planner Arosa',
        role: 'vo_planner' as const,
        organisationId: demoOrg,
        regionId: demoRegion,
      },
      {
        email: email('coordinator'),
        displayName: 'Landelijk coördinator',
        role: 'coordinator' as const,
        organisationId: null,
        regionId: null,
      },
      {
        email: email('municipality'),
        displayName: 'Gemeente Rotterdam',
        role: 'municipality' as const,
        organisationId: null,
        regionId: demoRegion,
      },
      {
        email: email('admin'),
        displayName: 'Beheerder',
        role: 'admin' as const,
        organisationId: null,
        regionId: null,
      },
      // One worker per VO and one officer per region, for access tests and demos elsewhere.
      ...orgNames.map((name) => {
        const home = rows.find((r) => organisationsOf(r).includes(name))!;
        return {
          email: email(`vo_worker.${slug(name)}`),
          displayName: `Nachtdienst ${name}`,
          role: 'vo_worker' as const,
          organisationId: orgIds.get(name)!,
          regionId: regionIds.get(home.name)!,
        };
      }),
      ...rows.map((r) => ({
        email: email(`municipality.${slug(r.name)}`),
        displayName: `Gemeente ${r.name}`,
        role: 'municipality' as const,
        organisationId: null,
        regionId: regionIds.get(r.name)!,
      })),
    ];
    await tx.insert(users).values(demoUsers.map((u) => ({ ...u, passwordHash: hash })));
    // Niet-reguliere bedden, waitlists and niet-plaatsingen (issue 10): a stream of its own,
    // so adding them left every other seeded value as it was.
    await seedOverflow(
      tx,
      createRandom((opts.seed ?? 2023) + 2),
      now,
      rows.map((r) => ({
        name: r.name,
        id: regionIds.get(r.name)!,
        organisationId: orgIds.get(organisationsOf(r)[0]!)!,
        places: r.places2023 ?? 0,
      })),
    );
    // Arrivals and departures that led to today's units (issue 11): a stream of its own.
    if (opts.history)
      await seedHistory(tx, createRandom((opts.seed ?? 2023) + 3), now, AVERAGE_STAY_DAYS);
    // Open "ruil mogelijk" requests forming a swap of two and one of three (issue 9), for the
    // demo's Ruil tab; behind the same option, so tests start with no swap of their own.
    if (opts.history) await seedSwaps(tx, now, DEMO_ORGANISATION, [240, 1440]);
    return {
      seeded: true,
      regions: rows.length,
      units: unitCount,
      demoUsers: demoUsers.slice(0, 5).map((u) => u.email),
    };
  });
}

/**
 * Creates the first administrator from configuration (production has no demo accounts).
 * Does nothing when the account exists, so a restart never resets its password.
 */
export async function ensureAdmin(db: Db, email: string, passwordHash: string): Promise<boolean> {
  const normalised = email.toLowerCase();
  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, normalised));
  if (existing.length > 0) return false;
  await db
    .insert(users)
    .values({ email: normalised, displayName: 'Beheerder', role: 'admin', passwordHash });
  return true;
}
