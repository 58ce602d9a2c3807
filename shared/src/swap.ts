import { z } from 'zod';
import { Id } from './id';
import { HouseholdProfile, Needs, Urgency } from './placement';
import { UnitKind } from './unit';

/**
 * Ruil (issue 9): "I take your client if you take mine". A placement request marked "ruil
 * mogelijk" names the unit of its own VO that its household frees (or that the VO offers
 * only in exchange); a cycle of 2 or 3 such requests from different VOs becomes a proposal,
 * executed all or nothing once every party accepted.
 */
export const swapProposalStatuses = ['open', 'executed', 'fallen'] as const;
export const SwapProposalStatus = z.enum(swapProposalStatuses);
export type SwapProposalStatus = z.infer<typeof SwapProposalStatus>;

/** Why a proposal fell; the parties are told and the rest is matched again. */
export const swapFallReasons = [
  'declined',
  'expired',
  'unit_changed',
  'request_closed',
  'request_changed',
] as const;
export const SwapFallReason = z.enum(swapFallReasons);
export type SwapFallReason = z.infer<typeof SwapFallReason>;

export const swapDecisions = ['pending', 'accepted', 'declined'] as const;
export const SwapDecision = z.enum(swapDecisions);
export type SwapDecision = z.infer<typeof SwapDecision>;

/** A unit as another party may see it: region and location name, never an address. */
export const SwapUnitView = z.object({
  unitId: Id,
  regionId: Id,
  locationName: z.string(),
  kind: UnitKind,
  /** The own VO's label of the room; null for units of another VO. */
  label: z.string().nullable(),
});
export type SwapUnitView = z.infer<typeof SwapUnitView>;

/** The household coming into a party's unit: composition and needs, never a person. */
export const SwapIncoming = z.object({
  reference: z.string(),
  urgency: Urgency,
  kind: UnitKind,
  household: HouseholdProfile.nullable(),
  needs: Needs.nullable(),
});
export type SwapIncoming = z.infer<typeof SwapIncoming>;

export const SwapParty = z.object({
  requestId: Id,
  organisationId: Id,
  organisationName: z.string(),
  urgency: Urgency,
  decision: SwapDecision,
  decidedAt: z.iso.datetime({ offset: true }).nullable(),
  /**
   * Only for the party's own VO, coordinators and admins (null for the other parties): the
   * request, the unit it gives, the unit its household goes to, and who comes to its unit.
   */
  reference: z.string().nullable(),
  gives: SwapUnitView.nullable(),
  receives: SwapUnitView.nullable(),
  incoming: SwapIncoming.nullable(),
});
export type SwapParty = z.infer<typeof SwapParty>;

export const SwapProposal = z.object({
  id: Id,
  status: SwapProposalStatus,
  reason: SwapFallReason.nullable(),
  /** In cycle order: the household of party [i] moves into the unit of party [i + 1]. */
  parties: z.array(SwapParty).min(2).max(3),
  deadline: z.iso.datetime({ offset: true }),
  createdAt: z.iso.datetime({ offset: true }),
  endedAt: z.iso.datetime({ offset: true }).nullable(),
  version: z.int().min(1),
});
export type SwapProposal = z.infer<typeof SwapProposal>;

export const SwapParams = z.object({ id: Id });
/** The proposal's version the planner saw: a decision on a changed proposal is refused. */
export const SwapDecisionInput = z.strictObject({ version: z.int().min(1) });
export type SwapDecisionInput = z.infer<typeof SwapDecisionInput>;
