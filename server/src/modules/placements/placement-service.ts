import type { Database } from '@opvangatlas/db';
import {
  fitProblemsOf,
  voRoles,
  type CloseOutcome,
  type DeclineInput,
  type PlacementRequest,
  type PlacementRequestInput,
  type RegionQuota,
  type SessionUser,
} from '@opvangatlas/shared';
import { AppError, ValidationError } from '../../errors';
import type { ChangeContext, ChangeRunner } from '../events/change-runner';
import { listRegionIds } from '../regions/region-repository';
import { assertAccess } from '../session/access';
import { assertSwapUnit } from '../swaps/swap-repository';
import { lockUnits, findUnit, toUnit } from '../units/unit-repository';
import {
  occupyForRequest,
  offerUnit,
  releaseOfferedUnit,
  releaseReservation,
  reserveForRequest,
} from '../units/unit-transitions';
import { placementEvent, RECENT_MS, type PlacementEventType } from './placement-live';
import { requestFor, seesRequest } from './placement-privacy';
import {
  crisisOccupancyByOrigin,
  deleteEndedDetails,
  findQuota,
  insertOffer,
  insertRequest,
  listDueEscalations,
  listExpired,
  listLiveRequestIds,
  loadRequests,
  lockRequest,
  markDeclined,
  markSeen,
  organisationsInRegions,
  setOfferStatus,
  setQuota,
  updateRequest,
  updateRequestIf,
  type FullRequest,
} from './placement-repository';
import {
  assertStatus,
  eligibleRegions,
  ladderFor,
  quotaVerdict,
  respondByFor,
  type EscalationLadders,
} from './placement-rules';

export interface PlacementServiceDeps {
  database: Database;
  changes: ChangeRunner;
  ladders: EscalationLadders;
  /** Request details are deleted this long after the request ended (data minimisation). */
  retentionDays: number;
}

type Actor = Pick<SessionUser, 'id' | 'role' | 'organisationId' | 'regionId'>;

const isStaffOf = (actor: Actor, organisationId: number) =>
  voRoles.includes(actor.role) && actor.organisationId === organisationId;
const oversees = (actor: Actor) => actor.role === 'coordinator' || actor.role === 'admin';

/**
 * Bovenregionale plaatsing: requests, offers, acceptance, arrival, escalation and quota.
 * Every step locks the request first and then its units (in id order), changes them in one
 * transaction and emits one event with the request as its requester sees it; the live
 * module shows each viewer its part.
 */
export class PlacementService {
  constructor(private readonly deps: PlacementServiceDeps) {}

  /** The requests the viewer may see: in play, or ended in the last week. */
  async list(viewer: Actor): Promise<PlacementRequest[]> {
    assertAccess(viewer.role !== 'municipality', 'Gemeenten zien alleen totalen');
    const db = this.deps.database.db;
    const ids = await listLiveRequestIds(db, new Date(Date.now() - RECENT_MS));
    const all = await loadRequests(db, ids);
    return all.filter((r) => seesRequest(viewer, r)).map((r) => requestFor(viewer, r));
  }

  async get(viewer: Actor, id: number): Promise<PlacementRequest> {
    const [full] = await loadRequests(this.deps.database.db, [id]);
    // Not in the audience reads as not there: its existence is no one else's business.
    if (!full || !seesRequest(viewer, full))
      throw new AppError('placement_not_found', 'Verzoek niet gevonden');
    return requestFor(viewer, full);
  }

