import { and, asc, eq, inArray, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { locations, organisations, units, type Executor } from '@opvangatlas/db';
import type { Unit, UnitQuery } from '@opvangatlas/shared';

const unitColumns = {
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
  heldUntil: units.heldUntil,
  heldByOrganisationId: units.heldByOrganisationId,
  heldByUserId: units.heldByUserId,
  holdExtensions: units.holdExtensions,
  heldForRequestId: units.heldForRequestId,
  placementRequestId: units.placementRequestId,
  originRegionId: units.originRegionId,
  householdAdults: units.householdAdults,
  householdChildren: units.householdChildren,
  version: units.version,
};

export type UnitRow = Awaited<ReturnType<typeof selectUnits>>[number];

/** The full state, household included; callers strip what the viewer may not see. */
export function toUnit(row: UnitRow): Unit {
  return {
    id: row.id,
    locationId: row.locationId,
    organisationId: row.organisationId,
    regionId: row.regionId,
    kind: row.kind,
    label: row.label,
    maxPersons: row.maxPersons,
    mannenopvang: row.mannenopvang,
    wheelchair: row.wheelchair,
    largeFamily: row.largeFamily,
    status: row.status,
    since: row.since.toISOString(),
    heldUntil: row.heldUntil?.toISOString() ?? null,
    heldByOrganisationId: row.heldByOrganisationId,
    holdExtensions: row.holdExtensions,
    heldForRequestId: row.heldForRequestId,
    household:
      row.householdAdults === null || row.householdChildren === null
        ? null
        : { adults: row.householdAdults, children: row.householdChildren },
    version: row.version,
  };
}

function selectUnits(ex: Executor, where?: SQL) {
  return ex
    .select(unitColumns)
    .from(units)
    .innerJoin(locations, eq(locations.id, units.locationId))
    .where(where)
    .orderBy(asc(units.id));
}

export async function findUnit(ex: Executor, id: number): Promise<UnitRow | undefined> {
  const [row] = await selectUnits(ex, eq(units.id, id));
  return row;
}

export async function listUnits(
  ex: Executor,
  filter: UnitQuery & { locationId?: number } = {},
): Promise<UnitRow[]> {
  return selectUnits(
    ex,
    and(
      filter.kind ? eq(units.kind, filter.kind) : undefined,
      filter.status ? eq(units.status, filter.status) : undefined,
      filter.regionId ? eq(locations.regionId, filter.regionId) : undefined,
      filter.locationId ? eq(units.locationId, filter.locationId) : undefined,
    ),
  );
}

export type UnitChanges = Partial<
  Pick<
    typeof units.$inferInsert,
    | 'status'
    | 'since'
    | 'heldUntil'
    | 'heldByOrganisationId'
    | 'heldByUserId'
    | 'holdExtensions'
    | 'householdAdults'
    | 'householdChildren'
    | 'heldForRequestId'
    | 'placementRequestId'
    | 'originRegionId'
  >
>;

/**
 * Applies changes only if the row still matches `expect` (a version, a status or both) and
 * returns the unit as it is now, or undefined when it did not match. Postgres re-checks the
 * condition after waiting for a concurrent writer's row lock, so of many simultaneous
 * writers exactly one gets a row back: no double booking. A unit never changes location,
 * so the organisation and region come from the row read before.
 */
export async function updateUnitIf(
  ex: Executor,
  before: Pick<UnitRow, 'id' | 'organisationId' | 'regionId'>,
  expect: { version?: number; status?: Unit['status']; heldUntilBefore?: Date },
  changes: UnitChanges,
): Promise<UnitRow | undefined> {
  const { organisationId: _o, regionId: _r, ...columns } = unitColumns;
  const [row] = await ex
    .update(units)
    .set({ ...changes, version: sql`${units.version} + 1` })
    .where(
      and(
        eq(units.id, before.id),
        expect.version === undefined ? undefined : eq(units.version, expect.version),
        expect.status === undefined ? undefined : eq(units.status, expect.status),
        expect.heldUntilBefore === undefined
          ? undefined
          : lte(units.heldUntil, expect.heldUntilBefore),
      ),
    )
    .returning(columns);
  return row && { ...row, organisationId: before.organisationId, regionId: before.regionId };
}

/** The current version of each of these units; a unit that is gone has none. */
export async function unitVersions(ex: Executor, ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows = await ex
    .select({ id: units.id, version: units.version })
    .from(units)
    .where(inArray(units.id, ids));
  return new Map(rows.map((r) => [r.id, r.version]));
}

/**
 * Locks units in ascending id order, the one order every multi-unit change uses, so two
 * changes over the same units (an offer accepted while a swap executes) cannot deadlock.
 * Changes that share a transaction (group commit) hold each other's locks; change-runner.ts
 * bounds their waits instead.
 */
export async function lockUnits(ex: Executor, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await ex
    .select({ id: units.id })
    .from(units)
    .where(inArray(units.id, ids))
    .orderBy(asc(units.id))
    .for('update');
}

/**
 * Holds now held by a user and by its organisation. Locks the organisation's row first, so
 * two holds of one organisation are counted one after the other and a cap cannot be beaten
 * by holding in parallel.
 */
export async function countHolds(
  ex: Executor,
  by: { organisationId: number; userId: number },
): Promise<{ user: number; organisation: number }> {
  await ex
    .select({ id: organisations.id })
    .from(organisations)
    .where(eq(organisations.id, by.organisationId))
    .for('update');
  const [row] = await ex
    .select({
      user: sql<number>`count(*) filter (where ${units.heldByUserId} = ${by.userId})::int`,
      organisation: sql<number>`count(*)::int`,
    })
    .from(units)
    .where(
      and(
        eq(units.status, 'held'),
        eq(units.heldByOrganisationId, by.organisationId),
        // Units offered to a placement request are the request's business, not a hold.
        isNull(units.heldForRequestId),
      ),
    );
  return { user: row?.user ?? 0, organisation: row?.organisation ?? 0 };
}

/** Units whose hold ran out before `now`. */
export async function listExpiredHolds(ex: Executor, now: Date): Promise<number[]> {
  const rows = await ex
    .select({ id: units.id })
    .from(units)
    .where(and(eq(units.status, 'held'), lte(units.heldUntil, now)));
  return rows.map((r) => r.id);
}
