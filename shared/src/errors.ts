import { z } from 'zod';

/**
 * Error responses: `{ error, code, message, params?, fields?, current? }`.
 *
 * - `error` is the category: one per HTTP status (400 validation, 401, 403, 404, 409, 429,
 *   503 unavailable, 500 internal). Clients that only need "which kind" read this.
 * - `code` is the stable machine code of what exactly went wrong (`unit_taken`,
 *   `hold_limit_user`, ...). The web translates it (`error.code.<code>` in
 *   web/src/lib/i18n), with `params` filled in; `message` is the server's Dutch text for
 *   logs, curl and scripts, never shown by the web.
 * - `fields` (validation only) names each wrong field with a code of its own.
 *
 * Adding a code: one line in `errorCatalog` (code -> category, which gives the status) and
 * its text in web/src/lib/i18n/nl.ts and en.ts (`error.code.<code>`); the typecheck fails
 * until both languages have it.
 */

export const errorCategories = [
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  /** A service the app needs (the database) cannot be reached: try again shortly. */
  'unavailable',
  'internal',
] as const;
export const ErrorCategory = z.enum(errorCategories);
export type ErrorCategory = z.infer<typeof ErrorCategory>;

/** Every error code and its category. The category's own name is the code when nothing more specific applies. */
export const errorCatalog = {
  // 400
  validation: 'validation',
  /** Not JSON, too large, wrong content type: the request itself, not a field. */
  bad_request: 'validation',
  // 401
  unauthorized: 'unauthorized',
  invalid_credentials: 'unauthorized',
  // 403
  forbidden: 'forbidden',
  /** The unit, hold or location belongs to another organisation. */
  not_own_organisation: 'forbidden',
  /** A state-changing request or websocket upgrade from another site (origin check). */
  origin_refused: 'forbidden',
  /** Only VO staff hold units. */
  not_vo_staff: 'forbidden',
  /** A municipality account without a region. */
  no_region: 'forbidden',
  /** A municipality asked for another region's figures. */
  not_own_region: 'forbidden',
  // 404
  not_found: 'not_found',
  unit_not_found: 'not_found',
  location_not_found: 'not_found',
  // 409
  conflict: 'conflict',
  /** Someone else held or changed the unit first; `current` is how it is now. */
  unit_taken: 'conflict',
  /** The client's `version` is not the current one; `current` is how it is now. */
  version_conflict: 'conflict',
  /** Released a unit that is not held (any more). */
  unit_not_held: 'conflict',
  /** A household on a unit that is not occupied. */
  household_needs_occupied: 'conflict',
  /** params: `held`, `max`. */
  hold_limit_user: 'conflict',
  /** params: `held`, `max`. */
  hold_limit_organisation: 'conflict',
  /** params: `max`. The hold was extended as often as allowed (HOLD_MAX_EXTENSIONS). */
  hold_extension_limit: 'conflict',
  // Placement requests (modules/placements)
  placement_not_found: 'not_found',
  offer_not_found: 'not_found',
  /** params: `status`. The request is no longer open (placed, closed, expired, ...). */
  placement_not_open: 'conflict',
  offer_not_active: 'conflict',
  /** Declining while the own offer still stands. */
  offer_active: 'conflict',
  /** params: `problems` (comma-separated fit problems, shared/src/placement.ts). */
  unit_does_not_fit: 'conflict',
  unit_in_unsafe_region: 'conflict',
  /** A unit offered to or reserved for a request changes only through the request. */
  unit_in_placement: 'conflict',
  /** params: `percent`. Over the receiving region's quota for out-of-region clients. */
  quota_exceeded: 'conflict',
  /** params: `name`. Another coordinator has it. */
  already_claimed: 'conflict',
  not_claimed: 'conflict',
  // Ruil (modules/swaps)
  swap_not_found: 'not_found',
  /** params: `status`. The proposal was executed or fell. */
  swap_not_open: 'conflict',
  /** This party has decided already. */
  swap_already_decided: 'conflict',
  // Niet-reguliere bedden, wachtlijst, niet-plaatsing (modules/overflow)
  overflow_not_found: 'not_found',
  /** The stay has ended: no check-ins or second end. */
  overflow_ended: 'conflict',
  waitlist_not_found: 'not_found',
  /** params: `status`. The household has left the waitlist already. */
  waitlist_not_waiting: 'conflict',
  /** params: `outcome`. The placement request did not end the way this record needs. */
  placement_outcome_mismatch: 'conflict',
  /** The placement request already has its overflow registration or niet-plaatsing. */
  placement_already_registered: 'conflict',
  // 429
  rate_limited: 'rate_limited',
  /** params: `minutes`, `retryAt` (ISO 8601). */
  login_attempts: 'rate_limited',
  // 503, 500
  unavailable: 'unavailable',
  internal: 'internal',
} as const satisfies Record<string, ErrorCategory>;

export type ErrorCode = keyof typeof errorCatalog;
export const ErrorCode = z.enum(Object.keys(errorCatalog) as [ErrorCode, ...ErrorCode[]]);
/** The codes of one category, e.g. `CodeOf<'conflict'>`. */
export type CodeOf<C extends ErrorCategory> = {
  [K in ErrorCode]: (typeof errorCatalog)[K] extends C ? K : never;
}[ErrorCode];

export const categoryOf = (code: ErrorCode): ErrorCategory => errorCatalog[code];

/** Values filled into the translated text (`{held}`, `{max}`). */
export const ErrorParams = z.record(z.string(), z.union([z.string(), z.number()]));
export type ErrorParams = z.infer<typeof ErrorParams>;

/**
 * Field-level codes of a 400. Zod's checks map onto the generic ones (`required`,
 * `too_small` with `min`, `too_big` with `max`, ...); a schema's own rule names its code
 * with `params: { code }` on its refine / addIssue (see `Household` in unit.ts).
 */
export const fieldErrorCodes = [
  'required',
  'invalid_type',
  'invalid_format',
  'invalid_value',
  'too_small',
  'too_big',
  'unknown_field',
  'invalid',
  /** A PATCH that names nothing to change. */
  'nothing_to_change',
  /** A PATCH that changes nothing. */
  'unchanged',
  'household_empty',
  'household_required',
  'household_not_allowed',
  /** params: `max`. */
  'household_too_large',
  // Placement requests: personal data in a note (shared/src/pii-screen.ts), regions, times.
  'note_bsn',
  'note_birth_date',
  'note_phone',
  'note_email',
  'note_postcode',
  'note_street',
  'unknown_region',
  'no_eligible_region',
  'respond_by_range',
  // Niet-reguliere bedden and wachtlijst: dates and the responsible worker.
  'end_before_start',
  'date_in_future',
  'date_too_old',
  'outcome_details_required',
  'responsible_not_staff',
  // Ruil: the unit a request offers in exchange.
  'swap_unit_not_own',
  'swap_unit_unavailable',
  'swap_unit_taken',
] as const;
export const FieldErrorCode = z.enum(fieldErrorCodes);
export type FieldErrorCode = z.infer<typeof FieldErrorCode>;

export const FieldError = z.object({
  path: z.string(),
  code: FieldErrorCode,
  message: z.string(),
  params: ErrorParams.optional(),
});
export type FieldError = z.infer<typeof FieldError>;

export const ErrorResponse = z.object({
  error: ErrorCategory,
  code: ErrorCode,
  message: z.string(),
  params: ErrorParams.optional(),
  fields: z.array(FieldError).optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;
