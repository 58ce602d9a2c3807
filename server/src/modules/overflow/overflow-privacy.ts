import type { Viewer } from '../../live/audience';
import type { Audience } from '../../live/live-event';

/**
 * Who sees a registration, a waitlist entry or a niet-plaatsing: its own VO, coordinators and
 * admins, whole (traceability of who is responsible, DOMAIN.md). Never another VO, never a
 * municipality: a municipality only ever gets its region's suppressed figures.
 */
export function seesRecord(viewer: Viewer, record: { organisationId: number }): boolean {
  if (viewer.role === 'coordinator' || viewer.role === 'admin') return true;
  if (viewer.role === 'municipality') return false;
  return viewer.organisationId !== null && viewer.organisationId === record.organisationId;
}

/**
 * The audience of a change of a record: the same as who sees it, plus the region's
 * municipality when the change moves its figures (the live module projects those instead).
 */
export function recordAudience(
  record: { organisationId: number; regionId: number },
  movesFigures: boolean,
): Audience {
  return {
    roles: ['coordinator', 'admin'],
    organisationIds: [record.organisationId],
    regionIds: movesFigures ? [record.regionId] : [],
  };
}
