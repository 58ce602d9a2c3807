import {
  fitProblemsOf,
  urgencies,
  type PlacementRequest,
  type SessionUser,
  type Unit,
} from '@opvangatlas/shared';

type Viewer = Pick<SessionUser, 'role' | 'organisationId'>;

const urgencyRank = Object.fromEntries(urgencies.map((u, i) => [u, i])) as Record<
  PlacementRequest['urgency'],
  number
>;

/** Most urgent first, then the nearest deadline: what the night shift must answer first. */
export function byUrgency(a: PlacementRequest, b: PlacementRequest): number {
  return (
    urgencyRank[a.urgency] - urgencyRank[b.urgency] ||
    Date.parse(a.respondBy) - Date.parse(b.respondBy)
  );
}

export const isOwn = (viewer: Viewer, r: PlacementRequest) =>
  viewer.organisationId !== null && r.organisationId === viewer.organisationId;

/** Requests the viewer's VO can still answer: open, from another VO, not declined by it. */
export function inbox(requests: Iterable<PlacementRequest>, viewer: Viewer): PlacementRequest[] {
  return [...requests]
    .filter(
      (r) =>
        r.status === 'open' &&
        !isOwn(viewer, r) &&
        !r.responses.some((p) => p.organisationId === viewer.organisationId && p.declinedAt),
    )
    .sort(byUrgency);
}

/** The VO's own requests: in play first (by urgency), then the ended ones, newest first. */
export function outbox(requests: Iterable<PlacementRequest>, viewer: Viewer): PlacementRequest[] {
  const own = [...requests].filter((r) => isOwn(viewer, r));
  const active = own.filter((r) => r.endedAt === null).sort(byUrgency);
  const ended = own
    .filter((r) => r.endedAt !== null)
    .sort((a, b) => Date.parse(b.endedAt!) - Date.parse(a.endedAt!));
  return [...active, ...ended];
}

/** Everything in play, for coordinators: escalated first, then by urgency. */
export function overview(requests: Iterable<PlacementRequest>): PlacementRequest[] {
  return [...requests]
    .filter((r) => r.endedAt === null)
    .sort((a, b) => b.escalation.level - a.escalation.level || byUrgency(a, b));
}

/** The number on the Verzoeken badge: requests waiting for this viewer. */
export function badgeCount(requests: Iterable<PlacementRequest>, viewer: Viewer): number {
  if (viewer.role === 'coordinator' || viewer.role === 'admin') {
    return [...requests].filter((r) => r.status === 'open' && r.escalation.level > 0).length;
  }
  return inbox(requests, viewer).filter(
    (r) =>
      !r.offers.some((o) => o.organisationId === viewer.organisationId && o.status === 'offered'),
  ).length;
}

/** The viewer's own free units that fit the household, in regions that may see it. */
export function fittingUnits(
  request: PlacementRequest,
  units: Iterable<Unit>,
  viewer: Viewer,
): Unit[] {
  const { household, needs } = request;
  if (!household || !needs) return [];
  return [...units]
    .filter(
      (u) =>
        u.organisationId === viewer.organisationId &&
        u.status === 'free' &&
        fitProblemsOf({ kind: request.kind, household, needs }, u).length === 0,
    )
    .sort((a, b) => a.maxPersons - b.maxPersons || a.id - b.id);
}

/** Per answering VO: seen, offered, declined (the requester's view). */
export function answerSummary(r: PlacementRequest) {
  const seen = r.responses.filter((p) => p.seenAt).length;
  const declined = r.responses.filter((p) => p.declinedAt).length;
  const offered = r.offers.filter((o) => o.status === 'offered' || o.status === 'accepted').length;
  return { seen, declined, offered };
}
