import type { SessionUser } from '@opvangatlas/shared';
import type { Audience, LiveEvent } from './live-event';

/** What the live layer needs to know of a viewer. */
export type Viewer = Pick<SessionUser, 'id' | 'role' | 'organisationId' | 'regionId'>;

/**
 * Classes of viewer a projector renders for. `own` and `other` are VO staff relative to
 * the event's organisation; frames are rendered once per class (and event), never per client.
 */
export type ViewerClass = 'own' | 'other' | 'coordinator' | 'municipality' | 'admin';

export function viewerClass(viewer: Viewer, event: Pick<LiveEvent, 'organisationId'>): ViewerClass {
  switch (viewer.role) {
    case 'admin':
    case 'coordinator':
    case 'municipality':
      return viewer.role;
    default:
      return viewer.organisationId !== null && viewer.organisationId === event.organisationId
        ? 'own'
        : 'other';
  }
}

/** Region audiences address the viewers bound to a region: municipality officers. */
const regionBound = (viewer: Viewer) => viewer.role === 'municipality' && viewer.regionId !== null;

export function inAudience(viewer: Viewer, audience: Audience): boolean {
  return (
    audience.roles.includes(viewer.role) ||
    (viewer.organisationId !== null && audience.organisationIds.includes(viewer.organisationId)) ||
    (regionBound(viewer) && audience.regionIds.includes(viewer.regionId!))
  );
}

/** The rooms a viewer's sockets are indexed under; an audience names the same rooms. */
export function roomsOf(viewer: Viewer): string[] {
  const rooms = [`role:${viewer.role}`];
  if (viewer.organisationId !== null) rooms.push(`org:${viewer.organisationId}`);
  if (regionBound(viewer)) rooms.push(`region:${viewer.regionId}`);
  return rooms;
}

export function roomsOfAudience(audience: Audience): string[] {
  return [
    ...audience.roles.map((r) => `role:${r}`),
    ...audience.organisationIds.map((o) => `org:${o}`),
    ...audience.regionIds.map((r) => `region:${r}`),
  ];
}

/** Viewers that see the same snapshot share one rendering of it. */
export const viewerIdentity = (v: Viewer) =>
  `${v.role}:${v.organisationId ?? '-'}:${v.regionId ?? '-'}`;
