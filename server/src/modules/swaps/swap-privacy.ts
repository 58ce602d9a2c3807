import type { SwapParty, SwapProposal } from '@opvangatlas/shared';
import type { Viewer } from '../../live/audience';
import { nextOf, previousOf, type FullParty, type FullProposal } from './swap-types';

const oversees = (viewer: Viewer) => viewer.role === 'coordinator' || viewer.role === 'admin';

/** The VOs in a proposal, coordinators and admins; never municipalities (docs/DOMAIN.md). */
export function seesProposal(viewer: Viewer, proposal: FullProposal): boolean {
  if (oversees(viewer)) return true;
  if (viewer.role === 'municipality' || viewer.organisationId === null) return false;
  return proposal.parties.some((p) => p.organisationId === viewer.organisationId);
}

/**
 * The one privacy projection of a proposal. A party's VO sees of its own part which
 * household comes to its unit (composition and needs) and where its household goes (region
 * and location name, never an address); of the other parties only their name and decision.
 * Coordinators and admins see every part. A unit's label is for its own VO only.
 */
export function proposalFor(viewer: Viewer, proposal: FullProposal): SwapProposal {
  const all = oversees(viewer);
  const unitView = (owner: FullParty) => ({
    unitId: owner.gives.unitId,
    regionId: owner.gives.regionId,
    locationName: owner.gives.locationName,
    kind: owner.gives.kind,
    label: viewer.organisationId === owner.organisationId ? owner.gives.label : null,
  });
  const parties = proposal.parties.map((p, i): SwapParty => {
    const mine = all || viewer.organisationId === p.organisationId;
    const incoming = previousOf(proposal.parties, i);
    return {
      requestId: p.requestId,
      organisationId: p.organisationId,
      organisationName: p.organisationName,
      urgency: p.urgency,
      decision: p.decision,
      decidedAt: p.decidedAt,
      reference: mine ? p.reference : null,
      gives: mine ? unitView(p) : null,
      receives: mine ? unitView(nextOf(proposal.parties, i)) : null,
      incoming: mine
        ? {
            reference: incoming.reference,
            urgency: incoming.urgency,
            kind: incoming.kind,
            household: incoming.household,
            needs: incoming.needs,
          }
        : null,
    };
  });
  return {
    id: proposal.id,
    status: proposal.status,
    reason: proposal.reason,
    parties,
    deadline: proposal.deadline,
    createdAt: proposal.createdAt,
    endedAt: proposal.endedAt,
    version: proposal.version,
  };
}
