import type { Unit, UnitPatch } from '@opvangatlas/shared';
import { AppError, ConflictError, NotFoundError } from '../../errors';
import type { Viewer } from '../../live/audience';
import type { ChangeContext } from '../events/change-runner';
import { assertAccess } from '../session/access';
import { unitEvent, type UnitEventType } from './unit-live';
import { visibleUnit } from './unit-privacy';
import {
  countHolds,
  findUnit,
  lockUnits,
  toUnit,
  updateUnitIf,
  type UnitChanges,
  type UnitRow,
} from './unit-repository';
import {
  planExtension,
  planHold,
  planPatch,
  planRelease,
  type HoldCaps,
  type HoldExtensionRule,
  checkHoldCaps,
} from './unit-rules';

export interface UnitPlan {
  expect: Parameters<typeof updateUnitIf>[2];
  changes: UnitChanges;
}

/**
 * Transitions of units: functions on a ChangeContext that change a unit with a condition
 * and emit its event, so services compose them (accepting an offer, executing a swap) in
 * one transaction. Access is the calling service's business; a conflict answers with the
 * unit as the actor may see it.
 */
export async function transitionUnit(
  ctx: ChangeContext,
  actor: Viewer | null,
  id: number,
  type: UnitEventType,
  plan: (unit: Unit, row: UnitRow) => UnitPlan,
): Promise<Unit> {
  const row = await findUnit(ctx.tx, id);
  if (!row) throw new NotFoundError('Ruimte niet gevonden');
  const before = toUnit(row);
  const { expect, changes } = plan(before, row);
  const updated = await updateUnitIf(ctx.tx, row, expect, changes);
  if (!updated) {
    // Someone else committed first: answer with the state they left.
    const current = toUnit((await findUnit(ctx.tx, id))!);
    throw new ConflictError(
      'Iemand anders was je voor',
      actor ? visibleUnit(actor, current) : current,
    );
  }
  const unit = toUnit(updated);
  ctx.emit(unitEvent(type, actor?.id ?? null, unit, before));
  return unit;
}

/** Several units in one transaction; locked in id order first, so it cannot deadlock. */
export async function transitionUnits(
  ctx: ChangeContext,
  actor: Viewer | null,
  steps: Array<{ id: number; type: UnitEventType; plan: (unit: Unit, row: UnitRow) => UnitPlan }>,
): Promise<Unit[]> {
  await lockUnits(
    ctx.tx,
    steps.map((s) => s.id),
  );
  const done: Unit[] = [];
  for (const s of steps) done.push(await transitionUnit(ctx, actor, s.id, s.type, s.plan));
  return done;
}

/** A VO holds a free unit for a placement, within its caps; of simultaneous holds one wins. */
export async function holdUnit(
  ctx: ChangeContext,
  actor: Viewer & { organisationId: number },
  id: number,
  minutes: number,
  caps: HoldCaps,
): Promise<Unit> {
  const by = { organisationId: actor.organisationId, userId: actor.id };
  checkHoldCaps(await countHolds(ctx.tx, by), caps);
  return transitionUnit(ctx, actor, id, 'unit.held', (unit) => {
    if (unit.status !== 'free') {
      throw new ConflictError('Deze ruimte is niet meer vrij', visibleUnit(actor, unit));
    }
    return { expect: { status: 'free' }, changes: planHold(ctx.now, minutes, by) };
  });
}

export function releaseUnit(
  ctx: ChangeContext,
  actor: Viewer,
  id: number,
  mayRelease: (unit: Unit) => boolean,
): Promise<Unit> {
  return transitionUnit(ctx, actor, id, 'unit.released', (unit, row) => {
    assertAccess(mayRelease(unit), 'Deze reservering is niet van jouw organisatie');
    refuseIfInPlacement(row, actor);
    if (unit.status !== 'held')
      throw new ConflictError('Deze ruimte wordt niet vastgehouden', visibleUnit(actor, unit));
    return { expect: { version: unit.version }, changes: planRelease(ctx.now) };
  });
}

/** The holding VO extends its own hold once more, if the version is still the one it saw. */
export function extendHold(
  ctx: ChangeContext,
  actor: Viewer,
  id: number,
  version: number,
  rule: HoldExtensionRule,
): Promise<Unit> {
  return transitionUnit(ctx, actor, id, 'unit.hold_extended', (unit) => {
    // A hold for a placement request lives by the request's workflow, not by the clock.
    if (unit.status !== 'held' || unit.heldForRequestId !== null)
      throw new ConflictError('Deze ruimte wordt niet vastgehouden', visibleUnit(actor, unit));
    assertAccess(
      actor.organisationId !== null && unit.heldByOrganisationId === actor.organisationId,
      'Deze reservering is niet van jouw organisatie',
    );
    if (unit.version !== version)
      throw new ConflictError('Deze reservering is intussen gewijzigd', visibleUnit(actor, unit));
    return { expect: { version }, changes: planExtension(unit, rule) };
  });
}

