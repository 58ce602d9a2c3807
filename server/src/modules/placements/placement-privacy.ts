import type { PlacementRequest } from '@opvangatlas/shared';
import type { Viewer } from '../../live/audience';
import type { FullRequest } from './placement-repository';

/** Whether a viewer may see a request at all (the same rule as the events' audience). */
export function seesRequest(viewer: Viewer, full: FullRequest): boolean {
  if (viewer.role === 'coordinator' || viewer.role === 'admin') return true;
  if (viewer.role === 'municipality' || viewer.organisationId === null) return false;
  return (
    viewer.organisationId === full.request.organisationId ||
    full.audienceOrganisationIds.includes(viewer.organisationId)
  );
}

/**
 * The one privacy projection of a request. The requester, coordinators and admins see it
 * whole; a receiving VO does not see which regions are unsafe for the household (that
 * points at where the danger is) nor other VOs' offers and answers.
 */
export function requestFor(viewer: Viewer, full: FullRequest): PlacementRequest {
  const { request } = full;
  const whole =
    viewer.role === 'coordinator' ||
    viewer.role === 'admin' ||
    viewer.organisationId === request.organisationId;
  if (whole) return request;
  const own = (o: { organisationId: number }) => o.organisationId === viewer.organisationId;
  return {
    ...request,
    unsafeRegionIds: null,
    swapUnitId: null,
    offers: request.offers.filter(own),
    responses: request.responses.filter(own),
  };
}
