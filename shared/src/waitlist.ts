import { z } from 'zod';
import { IsoDate } from './overflow';
import { HouseholdProfile, Needs, Urgency } from './placement';
import { Id } from './id';
import { UnitKind } from './unit';

/**
 * Wachtlijst (DOMAIN.md, monitor: number waiting, average wait in days at placement): per VO
 * and kind of place, households waiting, described by composition and urgency only.
 */
export const waitlistStatuses = [
  'waiting',
  /** Placed in a regular place: the days waited are recorded. */
  'placed',
  /** Moved to a placement request to another region. */
  'to_request',
  /** Moved to an overflow registration (hotel, holiday park, ...). */
  'to_overflow',
  /** No longer needed. */
  'removed',
] as const;
export const WaitlistStatus = z.enum(waitlistStatuses);
export type WaitlistStatus = z.infer<typeof WaitlistStatus>;

export const WaitlistInput = z.strictObject({
  kind: UnitKind,
  urgency: Urgency,
  household: HouseholdProfile,
  /** The region where the household waits; the worker's own by default. */
  regionId: Id,
  /** Since when the household waits; today when left out. */
  waitingSince: IsoDate.optional(),
});
export type WaitlistInput = z.infer<typeof WaitlistInput>;

/** What a placement request needs beyond the waitlist entry. */
export const WaitlistToRequestInput = z.strictObject({
  unsafeRegionIds: z.array(Id).max(40),
  needs: Needs,
});
export type WaitlistToRequestInput = z.infer<typeof WaitlistToRequestInput>;

export const WaitlistEntry = z.object({
  id: Id,
  reference: z.string(),
  organisationId: Id,
  organisationName: z.string(),
  regionId: Id,
  kind: UnitKind,
  urgency: Urgency,
  household: HouseholdProfile,
  waitingSince: IsoDate,
  status: WaitlistStatus,
  /** The day the household left the list, and the calendar days it waited. */
  endDate: IsoDate.nullable(),
  daysWaited: z.int().min(0).nullable(),
  placementRequestId: Id.nullable(),
  overflowRegistrationId: Id.nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  version: z.int().min(1),
});
export type WaitlistEntry = z.infer<typeof WaitlistEntry>;

/** Why nobody could place a household (niet-plaatsing). */
export const nonPlacementReasons = [
  'full',
  'no_fit',
  'not_safe',
  'declined_by_household',
  'other',
] as const;
export const NonPlacementReason = z.enum(nonPlacementReasons);
export type NonPlacementReason = z.infer<typeof NonPlacementReason>;

/**
 * Niet-plaatsing: an anonymous record of a household nobody could place, the number nobody
 * registers today (seed 001). Kind needed, urgency, region and reason; nothing else.
 */
export const NonPlacementInput = z.strictObject({
  kind: UnitKind,
  urgency: Urgency,
  regionId: Id,
  reason: NonPlacementReason,
  /** Today when left out. */
  date: IsoDate.optional(),
  /** A placement request of the own VO closed as niet-plaatsing. */
  placementRequestId: Id.optional(),
});
export type NonPlacementInput = z.infer<typeof NonPlacementInput>;

export const NonPlacement = z.object({
  id: Id,
  organisationId: Id,
  organisationName: z.string(),
  regionId: Id,
  kind: UnitKind,
  urgency: Urgency,
  reason: NonPlacementReason,
  date: IsoDate,
  placementRequestId: Id.nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type NonPlacement = z.infer<typeof NonPlacement>;
