import type { SwapFallReason } from '@opvangatlas/shared';
import { ConflictError } from '../../errors';
import type { Viewer } from '../../live/audience';
import type { ChangeContext } from '../events/change-runner';
import { placementEvent } from '../placements/placement-live';
import {
  insertOffer,
  loadRequests,
  lockRequest,
  setOfferStatus,
  updateRequest,
} from '../placements/placement-repository';
import { lockUnits } from '../units/unit-repository';
import { releaseOfferedUnit, transitionUnit } from '../units/unit-transitions';
import { nextOf, type FullParty, type FullProposal } from './swap-types';

/** Why a swap could not be executed; the proposal falls with this reason. */
export class SwapFailed extends Error {
  constructor(readonly reason: SwapFallReason) {
    super(`swap failed: ${reason}`);
  }
}

/**
 * Every move of an accepted swap, in the caller's transaction: each unit is reserved for the
 * household coming in, each request is placed with an accepted offer of the receiving VO
 * (so the monitor counts it as a placement, with its herkomst), and the requests' other
 * offers are released. Throws SwapFailed when a request or unit is no longer what was agreed;
 * the caller rolls all of it back. Locks requests before units, each in id order, as the
 * placement workflow does, so the two cannot deadlock.
 */
export async function executeSwap(
  ctx: ChangeContext,
  actor: Viewer,
  proposal: FullProposal,
): Promise<void> {
  const { parties } = proposal;
  const requestIds = parties.map((p) => p.requestId).sort((a, b) => a - b);
  for (const id of requestIds) await lockRequest(ctx.tx, id);
  const requests = new Map(
    (await loadRequests(ctx.tx, requestIds)).map((f) => [f.request.id, f.request]),
  );
  for (const party of parties) {
    const request = requests.get(party.requestId)!;
    if (request.status !== 'open') throw new SwapFailed('request_closed');
    if (request.swapUnitId !== party.gives.unitId) throw new SwapFailed('request_changed');
  }
  const otherOffers = [...requests.values()].flatMap((r) =>
    r.offers.filter((o) => o.status === 'offered').map((o) => ({ requestId: r.id, offer: o })),
  );
  await lockUnits(ctx.tx, [
    ...parties.map((p) => p.gives.unitId),
    ...otherOffers.map((o) => o.offer.unitId),
  ]);
  for (const { requestId, offer } of otherOffers) {
    await releaseOfferedUnit(ctx, actor, offer.unitId, requestId);
  }
  await setOfferStatus(
    ctx.tx,
    otherOffers.map((o) => o.offer.id),
    'released',
  );
  for (const [i, party] of parties.entries()) {
    const target = nextOf(parties, i);
    await reserveForSwap(ctx, actor, target, party);
    const offerId = await insertOffer(
      ctx.tx,
      {
        requestId: party.requestId,
        organisationId: target.organisationId,
        unitId: target.gives.unitId,
        quotaWarning: false,
        userId: actor.id,
      },
      ctx.now,
    );
    await setOfferStatus(ctx.tx, [offerId], 'accepted');
    await updateRequest(ctx.tx, party.requestId, {
      status: 'placed',
      acceptedOfferId: offerId,
      destinationRegionId: target.gives.regionId,
      placedAt: ctx.now,
    });
  }
  for (const full of await loadRequests(ctx.tx, requestIds)) {
    ctx.emit(placementEvent('placement.accepted', actor.id, full));
  }
}

/**
 * Reserves the unit `owner` gives for the household of `mover`, only if the unit is still
 * the version the parties agreed on and promised to no one else.
 */
async function reserveForSwap(
  ctx: ChangeContext,
  actor: Viewer,
  owner: FullParty,
  mover: FullParty,
): Promise<void> {
  try {
    await transitionUnit(ctx, actor, owner.gives.unitId, 'unit.reserved', (unit, row) => {
      const promised =
        unit.status === 'reserved' ||
        unit.status === 'out_of_service' ||
        row.heldForRequestId !== null;
      if (unit.version !== owner.gives.version || promised) throw new SwapFailed('unit_changed');
      return {
        expect: { version: owner.gives.version },
        changes: {
          status: 'reserved',
          since: ctx.now,
          heldUntil: null,
          heldByOrganisationId: null,
          heldByUserId: null,
          heldForRequestId: null,
          householdAdults: null,
          householdChildren: null,
          placementRequestId: mover.requestId,
          originRegionId: mover.originRegionId,
        },
      };
    });
  } catch (err) {
    if (err instanceof ConflictError) throw new SwapFailed('unit_changed');
    throw err;
  }
}
