import { and, asc, eq, gt, inArray, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import {
  locations,
  organisations,
  placementRequests,
  regions,
  swapParties,
  swapProposals,
  units,
  type Executor,
} from '@opvangatlas/db';
import type {
  HouseholdProfile,
  Needs,
  SwapDecision,
  SwapFallReason,
  SwapProposalStatus,
  Urgency,
  UnitKind,
} from '@opvangatlas/shared';
import { ValidationError } from '../../errors';
import { findUnit } from '../units/unit-repository';
import type { FullProposal } from './swap-types';

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * The unit a request offers in exchange must be of the requesting VO, not already promised
 * (reserved, held, out of service) and not named by another request still in play: every
 * unit is in at most one swap.
 */
export async function assertSwapUnit(
  ex: Executor,
  organisationId: number,
  unitId: number,
): Promise<void> {
  const fail = (code: 'swap_unit_not_own' | 'swap_unit_unavailable' | 'swap_unit_taken') => {
    const message = {
      swap_unit_not_own: 'Kies een ruimte van je eigen organisatie',
      swap_unit_unavailable: 'Deze ruimte is al beloofd of buiten gebruik',
      swap_unit_taken: 'Een ander verzoek biedt deze ruimte al aan voor een ruil',
    }[code];
    throw new ValidationError(message, [{ path: 'swapUnitId', code, message }]);
  };
  const unit = await findUnit(ex, unitId);
  if (!unit || unit.organisationId !== organisationId) fail('swap_unit_not_own');
  if (
    unit!.status === 'reserved' ||
    unit!.status === 'out_of_service' ||
    unit!.heldForRequestId !== null
  )
    fail('swap_unit_unavailable');
  const [other] = await ex
    .select({ id: placementRequests.id })
    .from(placementRequests)
    .where(
      and(eq(placementRequests.swapUnitId, unitId), inArray(placementRequests.status, ['open'])),
    )
    .limit(1);
  if (other) fail('swap_unit_taken');
}

/** A request that may take part in a swap, with the unit it gives and that unit's version. */
export interface CandidateRow {
  requestId: number;
  reference: string;
  organisationId: number;
  urgency: Urgency;
  kind: UnitKind;
  household: HouseholdProfile;
  needs: Needs;
  unsafeRegionIds: number[];
  originRegionId: number;
  unit: {
    id: number;
    regionId: number;
    kind: UnitKind;
    maxPersons: number;
    mannenopvang: boolean;
    wheelchair: boolean;
    largeFamily: boolean;
    version: number;
  };
}

/** Ids of requests in an open proposal: they are not proposed again (idempotent recompute). */
function inOpenProposal() {
  return sql`exists (select 1 from ${swapParties} p join ${swapProposals} s on s.id = p.proposal_id where p.request_id = ${placementRequests.id} and s.status = 'open')`;
}

/**
 * Open "ruil mogelijk" requests not in an open proposal, whose unit is still available: not
 * reserved, not held for a request, not out of service.
 */
export async function listCandidates(ex: Executor): Promise<CandidateRow[]> {
  const rows = await ex
    .select({
      r: placementRequests,
      u: units,
      unitRegionId: locations.regionId,
    })
    .from(placementRequests)
    .innerJoin(units, eq(units.id, placementRequests.swapUnitId))
    .innerJoin(locations, eq(locations.id, units.locationId))
    .where(
      and(
        eq(placementRequests.status, 'open'),
        isNotNull(placementRequests.household),
        isNotNull(placementRequests.needs),
        // Still the requesting VO's unit: a location that changed hands gives nothing.
        eq(locations.organisationId, placementRequests.organisationId),
        ne(units.status, 'reserved'),
        ne(units.status, 'out_of_service'),
        isNull(units.heldForRequestId),
        sql`not ${inOpenProposal()}`,
      ),
    )
    .orderBy(asc(placementRequests.id));
  return rows.map(({ r, u, unitRegionId }) => ({
    requestId: r.id,
    reference: r.reference,
    organisationId: r.organisationId,
    urgency: r.urgency,
    kind: r.kind,
    household: r.household as HouseholdProfile,
    needs: r.needs as Needs,
    unsafeRegionIds: r.unsafeRegionIds ?? [],
    originRegionId: r.originRegionId,
    unit: {
      id: u.id,
      regionId: unitRegionId,
      kind: u.kind,
      maxPersons: u.maxPersons,
      mannenopvang: u.mannenopvang,
      wheelchair: u.wheelchair,
      largeFamily: u.largeFamily,
      version: u.version,
    },
  }));
}

export async function listNamedUnitIds(ex: Executor): Promise<number[]> {
  const rows = await ex
    .select({ id: placementRequests.swapUnitId })
    .from(placementRequests)
    .where(and(eq(placementRequests.status, 'open'), isNotNull(placementRequests.swapUnitId)));
  return rows.map((r) => r.id!);
}

export async function regionCentres(ex: Executor) {
  // Ordered: the recompute compares two reads of its input, and row order is not stable.
  return ex
    .select({ id: regions.id, lat: regions.lat, lon: regions.lon })
    .from(regions)
    .orderBy(regions.id);
}

export async function insertProposal(
  ex: Executor,
  proposal: {
    deadline: Date;
    parties: Array<{
      requestId: number;
      organisationId: number;
      givesUnitId: number;
      givesUnitVersion: number;
      receivesUnitId: number;
    }>;
  },
  now: Date,
): Promise<number> {
  const [row] = await ex
    .insert(swapProposals)
    .values({ deadline: proposal.deadline, createdAt: now })
    .returning({ id: swapProposals.id });
  await ex
    .insert(swapParties)
    .values(proposal.parties.map((p, position) => ({ ...p, proposalId: row!.id, position })));
  return row!.id;
}

/** Locks the proposal's row: decisions, execution and the deadline run one after the other. */
export async function lockProposal(ex: Executor, id: number) {
  const [row] = await ex.select().from(swapProposals).where(eq(swapProposals.id, id)).for('update');
  return row;
}

export async function setDecision(
  ex: Executor,
  proposalId: number,
  requestId: number,
  decision: Exclude<SwapDecision, 'pending'>,
  userId: number,
  now: Date,
): Promise<void> {
  await ex
    .update(swapParties)
    .set({ decision, decidedAt: now, decidedByUserId: userId })
    .where(and(eq(swapParties.proposalId, proposalId), eq(swapParties.requestId, requestId)));
}

export async function endProposal(
  ex: Executor,
  id: number,
  status: Exclude<SwapProposalStatus, 'open'>,
  reason: SwapFallReason | null,
  now: Date,
): Promise<void> {
  await ex
    .update(swapProposals)
    .set({ status, reason, endedAt: now, version: sql`${swapProposals.version} + 1` })
    .where(eq(swapProposals.id, id));
}

export async function bumpProposal(ex: Executor, id: number): Promise<void> {
  await ex
    .update(swapProposals)
    .set({ version: sql`${swapProposals.version} + 1` })
    .where(eq(swapProposals.id, id));
}

export async function listOpenProposalIds(ex: Executor): Promise<number[]> {
  const rows = await ex
    .select({ id: swapProposals.id })
    .from(swapProposals)
    .where(eq(swapProposals.status, 'open'))
    .orderBy(asc(swapProposals.id));
  return rows.map((r) => r.id);
}

/** Proposals screens keep: open, or ended after `recentSince`. */
export async function listLiveProposalIds(ex: Executor, recentSince: Date): Promise<number[]> {
  const rows = await ex
    .select({ id: swapProposals.id })
    .from(swapProposals)
    .where(or(eq(swapProposals.status, 'open'), gt(swapProposals.endedAt, recentSince)))
    .orderBy(asc(swapProposals.id));
  return rows.map((r) => r.id);
}

/**
 * Proposals that fell because a party declined or let the deadline pass, while one of their
 * requests is still open: their moves are not proposed again.
 */
export async function listRefusedProposalIds(ex: Executor): Promise<number[]> {
  const rows = await ex
    .selectDistinct({ id: swapProposals.id })
    .from(swapProposals)
    .innerJoin(swapParties, eq(swapParties.proposalId, swapProposals.id))
    .innerJoin(placementRequests, eq(placementRequests.id, swapParties.requestId))
    .where(
      and(
        eq(swapProposals.status, 'fallen'),
        inArray(swapProposals.reason, ['declined', 'expired']),
        eq(placementRequests.status, 'open'),
      ),
    );
  return rows.map((r) => r.id);
}

export async function listOverdueProposalIds(ex: Executor, now: Date): Promise<number[]> {
  const rows = await ex
    .select({ id: swapProposals.id })
    .from(swapProposals)
    .where(
      and(
        eq(swapProposals.status, 'open'),
        sql`${swapProposals.deadline} <= ${now.toISOString()}::timestamptz`,
      ),
    );
  return rows.map((r) => r.id);
}

export async function loadProposals(ex: Executor, ids: number[]): Promise<FullProposal[]> {
  if (ids.length === 0) return [];
  const proposals = await ex
    .select()
    .from(swapProposals)
    .where(inArray(swapProposals.id, ids))
    .orderBy(asc(swapProposals.id));
  const parties = await ex
    .select({
      p: swapParties,
      r: {
        reference: placementRequests.reference,
        urgency: placementRequests.urgency,
        kind: placementRequests.kind,
        originRegionId: placementRequests.originRegionId,
        household: placementRequests.household,
        needs: placementRequests.needs,
        status: placementRequests.status,
        swapUnitId: placementRequests.swapUnitId,
      },
      organisationName: organisations.name,
      unit: { label: units.label, kind: units.kind },
      location: { name: locations.name, regionId: locations.regionId },
    })
    .from(swapParties)
    .innerJoin(placementRequests, eq(placementRequests.id, swapParties.requestId))
    .innerJoin(organisations, eq(organisations.id, swapParties.organisationId))
    .innerJoin(units, eq(units.id, swapParties.givesUnitId))
    .innerJoin(locations, eq(locations.id, units.locationId))
    .where(inArray(swapParties.proposalId, ids))
    .orderBy(asc(swapParties.proposalId), asc(swapParties.position));
  return proposals.map((s) => ({
    id: s.id,
    status: s.status,
    reason: s.reason,
    deadline: s.deadline.toISOString(),
    createdAt: s.createdAt.toISOString(),
    endedAt: iso(s.endedAt),
    version: s.version,
    parties: parties
      .filter(({ p }) => p.proposalId === s.id)
      .map(({ p, r, organisationName, unit, location }) => ({
        requestId: p.requestId,
        reference: r.reference,
        organisationId: p.organisationId,
        organisationName,
        urgency: r.urgency,
        kind: r.kind,
        originRegionId: r.originRegionId,
        household: (r.household as HouseholdProfile | null) ?? null,
        needs: (r.needs as Needs | null) ?? null,
        requestStatus: r.status,
        requestSwapUnitId: r.swapUnitId,
        decision: p.decision,
        decidedAt: iso(p.decidedAt),
        gives: {
          unitId: p.givesUnitId,
          version: p.givesUnitVersion,
          regionId: location.regionId,
          locationName: location.name,
          label: unit.label,
          kind: unit.kind,
        },
      })),
  }));
}

/** The households of requests, for events read back from the table (they never store them). */
export async function loadHouseholds(ex: Executor, requestIds: number[]) {
  if (requestIds.length === 0) return new Map<number, { household: unknown; needs: unknown }>();
  const rows = await ex
    .select({
      id: placementRequests.id,
      household: placementRequests.household,
      needs: placementRequests.needs,
    })
    .from(placementRequests)
    .where(inArray(placementRequests.id, requestIds));
  return new Map(rows.map((r) => [r.id, { household: r.household, needs: r.needs }]));
}
