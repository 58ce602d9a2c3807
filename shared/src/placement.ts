import { z } from 'zod';
import { Id } from './id';
import { screenNote, noteIssueMessages } from './pii-screen';
import { UnitKind, type Unit } from './unit';

/**
 * Bovenregionale plaatsing (docs/DOMAIN.md): a VO asks VOs in other regions for a place for
 * a household that is unsafe in its own region. A request describes the household, never
 * the person: composition, needs, urgency and the regions that are unsafe for it.
 */
export const urgencies = ['code_rood', 'acuut', 'regulier'] as const;
export const Urgency = z.enum(urgencies);
export type Urgency = z.infer<typeof Urgency>;

/** Vrouw, man, anders: a man needs mannenopvang (docs/DOMAIN.md). */
export const genders = ['v', 'm', 'x'] as const;
export const Gender = z.enum(genders);
export type Gender = z.infer<typeof Gender>;

export const HouseholdProfile = z.strictObject({
  adults: z
    .array(z.strictObject({ gender: Gender }))
    .min(1, { message: 'Minstens één volwassene' })
    .max(6, { message: 'Hoogstens 6 volwassenen' }),
  /** Ages in years, never birth dates. */
  children: z
    .array(z.int().min(0, { message: 'Leeftijd 0-17' }).max(17, { message: 'Leeftijd 0-17' }))
    .max(12, { message: 'Hoogstens 12 kinderen' }),
});
export type HouseholdProfile = z.infer<typeof HouseholdProfile>;

export const Needs = z.strictObject({
  wheelchair: z.boolean(),
  pets: z.boolean(),
  largeFamily: z.boolean(),
  languages: z.array(z.string().trim().min(2).max(40)).max(5),
});
export type Needs = z.infer<typeof Needs>;

export const placementStatuses = [
  'open',
  'placed',
  'arrived',
  'closed',
  'cancelled',
  'expired',
] as const;
export const PlacementStatus = z.enum(placementStatuses);
export type PlacementStatus = z.infer<typeof PlacementStatus>;
/** A request still in play: offers may come, or the household is on its way. */
export const activeStatuses: readonly PlacementStatus[] = ['open', 'placed'];

/** How a request ended without a placement; hotel and holiday park lead to overflow. */
export const closeOutcomes = [
  'hotel',
  'vakantiepark',
  'other_alternative',
  'niet_plaatsing',
  'not_needed',
] as const;
export const CloseOutcome = z.enum(closeOutcomes);
export type CloseOutcome = z.infer<typeof CloseOutcome>;
export const outcomes = ['placed', ...closeOutcomes, 'cancelled', 'expired'] as const;
export const Outcome = z.enum(outcomes);
export type Outcome = z.infer<typeof Outcome>;

export const declineReasons = ['full', 'no_fit', 'quota', 'not_safe', 'other'] as const;
export const DeclineReason = z.enum(declineReasons);
export type DeclineReason = z.infer<typeof DeclineReason>;

export const offerStatuses = ['offered', 'withdrawn', 'accepted', 'released'] as const;
export const OfferStatus = z.enum(offerStatuses);

/** Defaults per urgency: how long receivers have to answer, and when it escalates. */
export const RESPOND_WITHIN_MINUTES: Record<Urgency, number> = {
  code_rood: 4 * 60,
  acuut: 8 * 60,
  regulier: 72 * 60,
};

const note = z
  .string()
  .trim()
  .max(280, { message: 'Hoogstens 280 tekens' })
  .superRefine((text, ctx) => {
    const found = screenNote(text);
    if (found) {
      ctx.addIssue({
        code: 'custom',
        message: noteIssueMessages[found],
        params: { code: `note_${found}` },
      });
    }
  });

export const PlacementRequestInput = z.strictObject({
  kind: UnitKind,
  urgency: Urgency,
  household: HouseholdProfile,
  needs: Needs,
  /** The region the household is in now (herkomst). */
  originRegionId: Id,
  /** Never shown the request. The form ticks the own region by default. */
  unsafeRegionIds: z.array(Id).max(40),
  preferredRegionIds: z.array(Id).max(40),
  respondBy: z.iso.datetime({ offset: true }).optional(),
  note: note.optional(),
  /**
   * "Ruil mogelijk" (issue 9, shared/src/swap.ts): the unit of the own VO this household frees
   * when it leaves, or one the VO offers only in exchange. Absent: no swap.
   */
  swapUnitId: Id.optional(),
});
export type PlacementRequestInput = z.infer<typeof PlacementRequestInput>;

export const OfferInput = z.strictObject({ unitId: Id });
export const DeclineInput = z.strictObject({
  reason: DeclineReason,
  note: note.optional(),
});
export type DeclineInput = z.infer<typeof DeclineInput>;
export const CloseInput = z.strictObject({ outcome: CloseOutcome });
export const PlacementParams = z.object({ id: Id });
export const OfferParams = z.object({ id: Id, offerId: Id });

