import { asc, eq, inArray, sql } from 'drizzle-orm';
import {
  addDays,
  daysBetween,
  dutchDate,
  unitKinds,
  type CapacitySnapshot,
  type HouseholdProfile,
  type NonPlacementReason,
  type OverflowOutcome,
  type OverflowType,
  type UnitKind,
  type Urgency,
} from '@opvangatlas/shared';
import type { Tx } from '../client';
import {
  locations,
  nonPlacements,
  overflowRegistrations,
  regionCapacity,
  units,
  users,
  waitlistEntries,
} from '../schema/index';
import type { Random } from './random';

export interface OverflowSeedRegion {
  name: string;
  id: number;
  /** The region's main VO: it registers the region's overflow and keeps its waitlist. */
  organisationId: number;
  places: number;
}

/**
 * The west (Randstad provinces): 97% of the overflow of 2023 was here (seed 000, DOMAIN.md).
 */
export const WEST_REGIONS = new Set([
  'Alkmaar',
  'Almere',
  'Amersfoort',
  'Amsterdam',
  'Delft',
  'Den Haag',
  'Den Helder',
  'Dordrecht',
  'Gouda',
  'Haarlem',
  'Hilversum',
  'Leiden',
  'Nissewaard',
  'Rotterdam',
  'Utrecht',
  'Vlaardingen',
  'Zaanstad',
]);

/** Months of overflow history (issue 10). */
export const OVERFLOW_HISTORY_DAYS = 548;

const HOUR = 3_600_000;

function household(rnd: Random): HouseholdProfile {
  const adults = rnd.chance(0.92) ? 1 : 2;
  const children = rnd.weighted([
    [0, 0.35],
    [1, 0.25],
    [2, 0.2],
    [3, 0.12],
    [4, 0.08],
  ] as const);
  return {
    adults: Array.from({ length: adults }, (_, i) => ({
      gender: i === 0 && rnd.chance(0.04) ? ('m' as const) : ('v' as const),
    })),
    children: Array.from({ length: children }, () => rnd.int(0, 17)),
  };
}

/**
 * Overflow history, waitlists and niet-plaatsingen for the demo (issue 10), from its own
 * random stream so every other seeded value stays as it was. Matches the 2023 monitor:
 * about 190 households a year, 3-40 nights each (about 16 on average: 3,129 nights for 193
 * households), most in the west, rising over the 18 months ("tripling in a year"); a
 * waitlist in about 40% of the regions; a few niet-plaatsingen. Inserted in bulk.
 */
