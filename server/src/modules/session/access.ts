import { unitLevelRoles, voRoles, type CodeOf, type SessionUser } from '@opvangatlas/shared';
import { AppError, ForbiddenError } from '../../errors';

/** Who may do what; one module so every route and the live hub apply the same rules. */
export const access = {
  seesUnits: (u: Pick<SessionUser, 'role'>) => unitLevelRoles.includes(u.role),
  /** VO staff place households, so they hold units of any organisation. */
  holds: (u: SessionUser) => voRoles.includes(u.role),
  changesUnitOf: (u: SessionUser, organisationId: number) =>
    u.role === 'admin' || (voRoles.includes(u.role) && u.organisationId === organisationId),
  /** Household composition and addresses stay inside the own organisation (docs/DOMAIN.md). */
  isOwnOrganisation: (u: Pick<SessionUser, 'organisationId'>, organisationId: number) =>
    u.organisationId === organisationId,
};

/** 403 unless `allowed`: `forbidden`, or the more specific `code` (`not_own_organisation`). */
export function assertAccess(
  allowed: boolean,
  message?: string,
  code?: CodeOf<'forbidden'>,
): asserts allowed {
  if (!allowed)
    throw code ? new AppError(code, message ?? 'Geen toegang') : new ForbiddenError(message);
}
