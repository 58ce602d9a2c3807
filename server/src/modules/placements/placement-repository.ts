import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import {
  locations,
  organisations,
  placementOffers,
  placementRequests,
  placementResponses,
  regions,
  units,
  users,
  type Executor,
} from '@opvangatlas/db';
import type {
  DeclineReason,
  HouseholdProfile,
  Needs,
  PlacementRequest,
  PlacementStatus,
} from '@opvangatlas/shared';

type RequestRow = typeof placementRequests.$inferSelect;
export type NewRequestRow = Omit<
  typeof placementRequests.$inferInsert,
  'id' | 'reference' | 'createdAt' | 'version'
>;

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Inserts a request; its reference (PV-2026-0042) follows from its id. */
export async function insertRequest(ex: Executor, row: NewRequestRow, now: Date): Promise<number> {
  const [inserted] = await ex
    .insert(placementRequests)
    .values({ ...row, reference: `tmp-${randomUUID()}`, createdAt: now })
    .returning({ id: placementRequests.id });
  const id = inserted!.id;
  await ex
    .update(placementRequests)
    .set({ reference: `PV-${now.getFullYear()}-${String(id).padStart(4, '0')}` })
    .where(eq(placementRequests.id, id));
  return id;
}

/**
 * Locks the request's row for the rest of the transaction. Every workflow step takes this
 * lock first, before any unit, so two steps on one request (an accept racing a withdrawal
 * or the expiry) run one after the other and never deadlock (for changes that share a
 * transaction, see change-runner.ts).
 */
export async function lockRequest(ex: Executor, id: number): Promise<RequestRow | undefined> {
  const [row] = await ex
    .select()
    .from(placementRequests)
    .where(eq(placementRequests.id, id))
    .for('update');
  return row;
}

export async function updateRequest(
  ex: Executor,
  id: number,
  changes: Partial<typeof placementRequests.$inferInsert>,
): Promise<void> {
  await ex
    .update(placementRequests)
    .set({ ...changes, version: sql`${placementRequests.version} + 1` })
    .where(eq(placementRequests.id, id));
}

/** Sets the fields only while the request is still in `status`; whether it was. */
export async function updateRequestIf(
  ex: Executor,
  id: number,
  expect: { status?: PlacementStatus; escalationLevel?: number; claimedByUserId?: number | null },
  changes: Partial<typeof placementRequests.$inferInsert>,
): Promise<boolean> {
  const rows = await ex
    .update(placementRequests)
    .set({ ...changes, version: sql`${placementRequests.version} + 1` })
    .where(
      and(
        eq(placementRequests.id, id),
        expect.status === undefined ? undefined : eq(placementRequests.status, expect.status),
        expect.escalationLevel === undefined
          ? undefined
          : eq(placementRequests.escalationLevel, expect.escalationLevel),
        expect.claimedByUserId === undefined
          ? undefined
          : expect.claimedByUserId === null
            ? isNull(placementRequests.claimedByUserId)
            : eq(placementRequests.claimedByUserId, expect.claimedByUserId),
      ),
    )
    .returning({ id: placementRequests.id });
  return rows.length === 1;
}

export async function insertOffer(
  ex: Executor,
  offer: {
    requestId: number;
    organisationId: number;
    unitId: number;
    quotaWarning: boolean;
    userId: number;
  },
  now: Date,
): Promise<number> {
  const [row] = await ex
    .insert(placementOffers)
    .values({
      requestId: offer.requestId,
      organisationId: offer.organisationId,
      unitId: offer.unitId,
      quotaWarning: offer.quotaWarning,
      createdByUserId: offer.userId,
      createdAt: now,
    })
    .returning({ id: placementOffers.id });
  return row!.id;
}

export async function setOfferStatus(
  ex: Executor,
  ids: number[],
  status: 'withdrawn' | 'accepted' | 'released',
): Promise<void> {
  if (ids.length === 0) return;
  await ex.update(placementOffers).set({ status }).where(inArray(placementOffers.id, ids));
}

/** Records that a VO saw the request, once; whether this was the first time. */
export async function markSeen(
  ex: Executor,
  requestId: number,
  organisationId: number,
  now: Date,
): Promise<boolean> {
  const rows = await ex
    .insert(placementResponses)
    .values({ requestId, organisationId, seenAt: now })
    .onConflictDoUpdate({
      target: [placementResponses.requestId, placementResponses.organisationId],
      set: { seenAt: now },
      setWhere: isNull(placementResponses.seenAt),
    })
    .returning({ requestId: placementResponses.requestId });
  return rows.length === 1;
}

