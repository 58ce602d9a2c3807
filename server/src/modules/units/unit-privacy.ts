import type { Unit } from '@opvangatlas/shared';
import type { Viewer } from '../../live/audience';
import { access } from '../session/access';

/**
 * The one privacy projection of a unit, for responses, conflict bodies and the live stream:
 * household composition only for the unit's own organisation (docs/DOMAIN.md), and nothing at
 * all for viewers without unit-level access (municipalities see aggregates only).
 */
export function visibleUnit(
  viewer: Pick<Viewer, 'role' | 'organisationId'>,
  unit: Unit,
): Unit | undefined {
  if (!access.seesUnits(viewer)) return undefined;
  return access.isOwnOrganisation(viewer, unit.organisationId)
    ? unit
    : { ...unit, household: null };
}

/** As visibleUnit, for callers that have checked unit-level access already. */
export function unitFor(viewer: Pick<Viewer, 'role' | 'organisationId'>, unit: Unit): Unit {
  return access.isOwnOrganisation(viewer, unit.organisationId)
    ? unit
    : { ...unit, household: null };
}
