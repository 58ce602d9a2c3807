import { asc, eq, sql } from 'drizzle-orm';
import {
  RESPOND_WITHIN_MINUTES,
  unitLevelRoles,
  type HouseholdProfile,
  type NonPlacementReason,
  type Unit,
  type UnitKind,
  type UnitStatus,
  type Urgency,
} from '@opvangatlas/shared';
import type { Tx } from '../client';
import { locations, units } from '../schema/index';
import { createRandom, type Random } from './random';

/** Days of unit history the demo gets (issue 11): 18 months, like the overflow history. */
export const HISTORY_DAYS = 548;
/** Rows per insert: large enough to be few statements, small enough for Postgres' 65k parameters. */
const CHUNK = 5_000;
const DAY = 86_400_000;

/**
 * Mean days a unit stays free between two households. Short for noodbedden (they fill the
 * same night), longer for crisis and vervolg (intake, cleaning). With the measured stays
 * (AVERAGE_STAY_DAYS) this gives about the 89-90% occupancy of the monitor (DOMAIN.md).
 */
const GAP_DAYS: Record<UnitKind, number> = {
  noodbed: 1.2,
  crisis: 6,
  vervolg: 25,
  geen_onderscheid: 12,
};

/**
 * Peaks: free spells are shortest in midwinter (the busiest weeks, around the holidays) and
 * longest in midsummer; the factor runs 0.5 .. 1.5 over the year.
 */
function seasonFactor(at: number): number {
  const dayOfYear = (at - Date.UTC(new Date(at).getUTCFullYear(), 0, 1)) / DAY;
  return 1 - 0.5 * Math.cos((2 * Math.PI * (dayOfYear - 10)) / 365);
}

type SeededUnit = Omit<Unit, 'household' | 'version'> & {
  household: { adults: number; children: number } | null;
};

/** A history event before it is inserted: the unit after the change, and its status before. */
interface HistoryEvent {
  at: string;
  unit: Omit<Unit, 'household'> & { household: SeededUnit['household'] };
  before: { status: UnitStatus; version: number };
}

interface Segment {
  status: UnitStatus;
  /** Epoch ms the status began. */
  from: number;
  household: SeededUnit['household'];
}

function householdFor(rnd: Random, maxPersons: number) {
  const adults = rnd.chance(0.9) ? 1 : Math.min(2, maxPersons);
  const children = Math.min(
    maxPersons - adults,
    rnd.weighted([
      [0, 0.35],
      [1, 0.25],
      [2, 0.2],
      [3, 0.12],
      [4, 0.08],
    ] as const),
  );
  return { adults, children };
}

/**
 * The statuses a unit had before its present one, walking back from `since` until the start
 * of the history: arrivals and departures with stays of the measured lengths per kind
 * (exponential, AVERAGE_STAY_DAYS) and free spells between them. Oldest first; the first
 * segment may have begun before the history (its start is not an event).
 */
function pastSegments(
  rnd: Random,
  unit: SeededUnit,
  start: number,
  stayDays: Record<UnitKind, number>,
): Segment[] {
  const segments: Segment[] = [
    { status: unit.status, from: Date.parse(unit.since), household: unit.household },
  ];
  while (segments[0]!.from > start) {
    const next = segments[0]!;
    // Out of service, reserved and held all came from free; a free unit was occupied before.
    const status: UnitStatus = next.status === 'free' ? 'occupied' : 'free';
    const days =
      status === 'occupied'
        ? rnd.exponential(stayDays[unit.kind])
        : rnd.exponential(GAP_DAYS[unit.kind] * seasonFactor(next.from));
    segments.unshift({
      status,
      // At least an hour: two changes of one unit are never at the same moment.
      from: next.from - Math.max(3_600_000, days * DAY),
      household: status === 'occupied' ? householdFor(rnd, unit.maxPersons) : null,
    });
  }
  return segments;
}

/**
 * 18 months of unit history for the demo (issue 11): for every unit, the arrivals and
 * departures that led to its present state, as `unit.updated` events in the log (the same
 * shape the API writes), so Druk's time series and the monitor export show real shapes from
 * the first start. The last event of a unit is its present state, and the unit's version
 * counts its events. Inserted in bulk, oldest first, so seq order is time order.
 */