export async function seedOverflow(
  tx: Tx,
  rnd: Random,
  now: Date,
  regions: OverflowSeedRegion[],
): Promise<{ registrations: number; waitlist: number; nonPlacements: number }> {
  const today = dutchDate(now);
  const staff = await tx
    .select({ id: users.id, organisationId: users.organisationId })
    .from(users)
    .where(inArray(users.role, ['vo_worker', 'vo_planner']))
    .orderBy(asc(users.id));
  const workerOf = new Map<number, number>();
  for (const u of staff)
    if (!workerOf.has(u.organisationId!)) workerOf.set(u.organisationId!, u.id);
  const usable = regions.filter((r) => workerOf.has(r.organisationId));
  const west = usable.filter((r) => WEST_REGIONS.has(r.name));
  const rest = usable.filter((r) => !WEST_REGIONS.has(r.name));
  const weightOf = (r: OverflowSeedRegion) => [r, Math.max(r.places, 10)] as const;
  const pickRegion = (): OverflowSeedRegion =>
    rnd.chance(0.97) || rest.length === 0
      ? rnd.weighted(west.map(weightOf))
      : rnd.weighted(rest.map(weightOf));
  const rotterdam = usable.find((r) => r.name === 'Rotterdam');

  // Overflow stays: starts rising from 9 to 19 a month over the 18 months, about 190 in
  // the last twelve.
  const registrations: Array<typeof overflowRegistrations.$inferInsert> = [];
  let overdueDemo = false;
  for (let d = OVERFLOW_HISTORY_DAYS; d >= 0; d--) {
    const startDate = addDays(today, -d);
    const perMonth = 9 + (10 * (OVERFLOW_HISTORY_DAYS - d)) / OVERFLOW_HISTORY_DAYS;
    for (let n = rnd.poisson(perMonth / 30.4); n > 0; n--) {
      const region = pickRegion();
      const nights = Math.min(40, 3 + Math.round(rnd.exponential(13)));
      const plannedEnd = addDays(startDate, nights);
      const ended = plannedEnd <= today;
      const interval = rnd.weighted([
        [24, 0.8],
        [12, 0.1],
        [48, 0.1],
      ] as const);
      const createdAt = new Date(`${startDate}T12:00:00Z`);
      createdAt.setTime(Math.min(now.getTime(), createdAt.getTime() + rnd.int(0, 8 * 60) * 60_000));
      // The last contact of a stay that lasts was less than 80% of its interval ago: none
      // falls due minutes after seeding (except the one below).
      const lastCheckInAt = ended
        ? new Date(`${plannedEnd}T09:00:00Z`)
        : new Date(
            Math.max(createdAt.getTime(), now.getTime() - rnd.next() * 0.8 * interval * HOUR),
          );
      // One stay in Rotterdam whose check-in is late, so the demo shows the alert; seeded
      // as the sweep would have left it (late past the grace period: level 2).
      const late = !ended && !overdueDemo && region === rotterdam;
      if (late) {
        overdueDemo = true;
        lastCheckInAt.setTime(now.getTime() - (interval + 3) * HOUR);
      }
      const outcome: OverflowOutcome = rnd.weighted([
        ['regular_place', 0.6],
        ['returned_home', 0.15],
        ['other', 0.25],
      ] as const);
      const regular = ended && outcome === 'regular_place';
      registrations.push({
        reference: `seed-${registrations.length}`,
        organisationId: region.organisationId,
        regionId: region.id,
        type: rnd.weighted<OverflowType>([
          ['hotel', 0.55],
          ['vakantiepark', 0.2],
          ['airbnb', 0.08],
          ['bed_erbij', 0.07],
          ['maatschappelijke_opvang', 0.07],
          ['other', 0.03],
        ]),
        startDate,
        expectedEndDate: plannedEnd,
        adults: rnd.chance(0.92) ? 1 : 2,
        children: rnd.weighted([
          [0, 0.35],
          [1, 0.25],
          [2, 0.2],
          [3, 0.12],
          [4, 0.08],
        ] as const),
        responsibleUserId: workerOf.get(region.organisationId)!,
        checkInIntervalHours: interval,
        lastCheckInAt,
        lastCheckInByUserId: workerOf.get(region.organisationId)!,
        nextCheckInAt: new Date(lastCheckInAt.getTime() + interval * HOUR),
        overdueLevel: late ? 2 : 0,
        endDate: ended ? plannedEnd : null,
        outcome: ended ? outcome : null,
        outcomeKind: regular
          ? rnd.weighted<UnitKind>([
              ['noodbed', 0.4],
              ['crisis', 0.45],
              ['vervolg', 0.15],
            ])
          : null,
        outcomeRegionId: regular ? (rnd.chance(0.8) ? region.id : pickRegion().id) : null,
        createdByUserId: workerOf.get(region.organisationId)!,
        createdAt,
        endedAt: ended ? new Date(`${plannedEnd}T10:00:00Z`) : null,
      });
    }
  }

  // Waitlists in about 40% of the regions (Rotterdam, the demo's own, always).
  const waitlist: Array<typeof waitlistEntries.$inferInsert> = [];
  const yearStart = `${Number(today.slice(0, 4)) - 1}-01-01`;
  const listed = usable.filter((r) => r === rotterdam || rnd.chance(0.37));
  for (const region of listed) {
    const entry = (kind: UnitKind, urgency: Urgency, waitingSince: string) => ({
      reference: `seed-${waitlist.length}`,
      organisationId: region.organisationId,
      regionId: region.id,
      kind,
      urgency,
      household: household(rnd),
      waitingSince,
      createdByUserId: workerOf.get(region.organisationId)!,
      createdAt: new Date(`${waitingSince}T10:00:00Z`),
    });
    const kind = () =>
      rnd.weighted<UnitKind>([
        ['noodbed', 0.1],
        ['crisis', 0.4],
        ['vervolg', 0.5],
      ]);
    const urgency = () =>
      rnd.weighted<Urgency>([
        ['acuut', 0.2],
        ['regulier', 0.8],
      ]);
    for (let n = rnd.int(2, 9); n > 0; n--) {
      waitlist.push(entry(kind(), urgency(), addDays(today, -rnd.int(3, 150))));
    }
    // Households that left the list since January last year: the average wait at placement.
    for (let n = rnd.int(6, 20); n > 0; n--) {
      const since = addDays(yearStart, rnd.int(0, daysBetween(yearStart, today) - 10));
      const waited = Math.min(daysBetween(since, today), rnd.int(7, 160));
      const placed = rnd.chance(0.85);
      waitlist.push({
        ...entry(kind(), urgency(), since),
        status: placed ? 'placed' : 'removed',
        endDate: addDays(since, waited),
        daysWaited: placed ? waited : null,
      });
    }
  }

  // A few niet-plaatsingen in the last six months, nearly all in the west.
  const records: Array<typeof nonPlacements.$inferInsert> = [];
  for (let n = rnd.int(15, 25); n > 0; n--) {
    const region = pickRegion();
    const date = addDays(today, -rnd.int(0, 182));
    records.push({
      organisationId: region.organisationId,
      regionId: region.id,
      kind: rnd.chance(0.6) ? 'noodbed' : 'crisis',
      urgency: rnd.weighted<Urgency>([
        ['code_rood', 0.3],
        ['acuut', 0.5],
        ['regulier', 0.2],
      ]),
      reason: rnd.weighted<NonPlacementReason>([
        ['full', 0.55],
        ['no_fit', 0.2],
        ['not_safe', 0.1],
        ['declined_by_household', 0.05],
        ['other', 0.1],
      ]),
      date,
      createdByUserId: workerOf.get(region.organisationId)!,
      createdAt: new Date(Math.min(now.getTime(), Date.parse(`${date}T20:00:00Z`))),
    });
  }

  if (registrations.length > 0) {
    await tx.insert(overflowRegistrations).values(registrations);
    // NR-2026-0012: the year of registration and the id, as the service gives them.
    await tx
      .update(overflowRegistrations)
      .set({
        reference: sql`'NR-' || to_char(${overflowRegistrations.createdAt} at time zone 'Europe/Amsterdam', 'YYYY') || '-' || lpad(${overflowRegistrations.id}::text, 4, '0')`,
      })
      .where(sql`${overflowRegistrations.reference} like 'seed-%'`);
  }
  if (waitlist.length > 0) {
    await tx.insert(waitlistEntries).values(waitlist);
    await tx
      .update(waitlistEntries)
      .set({
        reference: sql`'WL-' || to_char(${waitlistEntries.createdAt} at time zone 'Europe/Amsterdam', 'YYYY') || '-' || lpad(${waitlistEntries.id}::text, 4, '0')`,
      })
      .where(sql`${waitlistEntries.reference} like 'seed-%'`);
  }
  if (records.length > 0) await tx.insert(nonPlacements).values(records);
  await seedCapacity(
    tx,
    regions.map((r) => r.id),
    today,
    now,
  );
  return {
    registrations: registrations.length,
    waitlist: waitlist.length,
    nonPlacements: records.length,
  };
}

