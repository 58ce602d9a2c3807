import type { PlacementRequest, SessionUser } from '@opvangatlas/shared';
import { inbox, isOwn } from './views';

export type RequestAlert =
  | { kind: 'new'; request: PlacementRequest }
  | { kind: 'offer'; request: PlacementRequest; organisation: string }
  | { kind: 'escalated'; request: PlacementRequest };

type Viewer = Pick<SessionUser, 'role' | 'organisationId'>;

/**
 * What changed for this viewer between two states of the requests: new requests it can
 * answer, new offers on its own requests, escalations (coordinators). Pure, so the toast,
 * the sound and the browser notification all follow the same rule.
 */
export function alertsBetween(
  before: ReadonlyMap<number, PlacementRequest>,
  after: ReadonlyMap<number, PlacementRequest>,
  viewer: Viewer,
): RequestAlert[] {
  const alerts: RequestAlert[] = [];
  const coordinator = viewer.role === 'coordinator' || viewer.role === 'admin';
  for (const request of inbox(after.values(), viewer)) {
    if (!before.has(request.id)) alerts.push({ kind: 'new', request });
  }
  for (const request of after.values()) {
    const old = before.get(request.id);
    if (!old) continue;
    if (isOwn(viewer, request)) {
      const known = new Set(old.offers.map((o) => o.id));
      for (const offer of request.offers) {
        if (!known.has(offer.id) && offer.status === 'offered') {
          alerts.push({ kind: 'offer', request, organisation: offer.organisationName });
        }
      }
    }
    if (coordinator && request.escalation.level > old.escalation.level) {
      alerts.push({ kind: 'escalated', request });
    }
  }
  return alerts;
}
