import { z } from 'zod';
import {
  HouseholdProfile,
  Id,
  Needs,
  PlacementStatus,
  SwapDecision,
  SwapFallReason,
  SwapProposalStatus,
  UnitKind,
  Urgency,
} from '@opvangatlas/shared';

/**
 * A proposal as the server keeps it: everything, for the privacy projection (swap-privacy.ts)
 * to cut per viewer. The data of every swap event; the households are left out of the stored
 * copy (they are deleted after the retention time) and read back by the module's hydrate.
 */
export const FullParty = z.object({
  requestId: Id,
  reference: z.string(),
  organisationId: Id,
  organisationName: z.string(),
  urgency: Urgency,
  kind: UnitKind,
  originRegionId: Id,
  household: HouseholdProfile.nullable(),
  needs: Needs.nullable(),
  requestStatus: PlacementStatus,
  requestSwapUnitId: Id.nullable(),
  decision: SwapDecision,
  decidedAt: z.iso.datetime({ offset: true }).nullable(),
  /** The unit this party gives: the previous party's household moves into it. */
  gives: z.object({
    unitId: Id,
    /** The unit's version when proposed: a unit changed since then fails the execution. */
    version: z.int().min(1),
    regionId: Id,
    locationName: z.string(),
    label: z.string(),
    kind: UnitKind,
  }),
});
export type FullParty = z.infer<typeof FullParty>;

export const FullProposal = z.object({
  id: Id,
  status: SwapProposalStatus,
  reason: SwapFallReason.nullable(),
  deadline: z.iso.datetime({ offset: true }),
  createdAt: z.iso.datetime({ offset: true }),
  endedAt: z.iso.datetime({ offset: true }).nullable(),
  version: z.int().min(1),
  /** In cycle order: the household of parties[i] moves into the unit parties[i + 1] gives. */
  parties: z.array(FullParty).min(2).max(3),
});
export type FullProposal = z.infer<typeof FullProposal>;

/** The party whose unit the household of parties[i] moves into. */
export const nextOf = <T>(parties: readonly T[], i: number): T =>
  parties[(i + 1) % parties.length]!;
/** The party whose household moves into the unit of parties[i]. */
export const previousOf = <T>(parties: readonly T[], i: number): T =>
  parties[(i + parties.length - 1) % parties.length]!;
