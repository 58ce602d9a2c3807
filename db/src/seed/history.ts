import { asc, eq, sql } from 'drizzle-orm';
import { unitLevelRoles, type Unit, type UnitKind, type UnitStatus } from '@opvangatlas/shared';
import type { Tx } from '../client';
import { locations, units } from '../schema/index';
import type { Random } from './random';

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
): Promise<{ events: number }> {
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
  return { events: all.length };
}
