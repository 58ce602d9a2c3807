import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
  organisations,
  overflowRegistrations,
  placementRequests,
  users,
  type Executor,
} from '@opvangatlas/db';
import { voRoles, type OverflowRegistration, type StaffMember } from '@opvangatlas/shared';

type RegistrationRow = typeof overflowRegistrations.$inferSelect;
export type NewRegistrationRow = Omit<
  typeof overflowRegistrations.$inferInsert,
  'id' | 'reference' | 'createdAt' | 'version'
>;

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Inserts a registration; its pseudonymous reference (NR-2026-0012) follows from its id. */
export async function insertRegistration(
  ex: Executor,
  row: NewRegistrationRow,
  now: Date,
  year: string,
): Promise<number> {
  const [inserted] = await ex
    .insert(overflowRegistrations)
    .values({ ...row, reference: `tmp-${randomUUID()}`, createdAt: now })
    .returning({ id: overflowRegistrations.id });
  const id = inserted!.id;
  await ex
    .update(overflowRegistrations)
    .set({ reference: `NR-${year}-${String(id).padStart(4, '0')}` })
    .where(eq(overflowRegistrations.id, id));
  return id;
}

/** Locks the row for the rest of the transaction: check-ins, the end and the sweep queue up. */
export async function lockRegistration(
  ex: Executor,
  id: number,
): Promise<RegistrationRow | undefined> {
  const [row] = await ex
    .select()
    .from(overflowRegistrations)
    .where(eq(overflowRegistrations.id, id))
    .for('update');
  return row;
}

export async function updateRegistration(
  ex: Executor,
  id: number,
  changes: Partial<typeof overflowRegistrations.$inferInsert>,
): Promise<void> {
  await ex
    .update(overflowRegistrations)
    .set({ ...changes, version: sql`${overflowRegistrations.version} + 1` })
    .where(eq(overflowRegistrations.id, id));
}

/**
 * Raises the overdue level only while the stay lasts, is at `from` and its check-in was due
 * by `dueBy`: a check-in or another instance's sweep that came first makes this a no-op.
 */
export async function raiseOverdueIf(
  ex: Executor,
  id: number,
  from: number,
  dueBy: Date,
): Promise<boolean> {
  const rows = await ex
    .update(overflowRegistrations)
    .set({ overdueLevel: from + 1, version: sql`${overflowRegistrations.version} + 1` })
    .where(
      and(
        eq(overflowRegistrations.id, id),
        isNull(overflowRegistrations.endedAt),
        eq(overflowRegistrations.overdueLevel, from),
        lte(overflowRegistrations.nextCheckInAt, dueBy),
      ),
    )
    .returning({ id: overflowRegistrations.id });
  return rows.length === 1;
}

/** Stays at overdue level `level` whose check-in was due by `dueBy`. */
export async function listOverdue(ex: Executor, level: number, dueBy: Date): Promise<number[]> {
  const rows = await ex
    .select({ id: overflowRegistrations.id })
    .from(overflowRegistrations)
    .where(
      and(
        isNull(overflowRegistrations.endedAt),
        eq(overflowRegistrations.overdueLevel, level),
        lte(overflowRegistrations.nextCheckInAt, dueBy),
      ),
    )
    .orderBy(asc(overflowRegistrations.id));
  return rows.map((r) => r.id);
}

const responsible = alias(users, 'responsible');
const checker = alias(users, 'checker');

/** Registrations with their names, oldest first. */
export async function loadRegistrations(
  ex: Executor,
  where: SQL | undefined,
): Promise<OverflowRegistration[]> {
  const rows = await ex
    .select({
      r: overflowRegistrations,
      organisationName: organisations.name,
      responsibleName: responsible.displayName,
      checkerName: checker.displayName,
    })
    .from(overflowRegistrations)
    .innerJoin(organisations, eq(organisations.id, overflowRegistrations.organisationId))
    .innerJoin(responsible, eq(responsible.id, overflowRegistrations.responsibleUserId))
    .leftJoin(checker, eq(checker.id, overflowRegistrations.lastCheckInByUserId))
    .where(where)
    .orderBy(asc(overflowRegistrations.id));
  return rows.map(({ r, organisationName, responsibleName, checkerName }) => ({
    id: r.id,
    reference: r.reference,
    organisationId: r.organisationId,
    organisationName,
    regionId: r.regionId,
    type: r.type,
    startDate: r.startDate,
    expectedEndDate: r.expectedEndDate,
    adults: r.adults,
    children: r.children,
    responsible: { userId: r.responsibleUserId, name: responsibleName },
    checkInIntervalHours: r.checkInIntervalHours,
    lastCheckInAt: iso(r.lastCheckInAt),
    lastCheckInBy:
      r.lastCheckInByUserId === null
        ? null
        : { userId: r.lastCheckInByUserId, name: checkerName ?? '' },
    nextCheckInAt: r.nextCheckInAt.toISOString(),
    overdueLevel: r.overdueLevel,
    status: r.endedAt === null ? 'active' : 'ended',
    endDate: r.endDate,
    outcome: r.outcome,
    outcomeKind: r.outcomeKind,
    outcomeRegionId: r.outcomeRegionId,
    placementRequestId: r.placementRequestId,
    waitlistEntryId: r.waitlistEntryId,
    createdAt: r.createdAt.toISOString(),
    endedAt: iso(r.endedAt),
    version: r.version,
  }));
}

export async function loadRegistration(
  ex: Executor,
  id: number,
): Promise<OverflowRegistration | undefined> {
  const [r] = await loadRegistrations(ex, eq(overflowRegistrations.id, id));
  return r;
}

/** Stays that last, or ended on or after `since` (a date), optionally of one region. */
export function registrationsSince(since: string, regionId?: number): SQL {
  return and(
    or(isNull(overflowRegistrations.endDate), gte(overflowRegistrations.endDate, since)),
    regionId === undefined ? undefined : eq(overflowRegistrations.regionId, regionId),
  )!;
}

/** Stays that last or ended after `endedAfter`, of one organisation when given. */
export function registrationsOnScreen(endedAfter: Date, organisationId?: number): SQL {
  return and(
    or(isNull(overflowRegistrations.endedAt), gte(overflowRegistrations.endedAt, endedAfter)),
    organisationId === undefined
      ? undefined
      : eq(overflowRegistrations.organisationId, organisationId),
  )!;
}

/** VO staff of the organisation: who can be responsible for a stay. */
export async function listStaff(ex: Executor, organisationId: number): Promise<StaffMember[]> {
  const rows = await ex
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(and(eq(users.organisationId, organisationId), inArray(users.role, [...voRoles])))
    .orderBy(asc(users.displayName), asc(users.id));
  return rows;
}

/**
 * The placement request a registration or niet-plaatsing comes from, locked: two
 * registrations for one request queue up, and the second finds the first.
 */
export async function lockPlacementRequest(ex: Executor, id: number) {
  const [row] = await ex
    .select({
      id: placementRequests.id,
      organisationId: placementRequests.organisationId,
      status: placementRequests.status,
      outcome: placementRequests.outcome,
    })
    .from(placementRequests)
    .where(eq(placementRequests.id, id))
    .for('update');
  return row;
}

export async function registrationForRequest(ex: Executor, requestId: number) {
  const [row] = await ex
    .select({ id: overflowRegistrations.id })
    .from(overflowRegistrations)
    .where(eq(overflowRegistrations.placementRequestId, requestId));
  return row;
}