export const PlacementOffer = z.object({
  id: Id,
  organisationId: Id,
  organisationName: z.string(),
  unitId: Id,
  regionId: Id,
  locationName: z.string(),
  status: OfferStatus,
  /** Over the receiving region's quota for out-of-region clients (mode warn). */
  quotaWarning: z.boolean(),
  at: z.iso.datetime({ offset: true }),
});
export type PlacementOffer = z.infer<typeof PlacementOffer>;

/** One receiving VO's answer so far, as the requester sees it. */
export const PlacementResponse = z.object({
  organisationId: Id,
  organisationName: z.string(),
  seenAt: z.iso.datetime({ offset: true }).nullable(),
  declinedAt: z.iso.datetime({ offset: true }).nullable(),
  declineReason: DeclineReason.nullable(),
});
export type PlacementResponse = z.infer<typeof PlacementResponse>;

export const PlacementRequest = z.object({
  id: Id,
  reference: z.string(),
  organisationId: Id,
  organisationName: z.string(),
  originRegionId: Id,
  kind: UnitKind,
  urgency: Urgency,
  /** Null once the details are deleted after the retention time. */
  household: HouseholdProfile.nullable(),
  needs: Needs.nullable(),
  note: z.string().nullable(),
  /** Only for the requesting VO, coordinators and admins; null for receivers. */
  unsafeRegionIds: z.array(Id).nullable(),
  preferredRegionIds: z.array(Id),
  respondBy: z.iso.datetime({ offset: true }),
  createdAt: z.iso.datetime({ offset: true }),
  status: PlacementStatus,
  outcome: Outcome.nullable(),
  escalation: z.object({
    level: z.int().min(0),
    /** Minutes after creation at which it escalates, fixed when the request was made. */
    ladderMinutes: z.array(z.int().positive()),
  }),
  claimedBy: z.object({ userId: Id, name: z.string() }).nullable(),
  acceptedOfferId: Id.nullable(),
  arrivedAt: z.iso.datetime({ offset: true }).nullable(),
  departedAt: z.iso.datetime({ offset: true }).nullable(),
  endedAt: z.iso.datetime({ offset: true }).nullable(),
  /** Receivers see their own offers and answer only. */
  offers: z.array(PlacementOffer),
  responses: z.array(PlacementResponse),
  /** "Ruil mogelijk": the unit offered in exchange; only the requester, coordinators, admins. */
  swapUnitId: Id.nullable(),
  version: z.int().min(1),
});
export type PlacementRequest = z.infer<typeof PlacementRequest>;

export const RegionQuota = z.strictObject({
  /** At most this share (0-100%) of crisis capacity for clients from other regions; null: none. */
  maxOutOfRegionPercent: z.int().min(0).max(100).nullable(),
  mode: z.enum(['warn', 'block']),
});
export type RegionQuota = z.infer<typeof RegionQuota>;

export function personsOf(h: HouseholdProfile): number {
  return h.adults.length + h.children.length;
}

/** Why a unit does not fit a household; the web translates each. */
export const fitProblems = [
  'kind',
  'persons',
  'needs_mannenopvang',
  'is_mannenopvang',
  'wheelchair',
  'large_family',
] as const;
export type FitProblem = (typeof fitProblems)[number];

export type FitUnit = Pick<
  Unit,
  'kind' | 'maxPersons' | 'mannenopvang' | 'wheelchair' | 'largeFamily'
>;

/**
 * Whether a unit fits a household: the one rule for server (offers, swaps) and web (the
 * receiver's fitting units). A unit of `geen_onderscheid` fits every kind: those regions do
 * not register the kind (docs/DOMAIN.md). A man needs mannenopvang, and mannenopvang units are
 * for men only.
 */
export function fitProblemsOf(
  request: {
    kind: Unit['kind'];
    household: HouseholdProfile;
    needs: Pick<Needs, 'wheelchair' | 'largeFamily'>;
  },
  unit: FitUnit,
): FitProblem[] {
  const problems: FitProblem[] = [];
  if (unit.kind !== request.kind && unit.kind !== 'geen_onderscheid') problems.push('kind');
  if (personsOf(request.household) > unit.maxPersons) problems.push('persons');
  const man = request.household.adults.some((a) => a.gender === 'm');
  if (man && !unit.mannenopvang) problems.push('needs_mannenopvang');
  if (!man && unit.mannenopvang) problems.push('is_mannenopvang');
  if (request.needs.wheelchair && !unit.wheelchair) problems.push('wheelchair');
  if (request.needs.largeFamily && !unit.largeFamily) problems.push('large_family');
  return problems;
}

export const fits = (...args: Parameters<typeof fitProblemsOf>) =>
  fitProblemsOf(...args).length === 0;