/**
 * The municipality view's count of places, occupancy and herkomst per region, as the
 * server's capacity sweep makes it (server/src/modules/overflow/capacity-repository.ts), so
 * a freshly seeded database starts without 35 recount events.
 */
async function seedCapacity(tx: Tx, regionIds: number[], day: string, now: Date): Promise<void> {
  const rows = await tx
    .select({
      regionId: locations.regionId,
      kind: units.kind,
      places: sql<number>`count(*)::int`,
      inService: sql<number>`count(*) filter (where ${units.status} <> 'out_of_service')::int`,
      occupied: sql<number>`count(*) filter (where ${units.status} = 'occupied')::int`,
      fromElsewhere: sql<number>`count(*) filter (where ${units.status} = 'occupied' and ${units.originRegionId} is not null and ${units.originRegionId} <> ${locations.regionId})::int`,
    })
    .from(units)
    .innerJoin(locations, eq(locations.id, units.locationId))
    .groupBy(locations.regionId, units.kind);
  const snapshot = (regionId: number): CapacitySnapshot => ({
    kinds: Object.fromEntries(
      unitKinds.map((kind) => {
        const r = rows.find((x) => x.regionId === regionId && x.kind === kind);
        return [
          kind,
          {
            places: r?.places ?? 0,
            inService: r?.inService ?? 0,
            occupied: r?.occupied ?? 0,
            fromElsewhere: r?.fromElsewhere ?? 0,
          },
        ];
      }),
    ) as CapacitySnapshot['kinds'],
  });
  await tx
    .insert(regionCapacity)
    .values(regionIds.map((id) => ({ regionId: id, day, figures: snapshot(id), updatedAt: now })));
}