export async function seedHistory(
  tx: Tx,
  rnd: Random,
  now: Date,
  stayDays: Record<UnitKind, number>,
): Promise<{ events: number; requests: number }> {
  const start = now.getTime() - HISTORY_DAYS * DAY;
  const rows = await tx
    .select({
      id: units.id,
      locationId: units.locationId,
      organisationId: locations.organisationId,
      regionId: locations.regionId,
      kind: units.kind,
      label: units.label,
      maxPersons: units.maxPersons,
      mannenopvang: units.mannenopvang,
      wheelchair: units.wheelchair,
      largeFamily: units.largeFamily,
      status: units.status,
      since: units.since,
      adults: units.householdAdults,
      children: units.householdChildren,
    })
    .from(units)
    .innerJoin(locations, eq(locations.id, units.locationId))
    .orderBy(asc(units.id));

  const all: HistoryEvent[] = [];
  const versions: Array<[number, number]> = [];
  for (const r of rows) {
    const unit: SeededUnit = {
      id: r.id,
      locationId: r.locationId,
      organisationId: r.organisationId,
      regionId: r.regionId,
      kind: r.kind,
      label: r.label,
      maxPersons: r.maxPersons,
      mannenopvang: r.mannenopvang,
      wheelchair: r.wheelchair,
      largeFamily: r.largeFamily,
      status: r.status,
      since: r.since.toISOString(),
      heldUntil: null,
      heldByOrganisationId: null,
      heldForRequestId: null,
      household:
        r.status === 'occupied' ? { adults: r.adults ?? 1, children: r.children ?? 0 } : null,
    };
    const segments = pastSegments(rnd, unit, start, stayDays);
    // Every segment but the first began inside the history: its start is an event.
    for (let i = 1; i < segments.length; i++) {
      const s = segments[i]!;
      const since = new Date(s.from).toISOString();
      all.push({
        at: since,
        unit: { ...unit, status: s.status, since, household: s.household, version: i + 1 },
        before: { status: segments[i - 1]!.status, version: i },
      });
    }
    if (segments.length > 1) versions.push([unit.id, segments.length]);
  }
  all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  // One JSON parameter per chunk, unpacked by the database: far faster than a parameter per
  // column per row, on PGlite most of all. Ordered, so seq order is time order.
  for (let i = 0; i < all.length; i += CHUNK) {
    const chunk = JSON.stringify(all.slice(i, i + CHUNK));
    await tx.execute(sql`
      insert into events (at, type, actor_user_id, organisation_id, region_id, location_id, unit_id,
                          audience_roles, audience_organisations, audience_regions, data)
      select (e->>'at')::timestamptz, 'unit.updated', null,
             (e->'unit'->>'organisationId')::int, (e->'unit'->>'regionId')::int,
             (e->'unit'->>'locationId')::int, (e->'unit'->>'id')::int,
             ${sql.raw(`'{${unitLevelRoles.join(',')}}'`)}::role[], '{}',
             array[(e->'unit'->>'regionId')::int],
             jsonb_build_object('unit', e->'unit', 'before', e->'before')
      from jsonb_array_elements(${chunk}::jsonb) with ordinality as x(e, n)
      order by n`);
  }
  // The row's version is its last event's: the next change continues the count.
  for (let i = 0; i < versions.length; i += CHUNK) {
    const values = sql.join(
      versions.slice(i, i + CHUNK).map(([id, v]) => sql`(${id}::int, ${v}::int)`),
      sql`, `,
    );
    await tx.execute(
      sql`update units set version = x.v from (values ${values}) as x(id, v) where units.id = x.id`,
    );
  }
  // Placement requests over the same months: a stream of its own, so the units' history
  // stays as it was.
  const requests = await seedRequestHistory(
    tx,
    createRandom(Math.floor(rnd.next() * 2 ** 32)),
    now,
    rows,
  );
  return { events: all.length, requests };
}

/**
 * Requests per region and day for each unit of the region: about 6 a day nationally for
 * the demo's 1,024 units, fewer in summer, more in winter (the season of the unit history).
 */
const REQUESTS_PER_UNIT_DAY = 0.006;
/** Escalation ladders in minutes, as the server's defaults (PLACEMENT_ESCALATION_*). */
const LADDERS = { urgent: [30, 60, 120], regular: [240, 1440] };
/** Request details are deleted this long after the end (PLACEMENT_RETENTION_DAYS). */
const RETENTION_DAYS = 30;
/**
 * Minutes from request to accepted offer: log-normal around a median per urgency; a code
 * rood is placed within the hour, a regular request within a day. Those that would take
 * longer than the answer window (RESPOND_WITHIN_MINUTES) expire instead.
 */