export function patchUnit(
  ctx: ChangeContext,
  actor: Viewer,
  id: number,
  patch: UnitPatch,
  mayChange: (unit: Unit) => boolean,
): Promise<Unit> {
  return transitionUnit(ctx, actor, id, 'unit.updated', (unit, row) => {
    assertAccess(mayChange(unit), 'Alleen je eigen organisatie kan deze ruimte wijzigen');
    refuseIfInPlacement(row, actor);
    if (unit.version !== patch.version) {
      throw new ConflictError(
        'Iemand anders heeft deze ruimte intussen gewijzigd',
        visibleUnit(actor, unit),
      );
    }
    return { expect: { version: patch.version }, changes: planPatch(unit, patch, ctx.now) };
  });
}

/** The system frees a hold that ran out; a hold renewed or released meanwhile is left alone. */
export function expireHold(ctx: ChangeContext, id: number, now = ctx.now): Promise<Unit> {
  return transitionUnit(ctx, null, id, 'unit.hold_expired', () => ({
    expect: { status: 'held', heldUntilBefore: now },
    changes: planRelease(now),
  }));
}

/**
 * A unit offered to or reserved for a placement request changes only through the request
 * (withdraw the offer, cancel the request): otherwise the requester could accept a unit
 * that is no longer there.
 */
function refuseIfInPlacement(row: UnitRow, actor: Viewer): void {
  const reservedForRequest = row.status === 'reserved' && row.placementRequestId !== null;
  if (row.heldForRequestId !== null || reservedForRequest) {
    throw new AppError(
      'unit_in_placement',
      'Deze ruimte hoort bij een plaatsingsverzoek: wijzig haar via het verzoek',
      { current: visibleUnit(actor, toUnit(row)) },
    );
  }
}

/** A VO offers its free unit to a request: held for it until the request decides. */
export function offerUnit(
  ctx: ChangeContext,
  actor: Viewer & { organisationId: number },
  id: number,
  requestId: number,
): Promise<Unit> {
  return transitionUnit(ctx, actor, id, 'unit.offered', (unit) => {
    assertAccess(
      unit.organisationId === actor.organisationId,
      'Je kunt alleen een ruimte van je eigen organisatie aanbieden',
    );
    if (unit.status !== 'free') {
      throw new ConflictError('Deze ruimte is niet meer vrij', visibleUnit(actor, unit));
    }
    return {
      expect: { status: 'free' },
      changes: {
        status: 'held',
        since: ctx.now,
        // No time limit of its own: the request's respond-by expiry releases it.
        heldUntil: null,
        heldByOrganisationId: actor.organisationId,
        heldByUserId: actor.id,
        heldForRequestId: requestId,
        householdAdults: null,
        householdChildren: null,
      },
    };
  });
}

function expectForRequest(
  unit: Unit,
  row: UnitRow,
  requestId: number,
  state: 'offered' | 'reserved',
) {
  const ok =
    state === 'offered'
      ? unit.status === 'held' && row.heldForRequestId === requestId
      : unit.status === 'reserved' && row.placementRequestId === requestId;
  if (!ok) throw new ConflictError('Deze ruimte is intussen veranderd', unit);
  return { version: unit.version };
}

/** An offer ends (withdrawn, another accepted, request ended): the unit is free again. */
export function releaseOfferedUnit(
  ctx: ChangeContext,
  actor: Viewer | null,
  id: number,
  requestId: number,
): Promise<Unit> {
  return transitionUnit(ctx, actor, id, 'unit.offer_released', (unit, row) => ({
    expect: expectForRequest(unit, row, requestId, 'offered'),
    changes: planRelease(ctx.now),
  }));
}

/** The requester accepted this unit's offer: reserved for the household on its way. */
export function reserveForRequest(
  ctx: ChangeContext,
  actor: Viewer,
  id: number,
  requestId: number,
  originRegionId: number,
): Promise<Unit> {
  return transitionUnit(ctx, actor, id, 'unit.reserved', (unit, row) => ({
    expect: expectForRequest(unit, row, requestId, 'offered'),
    changes: {
      status: 'reserved',
      since: ctx.now,
      heldUntil: null,
      heldByOrganisationId: null,
      heldByUserId: null,
      heldForRequestId: null,
      placementRequestId: requestId,
      originRegionId,
    },
  }));
}

/** A reservation for a request that was cancelled: free again. */
export function releaseReservation(
  ctx: ChangeContext,
  actor: Viewer | null,
  id: number,
  requestId: number,
): Promise<Unit> {
  return transitionUnit(ctx, actor, id, 'unit.offer_released', (unit, row) => ({
    expect: expectForRequest(unit, row, requestId, 'reserved'),
    changes: { ...planRelease(ctx.now), placementRequestId: null, originRegionId: null },
  }));
}

/**
 * The household arrived: occupied, with its composition and its region of origin (herkomst)
 * kept for the quota and the monitor.
 */
export function occupyForRequest(
  ctx: ChangeContext,
  actor: Viewer,
  id: number,
  requestId: number,
  household: { adults: number; children: number },
): Promise<Unit> {
  return transitionUnit(ctx, actor, id, 'unit.placed', (unit, row) => ({
    expect: expectForRequest(unit, row, requestId, 'reserved'),
    changes: {
      status: 'occupied',
      since: ctx.now,
      householdAdults: household.adults,
      householdChildren: household.children,
    },
  }));
}