  async create(actor: Actor, input: PlacementRequestInput): Promise<PlacementRequest> {
    const organisationId = actor.organisationId;
    assertAccess(
      voRoles.includes(actor.role) && organisationId !== null,
      'Alleen medewerkers van een VO plaatsen een verzoek',
    );
    return this.deps.changes.run(async (ctx) => {
      const regionIds = await listRegionIds(ctx.tx);
      const known = new Set(regionIds);
      const unknown = [
        ...(known.has(input.originRegionId) ? [] : ['originRegionId']),
        ...input.unsafeRegionIds.flatMap((r, i) => (known.has(r) ? [] : [`unsafeRegionIds.${i}`])),
        ...input.preferredRegionIds.flatMap((r, i) =>
          known.has(r) ? [] : [`preferredRegionIds.${i}`],
        ),
      ];
      if (unknown.length > 0) {
        throw new ValidationError(
          'Onbekende regio',
          unknown.map((path) => ({ path, code: 'unknown_region', message: 'Onbekende regio' })),
        );
      }
      if (input.swapUnitId !== undefined)
        await assertSwapUnit(ctx.tx, organisationId, input.swapUnitId);
      const eligible = eligibleRegions(regionIds, input.unsafeRegionIds);
      const receivers = await organisationsInRegions(ctx.tx, eligible);
      if (eligible.length === 0 || receivers.length === 0) {
        throw new ValidationError('Geen enkele regio kan dit verzoek ontvangen', [
          {
            path: 'unsafeRegionIds',
            code: 'no_eligible_region',
            message: 'Laat minstens één regio met een opvanglocatie over',
          },
        ]);
      }
      const id = await insertRequest(
        ctx.tx,
        {
          organisationId,
          createdByUserId: actor.id,
          originRegionId: input.originRegionId,
          kind: input.kind,
          urgency: input.urgency,
          household: input.household,
          needs: input.needs,
          note: input.note || null,
          unsafeRegionIds: [...new Set(input.unsafeRegionIds)],
          preferredRegionIds: [...new Set(input.preferredRegionIds)],
          audienceOrganisationIds: receivers,
          respondBy: respondByFor(input.urgency, ctx.now, input.respondBy),
          escalationMinutes: ladderFor(input.urgency, this.deps.ladders),
          swapUnitId: input.swapUnitId ?? null,
        },
        ctx.now,
      );
      return this.emit(ctx, actor, id, 'placement.requested');
    });
  }