const PLACEMENT_MEDIAN_MINUTES: Record<Urgency, number> = {
  code_rood: 40,
  acuut: 150,
  regulier: 900,
};
const MINUTE = 60_000;

function gaussian(rnd: Random): number {
  return Math.sqrt(-2 * Math.log(1 - rnd.next())) * Math.cos(2 * Math.PI * rnd.next());
}

interface SeedRequest {
  id: number;
  offerId: number | null;
  organisationId: number;
  originRegionId: number;
  kind: UnitKind;
  urgency: Urgency;
  household: HouseholdProfile | null;
  unsafe: number[] | null;
  audience: number[];
  respondBy: string;
  ladder: number[];
  level: number;
  status: 'open' | 'arrived' | 'closed' | 'cancelled' | 'expired';
  outcome: string | null;
  createdAt: string;
  destinationRegionId: number | null;
  placedAt: string | null;
  arrivedAt: string | null;
  endedAt: string | null;
  detailsDeletedAt: string | null;
  offer: { organisationId: number; unitId: number } | null;
  nonPlacement: NonPlacementReason | null;
}

type HistoryUnit = { id: number; organisationId: number; regionId: number; kind: UnitKind };

/**
 * 18 months of bovenregionale placement requests (issue 11), so Druk's median time to
 * placement and the monitor's herkomst show real shapes: most placed in another region
 * after an escalation or two, some expired or closed as a niet-plaatsing (with its record),
 * some to an alternative. Rows only, as the tables keep them after the fact (details of
 * requests ended more than the retention time ago deleted); inserted in bulk.
 */
