import { z } from 'zod';
import type { FieldErrorCode } from './errors';
import { Id } from './id';
import { UnitKind } from './unit';

/**
 * Niet-reguliere bedden (DOMAIN.md): when every noodbed is full, a household goes to a hotel,
 * a holiday park, an Airbnb, "een bed erbij" or maatschappelijke opvang. The VO registers the
 * stay without a single personal detail: never the name or address of the hotel, a
 * pseudonymous reference (NR-2026-0012), counts of adults and children.
 */
export const overflowTypes = [
  'hotel',
  'vakantiepark',
  'airbnb',
  'bed_erbij',
  'maatschappelijke_opvang',
  'other',
] as const;
export const OverflowType = z.enum(overflowTypes);
export type OverflowType = z.infer<typeof OverflowType>;

/** How a stay ended: in a regular place (of which kind, in which region), home, otherwise. */
export const overflowOutcomes = ['regular_place', 'returned_home', 'other'] as const;
export const OverflowOutcome = z.enum(overflowOutcomes);
export type OverflowOutcome = z.infer<typeof OverflowOutcome>;

/** Agreed safety check-in intervals in hours; daily unless agreed otherwise. */
export const checkInIntervals = [4, 8, 12, 24, 48, 72] as const;
export const DEFAULT_CHECK_IN_HOURS = 24;

/**
 * Overdue check-ins: 1 when the agreed contact is late (the responsible VO is alerted), 2
 * after the grace period (coordinators are alerted too).
 */
export const overdueLevels = [0, 1, 2] as const;

export const IsoDate = z.iso.date({ message: 'Datum als JJJJ-MM-DD' });

const endAfterStart = (v: { startDate: string; expectedEndDate?: string | null | undefined }) =>
  !v.expectedEndDate || v.expectedEndDate >= v.startDate;

export const OverflowInput = z
  .strictObject({
    type: OverflowType,
    /** The region the household stays in. */
    regionId: Id,
    startDate: IsoDate,
    expectedEndDate: IsoDate.nullable().optional(),
    adults: z.int().min(1).max(6),
    children: z.int().min(0).max(12),
    /** A worker of the own VO; the one registering by default. */
    responsibleUserId: Id.optional(),
    checkInIntervalHours: z
      .int()
      .refine((h) => (checkInIntervals as readonly number[]).includes(h), {
        message: 'Kies 4, 8, 12, 24, 48 of 72 uur',
      })
      .default(DEFAULT_CHECK_IN_HOURS),
    /** A placement request of the own VO closed as hotel, vakantiepark or other alternative. */
    placementRequestId: Id.optional(),
    /** A household on the own waitlist that goes here instead. */
    waitlistEntryId: Id.optional(),
  })
  .refine(endAfterStart, {
    path: ['expectedEndDate'],
    message: 'De verwachte einddatum ligt vóór de begindatum',
    params: { code: 'end_before_start' satisfies FieldErrorCode },
  });
export type OverflowInput = z.input<typeof OverflowInput>;

export const OverflowEndInput = z
  .strictObject({
    /** The last night is the one before this date; today when left out. */
    endDate: IsoDate.optional(),
    outcome: OverflowOutcome,
    /** With `regular_place`: which kind of place, in which region. */
    kind: UnitKind.optional(),
    regionId: Id.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.outcome !== 'regular_place') return;
    for (const path of ['kind', 'regionId'] as const) {
      if (v[path] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [path],
          message: 'Geef soort plek en regio op',
          params: { code: 'outcome_details_required' satisfies FieldErrorCode },
        });
      }
    }
  });
export type OverflowEndInput = z.infer<typeof OverflowEndInput>;

export const OverflowParams = z.object({ id: Id });

export const OverflowRegistration = z.object({
  id: Id,
  reference: z.string(),
  organisationId: Id,
  organisationName: z.string(),
  regionId: Id,
  type: OverflowType,
  startDate: IsoDate,
  expectedEndDate: IsoDate.nullable(),
  adults: z.int().min(0),
  children: z.int().min(0),
  responsible: z.object({ userId: Id, name: z.string() }),
  checkInIntervalHours: z.int().positive(),
  lastCheckInAt: z.iso.datetime({ offset: true }).nullable(),
  lastCheckInBy: z.object({ userId: Id, name: z.string() }).nullable(),
  /** When the next safety contact is due. */
  nextCheckInAt: z.iso.datetime({ offset: true }),
  overdueLevel: z.int().min(0).max(2),
  status: z.enum(['active', 'ended']),
  endDate: IsoDate.nullable(),
  outcome: OverflowOutcome.nullable(),
  outcomeKind: UnitKind.nullable(),
  outcomeRegionId: Id.nullable(),
  placementRequestId: Id.nullable(),
  waitlistEntryId: Id.nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  endedAt: z.iso.datetime({ offset: true }).nullable(),
  version: z.int().min(1),
});
export type OverflowRegistration = z.infer<typeof OverflowRegistration>;

/** A worker of the own VO who can be responsible for a stay. */
export const StaffMember = z.object({ id: Id, name: z.string() });
export type StaffMember = z.infer<typeof StaffMember>;
