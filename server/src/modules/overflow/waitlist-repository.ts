import { randomUUID } from 'node:crypto';
import { and, asc, eq, gte, or, sql, type SQL } from 'drizzle-orm';
import { nonPlacements, organisations, waitlistEntries, type Executor } from '@opvangatlas/db';
import type { HouseholdProfile, NonPlacement, WaitlistEntry } from '@opvangatlas/shared';

type EntryRow = typeof waitlistEntries.$inferSelect;

/** Inserts a waitlist entry; its reference (WL-2026-0003) follows from its id. */
export async function insertEntry(
  ex: Executor,
  row: Omit<typeof waitlistEntries.$inferInsert, 'id' | 'reference' | 'createdAt' | 'version'>,
  now: Date,
  year: string,
): Promise<number> {
  const [inserted] = await ex
    .insert(waitlistEntries)
    .values({ ...row, reference: `tmp-${randomUUID()}`, createdAt: now })
    .returning({ id: waitlistEntries.id });
  const id = inserted!.id;
  await ex
    .update(waitlistEntries)
    .set({ reference: `WL-${year}-${String(id).padStart(4, '0')}` })
    .where(eq(waitlistEntries.id, id));
  return id;
}

export async function lockEntry(ex: Executor, id: number): Promise<EntryRow | undefined> {
  const [row] = await ex
    .select()
    .from(waitlistEntries)
    .where(eq(waitlistEntries.id, id))
    .for('update');
  return row;
}

export async function updateEntry(
  ex: Executor,
  id: number,
  changes: Partial<typeof waitlistEntries.$inferInsert>,
): Promise<void> {
  await ex
    .update(waitlistEntries)
    .set({ ...changes, version: sql`${waitlistEntries.version} + 1` })
    .where(eq(waitlistEntries.id, id));
}

export async function loadEntries(ex: Executor, where: SQL | undefined): Promise<WaitlistEntry[]> {
  const rows = await ex
    .select({ e: waitlistEntries, organisationName: organisations.name })
    .from(waitlistEntries)
    .innerJoin(organisations, eq(organisations.id, waitlistEntries.organisationId))
    .where(where)
    .orderBy(asc(waitlistEntries.id));
  return rows.map(({ e, organisationName }) => ({
    id: e.id,
    reference: e.reference,
    organisationId: e.organisationId,
    organisationName,
    regionId: e.regionId,
    kind: e.kind,
    urgency: e.urgency,
    household: e.household as HouseholdProfile,
    waitingSince: e.waitingSince,
    status: e.status,
    endDate: e.endDate,
    daysWaited: e.daysWaited,
    placementRequestId: e.placementRequestId,
    overflowRegistrationId: e.overflowRegistrationId,
    createdAt: e.createdAt.toISOString(),
    version: e.version,
  }));
}

export async function loadEntry(ex: Executor, id: number): Promise<WaitlistEntry | undefined> {
  const [e] = await loadEntries(ex, eq(waitlistEntries.id, id));
  return e;
}

/** Households waiting, and those that left on or after `since` (a date). */
export function entriesSince(
  since: string,
  filter: { regionId?: number; organisationId?: number } = {},
): SQL {
  return and(
    or(eq(waitlistEntries.status, 'waiting'), gte(waitlistEntries.endDate, since)),
    filter.regionId === undefined ? undefined : eq(waitlistEntries.regionId, filter.regionId),
    filter.organisationId === undefined
      ? undefined
      : eq(waitlistEntries.organisationId, filter.organisationId),
  )!;
}

export async function insertNonPlacement(
  ex: Executor,
  row: Omit<typeof nonPlacements.$inferInsert, 'id' | 'createdAt'>,
  now: Date,
): Promise<number> {
  const [inserted] = await ex
    .insert(nonPlacements)
    .values({ ...row, createdAt: now })
    .returning({ id: nonPlacements.id });
  return inserted!.id;
}

export async function loadNonPlacements(
  ex: Executor,
  where: SQL | undefined,
): Promise<NonPlacement[]> {
  const rows = await ex
    .select({ n: nonPlacements, organisationName: organisations.name })
    .from(nonPlacements)
    .innerJoin(organisations, eq(organisations.id, nonPlacements.organisationId))
    .where(where)
    .orderBy(asc(nonPlacements.id));
  return rows.map(({ n, organisationName }) => ({
    id: n.id,
    organisationId: n.organisationId,
    organisationName,
    regionId: n.regionId,
    kind: n.kind,
    urgency: n.urgency,
    reason: n.reason,
    date: n.date,
    placementRequestId: n.placementRequestId,
    createdAt: n.createdAt.toISOString(),
  }));
}

export async function loadNonPlacement(
  ex: Executor,
  id: number,
): Promise<NonPlacement | undefined> {
  const [n] = await loadNonPlacements(ex, eq(nonPlacements.id, id));
  return n;
}

/** Niet-plaatsingen on or after `since` (a date), of one region or organisation when given. */
export function nonPlacementsSince(
  since: string,
  filter: { regionId?: number; organisationId?: number } = {},
): SQL {
  return and(
    gte(nonPlacements.date, since),
    filter.regionId === undefined ? undefined : eq(nonPlacements.regionId, filter.regionId),
    filter.organisationId === undefined
      ? undefined
      : eq(nonPlacements.organisationId, filter.organisationId),
  )!;
}

export async function nonPlacementForRequest(ex: Executor, requestId: number) {
  const [row] = await ex
    .select({ id: nonPlacements.id })
    .from(nonPlacements)
    .where(eq(nonPlacements.placementRequestId, requestId));
  return row;
}