  /** A receiving VO opened the request: the requester sees "gezien". */
  seen(actor: Actor, id: number): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      const organisationId = this.receiverOf(actor, full);
      const first = await markSeen(ctx.tx, id, organisationId, ctx.now);
      return first ? 'placement.seen' : null;
    });
  }

  /** Offers a fitting free unit: held for the request, so no one else can take or offer it. */
  offer(actor: Actor, id: number, unitId: number): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      const organisationId = this.receiverOf(actor, full);
      const { request } = full;
      assertStatus(request, 'open');
      const row = await findUnit(ctx.tx, unitId);
      if (!row) throw new AppError('unit_not_found', 'Ruimte niet gevonden');
      const unit = toUnit(row);
      assertAccess(
        unit.organisationId === organisationId,
        'Dit is geen ruimte van jouw organisatie',
      );
      if (request.unsafeRegionIds?.includes(unit.regionId)) {
        throw new AppError(
          'unit_in_unsafe_region',
          'Deze regio is niet veilig voor dit huishouden',
        );
      }
      if (!request.household || !request.needs)
        throw new AppError('placement_not_open', 'Verzoek afgesloten');
      const problems = fitProblemsOf(
        { kind: request.kind, household: request.household, needs: request.needs },
        unit,
      );
      if (problems.length > 0) {
        throw new AppError('unit_does_not_fit', 'Deze ruimte past niet bij het huishouden', {
          params: { problems: problems.join(',') },
        });
      }
      const quotaWarning = await this.checkQuota(ctx, request.originRegionId, unit);
      await offerUnit(ctx, { ...actor, organisationId }, unitId, id);
      // Whoever offers has seen it: the requester's overview lists every answering VO.
      await markSeen(ctx.tx, id, organisationId, ctx.now);
      await insertOffer(
        ctx.tx,
        { requestId: id, organisationId, unitId, quotaWarning, userId: actor.id },
        ctx.now,
      );
      return 'placement.offered';
    });
  }

  withdraw(actor: Actor, id: number, offerId: number): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      const offer = full.request.offers.find((o) => o.id === offerId);
      if (!offer) throw new AppError('offer_not_found', 'Aanbod niet gevonden');
      assertAccess(
        isStaffOf(actor, offer.organisationId) || actor.role === 'admin',
        'Alleen de aanbiedende organisatie trekt dit aanbod in',
      );
      if (offer.status !== 'offered')
        throw new AppError('offer_not_active', 'Dit aanbod staat niet meer open');
      await releaseOfferedUnit(ctx, actor, offer.unitId, id);
      await setOfferStatus(ctx.tx, [offerId], 'withdrawn');
      return 'placement.offer_withdrawn';
    });
  }

  decline(actor: Actor, id: number, input: DeclineInput): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      const organisationId = this.receiverOf(actor, full);
      assertStatus(full.request, 'open');
      const active = full.request.offers.some(
        (o) => o.organisationId === organisationId && o.status === 'offered',
      );
      if (active) throw new AppError('offer_active', 'Trek eerst je aanbod in');
      await markDeclined(ctx.tx, id, organisationId, input.reason, ctx.now);
      return 'placement.declined';
    });
  }

  /**
   * The requester takes one offer: that unit is reserved for the household, every other
   * offer is withdrawn and its unit freed, the request is placed; all or nothing.
   */
  accept(actor: Actor, id: number, offerId: number): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      const { request } = full;
      assertAccess(
        isStaffOf(actor, request.organisationId),
        'Alleen de aanvragende VO kiest een aanbod',
      );
      assertStatus(request, 'open');
      const accepted = request.offers.find((o) => o.id === offerId);
      if (!accepted) throw new AppError('offer_not_found', 'Aanbod niet gevonden');
      if (accepted.status !== 'offered')
        throw new AppError('offer_not_active', 'Dit aanbod staat niet meer open');
      const active = request.offers.filter((o) => o.status === 'offered');
      await lockUnits(
        ctx.tx,
        active.map((o) => o.unitId),
      );
      await reserveForRequest(ctx, actor, accepted.unitId, id, request.originRegionId);
      const others = active.filter((o) => o.id !== offerId);
      for (const o of others) await releaseOfferedUnit(ctx, actor, o.unitId, id);
      await setOfferStatus(ctx.tx, [offerId], 'accepted');
      await setOfferStatus(
        ctx.tx,
        others.map((o) => o.id),
        'released',
      );
      await updateRequest(ctx.tx, id, {
        status: 'placed',
        acceptedOfferId: offerId,
        destinationRegionId: accepted.regionId,
        placedAt: ctx.now,
      });
      return 'placement.accepted';
    });
  }

  /** The receiving VO confirms the household arrived: the unit is occupied, with its herkomst. */
  confirmArrival(actor: Actor, id: number): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      const { request } = full;
      const accepted = request.offers.find((o) => o.id === request.acceptedOfferId);
      assertAccess(
        accepted !== undefined &&
          (isStaffOf(actor, accepted.organisationId) || actor.role === 'admin'),
        'Alleen de ontvangende VO bevestigt de aankomst',
      );
      assertStatus(request, 'placed');
      const household = request.household ?? { adults: [{ gender: 'v' as const }], children: [] };
      await occupyForRequest(ctx, actor, accepted!.unitId, id, {
        adults: household.adults.length,
        children: household.children.length,
      });
      await updateRequest(ctx.tx, id, {
        status: 'arrived',
        outcome: 'placed',
        arrivedAt: ctx.now,
        endedAt: ctx.now,
      });
      return 'placement.arrived';
    });
  }

  /** The requester confirms the household left its own region. */
  confirmDeparture(actor: Actor, id: number): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      const { request } = full;
      assertAccess(
        isStaffOf(actor, request.organisationId),
        'Alleen de aanvragende VO bevestigt het vertrek',
      );
      assertStatus(request, 'placed', 'arrived');
      if (request.departedAt !== null) return null;
      await updateRequest(ctx.tx, id, { departedAt: ctx.now });
      return 'placement.departed';
    });
  }

  cancel(actor: Actor, id: number): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      this.assertRequesterOrCoordinator(actor, full);
      assertStatus(full.request, 'open', 'placed');
      await this.end(ctx, actor, full, { status: 'cancelled', outcome: 'cancelled' });
      return 'placement.cancelled';
    });
  }

  /** Ends a request without a placement, recording how (hotel, niet-plaatsing, ...). */
  close(actor: Actor, id: number, outcome: CloseOutcome): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      this.assertRequesterOrCoordinator(actor, full);
      assertStatus(full.request, 'open');
      await this.end(ctx, actor, full, { status: 'closed', outcome });
      return 'placement.closed';
    });
  }

  /** A coordinator takes a request on, to phone around for it; one coordinator at a time. */
  claim(actor: Actor, id: number): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      assertAccess(oversees(actor), 'Alleen coördinatoren nemen een verzoek op zich');
      assertStatus(full.request, 'open', 'placed');
      const claimed = await updateRequestIf(
        ctx.tx,
        id,
        { claimedByUserId: null },
        { claimedByUserId: actor.id },
      );
      if (!claimed) {
        throw new AppError('already_claimed', 'Een andere coördinator heeft dit verzoek al', {
          params: { name: full.request.claimedBy?.name ?? '' },
        });
      }
      return 'placement.claimed';
    });
  }

  releaseClaim(actor: Actor, id: number): Promise<PlacementRequest> {
    return this.step(actor, id, async (ctx, full) => {
      assertAccess(oversees(actor), 'Alleen coördinatoren');
      const mine = full.request.claimedBy?.userId === actor.id;
      if (!full.request.claimedBy || (!mine && actor.role !== 'admin')) {
        throw new AppError('not_claimed', 'Je hebt dit verzoek niet op je genomen');
      }
      await updateRequest(ctx.tx, id, { claimedByUserId: null });
      return 'placement.released';
    });
  }

  async setQuota(actor: Actor, regionId: number, quota: RegionQuota): Promise<RegionQuota> {
    assertAccess(oversees(actor), 'Alleen coördinatoren en beheerders stellen een quotum in');
    await this.deps.changes.run(async (ctx) => {
      const ok = await setQuota(ctx.tx, regionId, {
        percent: quota.maxOutOfRegionPercent,
        mode: quota.mode,
      });
      if (!ok) throw new AppError('not_found', 'Regio niet gevonden');
      ctx.emit({
        type: 'placement.quota_set',
        actorUserId: actor.id,
        organisationId: null,
        regionId,
        audience: { roles: ['coordinator', 'admin'], organisationIds: [], regionIds: [] },
        data: { regionId, ...quota },
      });
    });
    return quota;
  }

  /** Timers, run by every instance; each step is conditional, so it happens once. */
  async escalateDue(now = new Date()): Promise<number> {
    let done = 0;
    for (const due of await listDueEscalations(this.deps.database.db, now)) {
      const escalated = await this.deps.changes.run(async (ctx) => {
        const ok = await updateRequestIf(
          ctx.tx,
          due.id,
          { status: 'open', escalationLevel: due.level },
          { escalationLevel: due.level + 1 },
        );
        if (ok) await this.emit(ctx, null, due.id, 'placement.escalated');
        return ok;
      });
      if (escalated) done += 1;
    }
    return done;
  }

  /** Requests past their respond-by time without an accepted offer: expired, holds released. */
  async expireDue(now = new Date()): Promise<number> {
    let done = 0;
    for (const id of await listExpired(this.deps.database.db, now)) {
      const expired = await this.deps.changes.run(async (ctx) => {
        const row = await lockRequest(ctx.tx, id);
        if (!row || row.status !== 'open' || row.respondBy > now) return false;
        const [full] = await loadRequests(ctx.tx, [id]);
        await this.end(ctx, null, full!, { status: 'expired', outcome: 'expired' });
        await this.emit(ctx, null, id, 'placement.expired');
        return true;
      });
      if (expired) done += 1;
    }
    return done;
  }

  async deleteOldDetails(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.deps.retentionDays * 24 * 3_600_000);
    const ids = await this.deps.database.db.transaction((tx) =>
      deleteEndedDetails(tx, before, now),
    );
    return ids.length;
  }

  /** Releases every unit the request holds and ends it. */
  private async end(
    ctx: ChangeContext,
    actor: Actor | null,
    full: FullRequest,
    how: {
      status: 'cancelled' | 'closed' | 'expired';
      outcome: 'cancelled' | 'expired' | CloseOutcome;
    },
  ): Promise<void> {
    const { request } = full;
    const active = request.offers.filter((o) => o.status === 'offered');
    const reserved = request.offers.find(
      (o) => o.id === request.acceptedOfferId && request.status === 'placed',
    );
    await lockUnits(ctx.tx, [
      ...active.map((o) => o.unitId),
      ...(reserved ? [reserved.unitId] : []),
    ]);
    for (const o of active) await releaseOfferedUnit(ctx, actor, o.unitId, request.id);
    if (reserved) await releaseReservation(ctx, actor, reserved.unitId, request.id);
    await setOfferStatus(
      ctx.tx,
      active.map((o) => o.id),
      'released',
    );
    await updateRequest(ctx.tx, request.id, {
      status: how.status,
      outcome: how.outcome,
      endedAt: ctx.now,
    });
  }

  /** The organisation a VO actor answers for; it must be one the request was sent to. */
  private receiverOf(actor: Actor, full: FullRequest): number {
    const organisationId = actor.organisationId;
    assertAccess(
      voRoles.includes(actor.role) &&
        organisationId !== null &&
        full.audienceOrganisationIds.includes(organisationId),
      'Dit verzoek is niet aan jouw organisatie gericht',
    );
    return organisationId!;
  }

  private assertRequesterOrCoordinator(actor: Actor, full: FullRequest): void {
    assertAccess(
      isStaffOf(actor, full.request.organisationId) || oversees(actor),
      'Alleen de aanvragende VO of een coördinator',
    );
  }

  private async checkQuota(
    ctx: ChangeContext,
    originRegionId: number,
    unit: { regionId: number; kind: string },
  ): Promise<boolean> {
    // The quota is of crisis capacity, for households from other regions (seed 004).
    if (unit.kind !== 'crisis' || unit.regionId === originRegionId) return false;
    const quota = await findQuota(ctx.tx, unit.regionId);
    const verdict = quotaVerdict(await crisisOccupancyByOrigin(ctx.tx, unit.regionId), quota);
    if (verdict === 'block') {
      throw new AppError('quota_exceeded', 'Het quotum voor cliënten van elders is bereikt', {
        params: { percent: quota!.percent ?? 0 },
      });
    }
    return verdict === 'warn';
  }

  /**
   * One workflow step: lock the request, check the actor may see it, change, and emit the
   * event with the request as it is after the change. `work` returns the event type, or
   * null when nothing changed.
   */
  private step(
    actor: Actor,
    id: number,
    work: (ctx: ChangeContext, full: FullRequest) => Promise<PlacementEventType | null>,
  ): Promise<PlacementRequest> {
    return this.deps.changes.run(async (ctx) => {
      const row = await lockRequest(ctx.tx, id);
      const [full] = row ? await loadRequests(ctx.tx, [id]) : [];
      if (!full || !seesRequest(actor, full)) {
        throw new AppError('placement_not_found', 'Verzoek niet gevonden');
      }
      const type = await work(ctx, full);
      if (type === null) return requestFor(actor, full);
      return this.emit(ctx, actor, id, type);
    });
  }

  private async emit(
    ctx: ChangeContext,
    actor: Actor | null,
    id: number,
    type: PlacementEventType,
  ): Promise<PlacementRequest> {
    const [after] = await loadRequests(ctx.tx, [id]);
    ctx.emit(placementEvent(type, actor?.id ?? null, after!));
    return actor ? requestFor(actor, after!) : after!.request;
  }
}
