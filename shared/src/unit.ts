import { z } from 'zod';
import { ErrorResponse, type FieldErrorCode } from './errors';
import { Id, MAX_INT4 } from './id';

/** Kinds of place, see docs/DOMAIN.md "Kinds of place". */
export const unitKinds = ['noodbed', 'crisis', 'vervolg', 'geen_onderscheid'] as const;
export const UnitKind = z.enum(unitKinds);
export type UnitKind = z.infer<typeof UnitKind>;

export const unitStatuses = ['free', 'held', 'reserved', 'occupied', 'out_of_service'] as const;
export const UnitStatus = z.enum(unitStatuses);
export type UnitStatus = z.infer<typeof UnitStatus>;

/** A household (systeem) is described by composition only: never names, BSN or birth dates. */
export const Household = z
  .strictObject({
    adults: z.int().min(0).max(6),
    children: z.int().min(0).max(12),
  })
  .refine((h) => h.adults + h.children >= 1, {
    message: 'Een huishouden bestaat uit minstens één persoon',
    path: ['adults'],
    params: { code: 'household_empty' satisfies FieldErrorCode },
  });
export type Household = z.infer<typeof Household>;

export const Unit = z.object({
  id: z.int().positive(),
  locationId: z.int().positive(),
  organisationId: z.int().positive(),
  regionId: z.int().positive(),
  kind: UnitKind,
  label: z.string(),
  maxPersons: z.int().min(1),
  mannenopvang: z.boolean(),
  wheelchair: z.boolean(),
  largeFamily: z.boolean(),
  status: UnitStatus,
  /** Since when the unit has its current status (ISO 8601). */
  since: z.iso.datetime({ offset: true }),
  heldUntil: z.iso.datetime({ offset: true }).nullable(),
  heldByOrganisationId: z.int().positive().nullable(),
  /** How often the current hold was extended (HOLD_MAX_EXTENSIONS); absent counts as 0. */
  holdExtensions: z.int().min(0).optional(),
  /** Held as an offer to this placement request: only the request's workflow frees it. */
  heldForRequestId: z.int().positive().nullable(),
  /** Only sent to the unit's own organisation; null for everyone else. */
  household: Household.nullable(),
  version: z.int().min(1),
});
export type Unit = z.infer<typeof Unit>;

/** Statuses a VO sets by hand; `held` only comes from the hold endpoint. */
export const settableStatuses = ['free', 'reserved', 'occupied', 'out_of_service'] as const;

/** Request bodies are strict: an unknown field is a 400 that names it, never silently dropped. */
export const UnitPatch = z
  .strictObject({
    /** Optimistic concurrency: the version the client last saw (an int4 column). */
    version: z.int().min(1).max(MAX_INT4),
    status: z.enum(settableStatuses).optional(),
    household: Household.nullable().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.status === 'occupied' && !p.household) {
      ctx.addIssue({
        code: 'custom',
        path: ['household'],
        message: 'Bij bezetting is de samenstelling van het huishouden verplicht',
        params: { code: 'household_required' satisfies FieldErrorCode },
      });
    }
    if (p.status !== undefined && p.status !== 'occupied' && p.household) {
      ctx.addIssue({
        code: 'custom',
        path: ['household'],
        message: 'Alleen een bezette ruimte heeft een huishouden',
        params: { code: 'household_not_allowed' satisfies FieldErrorCode },
      });
    }
  });
export type UnitPatch = z.infer<typeof UnitPatch>;

export const HoldRequest = z.strictObject({
  /** Override of the default hold length, capped so a hold cannot block a bed for long. */
  minutes: z.int().min(5).max(120).optional(),
});
export type HoldRequest = z.infer<typeof HoldRequest>;

/** Extending a hold: the version the holder saw, so a hold changed meanwhile is not extended. */
export const HoldExtension = z.strictObject({
  version: z.int().min(1).max(MAX_INT4),
});
export type HoldExtension = z.infer<typeof HoldExtension>;

export const UnitParams = z.object({ id: Id });

export const UnitQuery = z.object({
  kind: UnitKind.optional(),
  status: UnitStatus.optional(),
  regionId: Id.optional(),
});
export type UnitQuery = z.infer<typeof UnitQuery>;

/** A 409 on a unit (`unit_taken`, `version_conflict`, `hold_limit_user`, ...). */
export const UnitConflict = ErrorResponse.extend({
  error: z.literal('conflict'),
  /** The unit as it is now, as far as the viewer may see it; absent when it may not. */
  current: Unit.optional(),
});