export async function markDeclined(
  ex: Executor,
  requestId: number,
  organisationId: number,
  reason: DeclineReason,
  now: Date,
): Promise<void> {
  await ex
    .insert(placementResponses)
    .values({ requestId, organisationId, seenAt: now, declinedAt: now, declineReason: reason })
    .onConflictDoUpdate({
      target: [placementResponses.requestId, placementResponses.organisationId],
      set: {
        declinedAt: now,
        declineReason: reason,
        seenAt: sql`coalesce(${placementResponses.seenAt}, ${now.toISOString()}::timestamptz)`,
      },
    });
}

/** The organisations with at least one location in one of these regions. */
export async function organisationsInRegions(ex: Executor, regionIds: number[]): Promise<number[]> {
  if (regionIds.length === 0) return [];
  const rows = await ex
    .selectDistinct({ id: locations.organisationId })
    .from(locations)
    .where(inArray(locations.regionId, regionIds));
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

export async function findQuota(ex: Executor, regionId: number) {
  const [row] = await ex
    .select({ percent: regions.quotaOutOfRegionPercent, mode: regions.quotaMode })
    .from(regions)
    .where(eq(regions.id, regionId));
  return row;
}

export async function setQuota(
  ex: Executor,
  regionId: number,
  quota: { percent: number | null; mode: 'warn' | 'block' },
): Promise<boolean> {
  const rows = await ex
    .update(regions)
    .set({ quotaOutOfRegionPercent: quota.percent, quotaMode: quota.mode })
    .where(eq(regions.id, regionId))
    .returning({ id: regions.id });
  return rows.length === 1;
}

/**
 * Crisis capacity of a region and how much of it households from other regions take now
 * (herkomst of current occupants and reservations), for the quota (seed 004).
 */
export async function crisisOccupancyByOrigin(ex: Executor, regionId: number) {
  const [row] = await ex
    .select({
      capacity: sql<number>`count(*)::int`,
      fromElsewhere: sql<number>`count(*) filter (where ${units.status} in ('occupied', 'reserved') and ${units.originRegionId} is not null and ${units.originRegionId} <> ${regionId})::int`,
    })
    .from(units)
    .innerJoin(locations, eq(locations.id, units.locationId))
    .where(
      and(
        eq(locations.regionId, regionId),
        eq(units.kind, 'crisis'),
        ne(units.status, 'out_of_service'),
      ),
    );
  return { capacity: row?.capacity ?? 0, fromElsewhere: row?.fromElsewhere ?? 0 };
}

/** Open requests whose next escalation step is due. */
export async function listDueEscalations(ex: Executor, now: Date) {
  return ex
    .select({ id: placementRequests.id, level: placementRequests.escalationLevel })
    .from(placementRequests)
    .where(
      and(
        eq(placementRequests.status, 'open'),
        sql`${placementRequests.escalationLevel} < cardinality(${placementRequests.escalationMinutes})`,
        sql`${placementRequests.createdAt} + make_interval(mins => ${placementRequests.escalationMinutes}[${placementRequests.escalationLevel} + 1]) <= ${now.toISOString()}::timestamptz`,
      ),
    );
}

export async function listExpired(ex: Executor, now: Date): Promise<number[]> {
  const rows = await ex
    .select({ id: placementRequests.id })
    .from(placementRequests)
    .where(and(eq(placementRequests.status, 'open'), lte(placementRequests.respondBy, now)));
  return rows.map((r) => r.id);
}

/**
 * Data minimisation: the household, needs, note and region lists of requests that ended
 * before `before` are deleted. Events never held them (placement-live.ts, storedData), so
 * the append-only log keeps who did what and when, and nothing personal. Returns the ids.
 */
export async function deleteEndedDetails(ex: Executor, before: Date, now: Date): Promise<number[]> {
  const rows = await ex
    .update(placementRequests)
    .set({
      household: null,
      needs: null,
      note: null,
      unsafeRegionIds: null,
      preferredRegionIds: null,
      detailsDeletedAt: now,
    })
    .where(
      and(
        isNotNull(placementRequests.endedAt),
        lte(placementRequests.endedAt, before),
        isNull(placementRequests.detailsDeletedAt),
      ),
    )
    .returning({ id: placementRequests.id });
  return rows.map((r) => r.id);
}

/** The deletable details of requests, for events read back from the table. */
export async function loadRequestDetails(ex: Executor, ids: number[]) {
  if (ids.length === 0) return new Map<number, Partial<PlacementRequest>>();
  const rows = await ex
    .select({
      id: placementRequests.id,
      household: placementRequests.household,
      needs: placementRequests.needs,
      note: placementRequests.note,
      unsafeRegionIds: placementRequests.unsafeRegionIds,
      preferredRegionIds: placementRequests.preferredRegionIds,
    })
    .from(placementRequests)
    .where(inArray(placementRequests.id, ids));
  return new Map(
    rows.map((r) => [
      r.id,
      {
        household: (r.household as HouseholdProfile | null) ?? null,
        needs: (r.needs as Needs | null) ?? null,
        note: r.note,
        unsafeRegionIds: r.unsafeRegionIds,
        preferredRegionIds: r.preferredRegionIds ?? [],
      } satisfies Partial<PlacementRequest>,
    ]),
  );
}

/** Requests the live view keeps: in play, or ended less than `recentSince` ago. */
export async function listLiveRequestIds(ex: Executor, recentSince: Date): Promise<number[]> {
  const rows = await ex
    .select({ id: placementRequests.id })
    .from(placementRequests)
    .where(or(isNull(placementRequests.endedAt), gt(placementRequests.endedAt, recentSince)))
    .orderBy(asc(placementRequests.id));
  return rows.map((r) => r.id);
}

export interface FullRequest {
  request: PlacementRequest;
  /** Who may see it: the requesting VO and these. */
  audienceOrganisationIds: number[];
  destinationRegionId: number | null;
}

/** Requests with their offers, answers and names, as the requester sees them. */
export async function loadRequests(ex: Executor, ids: number[]): Promise<FullRequest[]> {
  if (ids.length === 0) return [];
  const rows = await ex
    .select({
      r: placementRequests,
      organisationName: organisations.name,
      claimedByName: users.displayName,
    })
    .from(placementRequests)
    .innerJoin(organisations, eq(organisations.id, placementRequests.organisationId))
    .leftJoin(users, eq(users.id, placementRequests.claimedByUserId))
    .where(inArray(placementRequests.id, ids))
    .orderBy(asc(placementRequests.id));
  const offerRows = await ex
    .select({
      o: placementOffers,
      organisationName: organisations.name,
      regionId: locations.regionId,
      locationName: locations.name,
    })
    .from(placementOffers)
    .innerJoin(organisations, eq(organisations.id, placementOffers.organisationId))
    .innerJoin(units, eq(units.id, placementOffers.unitId))
    .innerJoin(locations, eq(locations.id, units.locationId))
    .where(inArray(placementOffers.requestId, ids))
    .orderBy(asc(placementOffers.id));
  const responseRows = await ex
    .select({ p: placementResponses, organisationName: organisations.name })
    .from(placementResponses)
    .innerJoin(organisations, eq(organisations.id, placementResponses.organisationId))
    .where(inArray(placementResponses.requestId, ids))
    .orderBy(asc(placementResponses.organisationId));
  return rows.map(({ r, organisationName, claimedByName }) => ({
    audienceOrganisationIds: r.audienceOrganisationIds,
    destinationRegionId: r.destinationRegionId,
    request: {
      id: r.id,
      reference: r.reference,
      organisationId: r.organisationId,
      organisationName,
      originRegionId: r.originRegionId,
      kind: r.kind,
      urgency: r.urgency,
      household: (r.household as HouseholdProfile | null) ?? null,
      needs: (r.needs as Needs | null) ?? null,
      note: r.note,
      unsafeRegionIds: r.unsafeRegionIds,
      preferredRegionIds: r.preferredRegionIds ?? [],
      respondBy: r.respondBy.toISOString(),
      createdAt: r.createdAt.toISOString(),
      status: r.status,
      outcome: r.outcome,
      escalation: { level: r.escalationLevel, ladderMinutes: r.escalationMinutes },
      claimedBy:
        r.claimedByUserId === null
          ? null
          : { userId: r.claimedByUserId, name: claimedByName ?? '' },
      acceptedOfferId: r.acceptedOfferId,
      arrivedAt: iso(r.arrivedAt),
      departedAt: iso(r.departedAt),
      endedAt: iso(r.endedAt),
      offers: offerRows
        .filter(({ o }) => o.requestId === r.id)
        .map(({ o, organisationName: name, regionId, locationName }) => ({
          id: o.id,
          organisationId: o.organisationId,
          organisationName: name,
          unitId: o.unitId,
          regionId,
          locationName,
          status: o.status,
          quotaWarning: o.quotaWarning,
          at: o.createdAt.toISOString(),
        })),
      responses: responseRows
        .filter(({ p }) => p.requestId === r.id)
        .map(({ p, organisationName: name }) => ({
          organisationId: p.organisationId,
          organisationName: name,
          seenAt: iso(p.seenAt),
          declinedAt: iso(p.declinedAt),
          declineReason: p.declineReason,
        })),
      swapUnitId: r.swapUnitId,
      version: r.version,
    },
  }));
}
