import {
  addDays,
  voRoles,
  type FieldError,
  type FieldErrorCode,
  type SessionUser,
} from '@opvangatlas/shared';
import { ValidationError } from '../../errors';

export type Actor = Pick<SessionUser, 'id' | 'role' | 'organisationId' | 'regionId'>;

export const HOUR_MS = 3_600_000;

/** Ended stays, waitlist entries and niet-plaatsingen stay on the VO's screens this long. */
export const RECENT_MS = 7 * 24 * HOUR_MS;

/** A stay, a wait or a niet-plaatsing may be registered this many days after it began. */
export const MAX_BACKDATE_DAYS = 366;

export const isStaffOf = (actor: Actor, organisationId: number) =>
  voRoles.includes(actor.role) && actor.organisationId === organisationId;
export const oversees = (actor: Pick<Actor, 'role'>) =>
  actor.role === 'coordinator' || actor.role === 'admin';

/** When the next safety check-in is due, after a contact (or the registration) at `from`. */
export const nextCheckInAt = (from: Date, intervalHours: number) =>
  new Date(from.getTime() + intervalHours * HOUR_MS);

/**
 * A date a worker enters for something that happened (a stay began or ended, a wait began):
 * not after today, not more than `maxDaysBack` before it. A field error, or null.
 */
export function pastDateProblem(
  path: string,
  date: string,
  today: string,
  maxDaysBack = MAX_BACKDATE_DAYS,
): FieldError | null {
  const problem = (code: FieldErrorCode, message: string) => ({ path, code, message });
  if (date > today) return problem('date_in_future', 'Deze datum ligt in de toekomst');
  if (date < addDays(today, -maxDaysBack))
    return problem('date_too_old', `Hoogstens ${maxDaysBack} dagen geleden`);
  return null;
}

/** The field error of a region id that names no region. */
export const unknownRegion = (exists: boolean): FieldError | null =>
  exists ? null : { path: 'regionId', code: 'unknown_region', message: 'Onbekende regio' };

/** Throws one 400 with every field problem found, or does nothing. */
export function assertFields(problems: Array<FieldError | null>): void {
  const fields = problems.filter((p): p is FieldError => p !== null);
  if (fields.length > 0) throw new ValidationError(fields[0]!.message, fields);
}