async function seedRequestHistory(
  tx: Tx,
  rnd: Random,
  now: Date,
  unitRows: readonly HistoryUnit[],
): Promise<number> {
  const byRegion = new Map<number, HistoryUnit[]>();
  for (const u of unitRows) {
    const list = byRegion.get(u.regionId);
    if (list) list.push(u);
    else byRegion.set(u.regionId, [u]);
  }
  const regionIds = [...byRegion.keys()].sort((a, b) => a - b);
  if (regionIds.length < 2) return 0;
  // Who receives a request, by the service's rule (placement-service create): every
  // organisation with a location in a region the household is safe in. Never one only in
  // an unsafe region (privacy, DOMAIN.md).
  const presence = (await tx.execute(
    sql`select distinct organisation_id::int as org, region_id::int as region from locations`,
  )) as unknown as { rows: Array<{ org: number; region: number }> };
  const audienceCache = new Map<string, number[]>();
  const audienceOf = (unsafe: readonly number[]) => {
    const key = unsafe.join(',');
    let orgs = audienceCache.get(key);
    if (!orgs) {
      const excluded = new Set(unsafe);
      orgs = [
        ...new Set(presence.rows.filter((p) => !excluded.has(p.region)).map((p) => p.org)),
      ].sort((a, b) => a - b);
      audienceCache.set(key, orgs);
    }
    return orgs;
  };
  const pick = <T>(list: readonly T[]) => list[rnd.int(0, list.length - 1)]!;
  const iso = (ms: number) => new Date(ms).toISOString();
  const start = now.getTime() - HISTORY_DAYS * DAY;
  const all: SeedRequest[] = [];

  for (let day = start; day < now.getTime(); day += DAY) {
    for (const origin of regionIds) {
      const local = byRegion.get(origin)!;
      const mean = local.length * REQUESTS_PER_UNIT_DAY * (2 - seasonFactor(day));
      for (let n = rnd.poisson(mean); n > 0; n--) {
        const created = day + rnd.next() * DAY;
        if (created >= now.getTime() - MINUTE) continue;
        const requester = pick(local);
        const kind = requester.kind;
        const urgency = rnd.weighted<Urgency>([
          ['code_rood', 0.12],
          ['acuut', 0.5],
          ['regulier', 0.38],
        ]);
        const ladder = urgency === 'regulier' ? LADDERS.regular : LADDERS.urgent;
        const window = RESPOND_WITHIN_MINUTES[urgency];
        const unsafe = rnd.chance(0.45) ? [origin] : [];
        const men = rnd.chance(0.08);
        const household: HouseholdProfile = {
          adults: [{ gender: men ? 'm' : 'v' }],
          children: men
            ? []
            : Array.from(
                {
                  length: rnd.weighted([
                    [0, 0.4],
                    [1, 0.3],
                    [2, 0.2],
                    [3, 0.1],
                  ]),
                },
                () => rnd.int(0, 17),
              ),
        };
        const minutes = PLACEMENT_MEDIAN_MINUTES[urgency] * Math.exp(0.9 * gaussian(rnd));
        const r: SeedRequest = {
          id: 0,
          offerId: null,
          organisationId: requester.organisationId,
          originRegionId: origin,
          kind,
          urgency,
          household,
          unsafe,
          audience: audienceOf(unsafe),
          respondBy: iso(created + window * MINUTE),
          ladder,
          level: 0,
          status: 'open',
          outcome: null,
          createdAt: iso(created),
          destinationRegionId: null,
          placedAt: null,
          arrivedAt: null,
          endedAt: null,
          detailsDeletedAt: null,
          offer: null,
          nonPlacement: null,
        };
        const placed = rnd.chance(0.82) && minutes < window;
        let ended: number;
        if (placed) {
          // Mostly elsewhere: a request is made because the own region has no fitting place.
          const away = unsafe.length > 0 || rnd.chance(0.75);
          const regions = away ? regionIds.filter((id) => id !== origin) : [origin];
          const destination = pick(regions);
          const there = byRegion.get(destination)!;
          const sameKind = there.filter((u) => u.kind === kind);
          const unit = pick(sameKind.length > 0 ? sameKind : there);
          const placedAt = created + minutes * MINUTE;
          ended = placedAt + (30 + rnd.exponential(180)) * MINUTE;
          // Placed but not yet there: arrived just now (a reserved unit would need a unit
          // change); not yet placed: still open, its answer window still running.
          if (placedAt < now.getTime() - 2 * MINUTE)
            ended = Math.min(ended, now.getTime() - MINUTE);
          if (ended >= now.getTime()) {
            r.level = ladder.filter((m) => created + m * MINUTE <= now.getTime()).length;
            all.push(r);
            continue;
          }
          r.destinationRegionId = destination;
          r.offer = { organisationId: unit.organisationId, unitId: unit.id };
          r.placedAt = iso(placedAt);
          r.arrivedAt = iso(ended);
          r.status = 'arrived';
          r.outcome = 'placed';
          r.level = ladder.filter((m) => m <= minutes).length;
        } else if (minutes >= window || rnd.chance(0.3)) {
          // Nobody could offer a place in time.
          ended = created + window * MINUTE;
          r.status = 'expired';
          r.outcome = 'expired';
          r.level = ladder.length;
          if (rnd.chance(0.5)) r.nonPlacement = 'full';
        } else {
          ended = created + Math.min(window, 20 + rnd.exponential(window / 3)) * MINUTE;
          const outcome = rnd.weighted([
            ['niet_plaatsing', 0.35],
            ['hotel', 0.2],
            ['vakantiepark', 0.08],
            ['cancelled', 0.22],
            ['not_needed', 0.15],
          ] as const);
          r.status = outcome === 'cancelled' ? 'cancelled' : 'closed';
          r.outcome = outcome;
          r.level = ladder.filter((m) => created + m * MINUTE <= ended).length;
          if (outcome === 'niet_plaatsing')
            r.nonPlacement = rnd.weighted<NonPlacementReason>([
              ['full', 0.55],
              ['no_fit', 0.2],
              ['not_safe', 0.1],
              ['declined_by_household', 0.05],
              ['other', 0.1],
            ]);
        }
        if (ended >= now.getTime()) {
          // Still running: open, at the escalation step it has reached.
          r.status = 'open';
          r.outcome = null;
          r.nonPlacement = null;
          r.level = ladder.filter((m) => created + m * MINUTE <= now.getTime()).length;
          all.push(r);
          continue;
        }
        r.endedAt = iso(ended);
        if (ended <= now.getTime() - RETENTION_DAYS * DAY) {
          r.household = null;
          r.unsafe = null;
          r.detailsDeletedAt = iso(ended + RETENTION_DAYS * DAY);
        }
        all.push(r);
      }
    }
  }
  all.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  // Ids given here, after any rows already there, so the accepted offer, the reference and
  // the niet-plaatsing are written with their rows: no statement reads back what another wrote.
  const maxId = async (table: string) =>
    Number(
      (
        (await tx.execute(
          sql`select coalesce(max(id), 0)::int as n from ${sql.raw(table)}`,
        )) as unknown as {
          rows: Array<{ n: number }>;
        }
      ).rows[0]!.n,
    );
  const firstRequest = (await maxId('placement_requests')) + 1;
  let nextOffer = (await maxId('placement_offers')) + 1;
  const offers: Array<{
    id: number;
    requestId: number;
    organisationId: number;
    unitId: number;
    at: string;
  }> = [];
  all.forEach((r, i) => {
    r.id = firstRequest + i;
    if (r.offer) {
      r.offerId = nextOffer++;
      offers.push({ id: r.offerId, requestId: r.id, ...r.offer, at: r.placedAt! });
    }
  });
  const nonPlacementRows = all.filter((r) => r.nonPlacement !== null);

  // Arrays as Postgres literals ('{30,60,120}'), cast once instead of unpacked per row.
  const pgArray = (xs: readonly number[] | null) => (xs === null ? null : `{${xs.join(',')}}`);
  const requestRows = all.map((r) => ({
    ...r,
    unsafe: pgArray(r.unsafe),
    audience: pgArray(r.audience),
    ladder: pgArray(r.ladder),
  }));
  const rowsOf = (chunk: unknown[]) =>
    sql`jsonb_array_elements(${JSON.stringify(chunk)}::jsonb) with ordinality as x(e, n)`;
  for (let i = 0; i < all.length; i += CHUNK) {
    // PV-2025-0042: the year of the request (Amsterdam) and its id, as the service gives them.
    await tx.execute(sql`
      insert into placement_requests (id, reference, organisation_id, origin_region_id, kind,
        urgency, household, unsafe_region_ids, preferred_region_ids, audience_organisation_ids,
        respond_by, escalation_minutes, escalation_level, status, outcome, accepted_offer_id,
        destination_region_id, created_at, placed_at, arrived_at, ended_at, details_deleted_at)
      select (e->>'id')::int,
        'PV-' || to_char((e->>'createdAt')::timestamptz at time zone 'Europe/Amsterdam', 'YYYY')
          || '-' || lpad(e->>'id', 4, '0'),
        (e->>'organisationId')::int, (e->>'originRegionId')::int,
        (e->>'kind')::unit_kind, (e->>'urgency')::urgency, nullif(e->'household', 'null'),
        (e->>'unsafe')::int[], case when e->>'unsafe' is null then null else '{}'::int[] end,
        (e->>'audience')::int[], (e->>'respondBy')::timestamptz,
        (e->>'ladder')::int[], (e->>'level')::smallint,
        (e->>'status')::placement_status, (e->>'outcome')::placement_outcome,
        (e->>'offerId')::int, (e->>'destinationRegionId')::int, (e->>'createdAt')::timestamptz,
        (e->>'placedAt')::timestamptz, (e->>'arrivedAt')::timestamptz,
        (e->>'endedAt')::timestamptz, (e->>'detailsDeletedAt')::timestamptz
      from ${rowsOf(requestRows.slice(i, i + CHUNK))} order by n`);
  }
  for (let i = 0; i < offers.length; i += CHUNK) {
    await tx.execute(sql`
      insert into placement_offers (id, request_id, organisation_id, unit_id, status, created_at)
      select (e->>'id')::int, (e->>'requestId')::int, (e->>'organisationId')::int,
        (e->>'unitId')::int, 'accepted', (e->>'at')::timestamptz
      from ${rowsOf(offers.slice(i, i + CHUNK))} order by n`);
  }
  for (let i = 0; i < nonPlacementRows.length; i += CHUNK) {
    await tx.execute(sql`
      insert into non_placements (organisation_id, region_id, kind, urgency, reason, date,
        placement_request_id, created_at)
      select (e->>'organisationId')::int, (e->>'originRegionId')::int, (e->>'kind')::unit_kind,
        (e->>'urgency')::urgency, (e->>'nonPlacement')::non_placement_reason,
        ((e->>'endedAt')::timestamptz at time zone 'Europe/Amsterdam')::date, (e->>'id')::int,
        (e->>'endedAt')::timestamptz
      from ${rowsOf(nonPlacementRows.slice(i, i + CHUNK))} order by n`);
  }
  // The next request or offer the service makes follows on these.
  await tx.execute(sql`select setval(pg_get_serial_sequence('placement_requests', 'id'),
    greatest((select max(id) from placement_requests), 1))`);
  await tx.execute(sql`select setval(pg_get_serial_sequence('placement_offers', 'id'),
    greatest((select max(id) from placement_offers), 1))`);
  return all.length;
}
