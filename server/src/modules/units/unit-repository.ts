import { and, asc, eq, lte, sql, type SQL } from 'drizzle-orm';
import { locations, units, type Executor } from '@opvangatlas/db';
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
    | 'householdAdults'
    | 'householdChildren'
  >
>;

/**
 * Applies changes only if the row still matches `expect` (a version, a status or both).
 * Postgres re-checks the condition after waiting for a concurrent writer's row lock, so of
 * many simultaneous writers exactly one gets a row back: no double booking.
 */
export async function updateUnitIf(
  ex: Executor,
  id: number,
  expect: { version?: number; status?: Unit['status']; heldUntilBefore?: Date },
  changes: UnitChanges,
): Promise<boolean> {
  const rows = await ex
    .update(units)
    .set({ ...changes, version: sql`${units.version} + 1` })
    .where(
      and(
        eq(units.id, id),
        expect.version === undefined ? undefined : eq(units.version, expect.version),
        expect.status === undefined ? undefined : eq(units.status, expect.status),
        expect.heldUntilBefore === undefined
          ? undefined
          : lte(units.heldUntil, expect.heldUntilBefore),
      ),
    )
    .returning({ id: units.id });
  return rows.length === 1;
}

/** Units whose hold ran out before `now`. */
export async function listExpiredHolds(ex: Executor, now: Date): Promise<number[]> {
  const rows = await ex
    .select({ id: units.id })
    .from(units)
    .where(and(eq(units.status, 'held'), lte(units.heldUntil, now)));
  return rows.map((r) => r.id);
}
