import type { Unit, UnitPatch } from '@opvangatlas/shared';
import { AppError, ValidationError } from '../../errors';
import type { UnitChanges } from './unit-repository';

const noHold = {
  heldUntil: null,
  heldByOrganisationId: null,
  heldByUserId: null,
  heldForRequestId: null,
  holdExtensions: 0,
} as const;
const noHousehold = { householdAdults: null, householdChildren: null } as const;
/** A household that leaves takes its herkomst with it. */
const noOrigin = { originRegionId: null, placementRequestId: null } as const;

/** What a PATCH by the owning VO changes; throws on a change that makes no sense. */
export function planPatch(unit: Unit, patch: UnitPatch, now: Date): UnitChanges {
  if (patch.status === undefined && patch.household === undefined) {
    throw new ValidationError('Niets te wijzigen', [
      {
        path: 'status',
        code: 'nothing_to_change',
        message: 'Geef een nieuwe status of huishouden op',
      },
    ]);
  }
  const status = patch.status ?? unit.status;
  const household = patch.household ?? (status === 'occupied' ? unit.household : null);
  if (
    status === unit.status &&
    household?.adults === unit.household?.adults &&
    household?.children === unit.household?.children
  ) {
    // A change that changes nothing would still bump the version and write an event.
    throw new ValidationError('Er verandert niets', [
      {
        path: patch.status === undefined ? 'household' : 'status',
        code: 'unchanged',
        message: 'Dit is al zo',
      },
    ]);
  }
  if (patch.status === undefined && unit.status !== 'occupied') {
    throw new AppError(
      'household_needs_occupied',
      'Alleen een bezette ruimte heeft een huishouden',
    );
  }
  if (household && household.adults + household.children > unit.maxPersons) {
    throw new ValidationError('Het huishouden past niet in deze ruimte', [
      {
        path: 'household',
        code: 'household_too_large',
        message: `Deze ruimte is voor maximaal ${unit.maxPersons} personen`,
        params: { max: unit.maxPersons },
      },
    ]);
  }
  return {
    status,
    // `since` tells how long a unit has had its status: only a new status restarts it.
    since: status === unit.status ? undefined : now,
    ...noHold,
    ...(status === 'occupied' && household
      ? { householdAdults: household.adults, householdChildren: household.children }
      : { ...noHousehold, ...noOrigin }),
  };
}

export function planHold(
  now: Date,
  minutes: number,
  by: { organisationId: number; userId: number },
): UnitChanges {
  return {
    status: 'held',
    since: now,
    heldUntil: new Date(now.getTime() + minutes * 60_000),
    heldByOrganisationId: by.organisationId,
    heldByUserId: by.userId,
    holdExtensions: 0,
    ...noHousehold,
  };
}

/** How often and by how much a hold may be extended (HOLD_MAX_EXTENSIONS, HOLD_EXTENSION_MINUTES). */
export interface HoldExtensionRule {
  max: number;
  minutes: number;
}

/**
 * One more stretch of a hold (issue 14): a night-shift worker still on the phone keeps the
 * bed, but not forever, so beds are not blocked for others (docs/DOMAIN.md).
 */
export function planExtension(
  unit: Pick<Unit, 'heldUntil' | 'holdExtensions'>,
  rule: HoldExtensionRule,
): UnitChanges {
  const done = unit.holdExtensions ?? 0;
  if (done >= rule.max) {
    throw new AppError(
      'hold_extension_limit',
      `Deze reservering is al ${done} keer verlengd (maximaal ${rule.max})`,
      { params: { max: rule.max } },
    );
  }
  const until = new Date(unit.heldUntil!).getTime() + rule.minutes * 60_000;
  return { heldUntil: new Date(until), holdExtensions: done + 1 };
}

export function planRelease(now: Date): UnitChanges {
  return { status: 'free', since: now, ...noHold, ...noHousehold };
}

/** The holder releases its own hold; the owning VO may release any hold on its unit. */
export function mayRelease(unit: Unit, organisationId: number | null, isAdmin: boolean): boolean {
  return (
    isAdmin ||
    (organisationId !== null &&
      (unit.heldByOrganisationId === organisationId || unit.organisationId === organisationId))
  );
}

/** At most this many units held at once (docs/DOMAIN.md: a hold must not block beds for others). */
export interface HoldCaps {
  perUser: number;
  perOrganisation: number;
}

export function checkHoldCaps(held: { user: number; organisation: number }, caps: HoldCaps): void {
  if (held.user >= caps.perUser) {
    throw new AppError(
      'hold_limit_user',
      `Je houdt al ${held.user} ruimtes vast (maximaal ${caps.perUser}); laat er eerst een los`,
      { params: { held: held.user, max: caps.perUser } },
    );
  }
  if (held.organisation >= caps.perOrganisation) {
    throw new AppError(
      'hold_limit_organisation',
      `Je organisatie houdt al ${held.organisation} ruimtes vast (maximaal ${caps.perOrganisation}); laat er eerst een los`,
      { params: { held: held.organisation, max: caps.perOrganisation } },
    );
  }
}
