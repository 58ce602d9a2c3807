import { z } from 'zod';
import { Id, PlacementRequest } from '@opvangatlas/shared';
import type { Executor } from '@opvangatlas/db';
import type { Viewer } from '../../live/audience';
import type { LiveEvent, NewEvent } from '../../live/live-event';
import type { LiveModule } from '../../live/live-module';
import { requestFor, seesRequest } from './placement-privacy';
import {
  listLiveRequestIds,
  loadRequestDetails,
  loadRequests,
  type FullRequest,
} from './placement-repository';

export const placementEventTypes = [
  'placement.requested',
  'placement.seen',
  'placement.offered',
  'placement.offer_withdrawn',
  'placement.declined',
  'placement.accepted',
  'placement.arrived',
  'placement.departed',
  'placement.cancelled',
  'placement.closed',
  'placement.expired',
  'placement.escalated',
  'placement.claimed',
  'placement.released',
] as const;
export type PlacementEventType = (typeof placementEventTypes)[number];

/** The request as its requester sees it, and who else may: the module projects per viewer. */
export const PlacementEventData = z.object({
  request: PlacementRequest,
  audienceOrganisationIds: z.array(Id),
  destinationRegionId: Id.nullable(),
});

/** A region's quota changed: kept in the audit trail, not shown on the stream. */
const QuotaSetData = z.object({
  regionId: Id,
  maxOutOfRegionPercent: z.int().nullable(),
  mode: z.enum(['warn', 'block']),
});

/** Ended requests stay on screens (the outbox) this long. */
export const RECENT_MS = 7 * 24 * 3_600_000;

/**
 * A request goes to the requesting VO, the VOs with a location in a region that is not
 * unsafe for the household, coordinators and admins; never to municipalities (docs/DOMAIN.md).
 */
export function placementEvent(
  type: PlacementEventType,
  actorUserId: number | null,
  full: FullRequest,
): NewEvent {
  const { request } = full;
  return {
    type,
    actorUserId,
    organisationId: request.organisationId,
    regionId: request.originRegionId,
    audience: {
      roles: ['coordinator', 'admin'],
      organisationIds: [...new Set([request.organisationId, ...full.audienceOrganisationIds])],
      regionIds: [],
    },
    data: full satisfies z.infer<typeof PlacementEventData>,
    // The household, needs, note and regions are deleted after the retention time, so the
    // append-only log never holds them; hydrate() reads them back from the request.
    storedData: { ...full, request: withoutDetails(request) },
  };
}

const withoutDetails = (request: PlacementRequest): PlacementRequest => ({
  ...request,
  household: null,
  needs: null,
  note: null,
  unsafeRegionIds: null,
  preferredRegionIds: [],
});

const isRequestEvent = (e: LiveEvent) => e.type !== 'placement.quota_set';
const requestOf = (e: LiveEvent) => (e.data as FullRequest).request;

export function placementLiveModule(): LiveModule {
  const requests = new Map<number, FullRequest>();
  const prune = (now: number) => {
    for (const [id, r] of requests) {
      const ended = r.request.endedAt ? Date.parse(r.request.endedAt) : null;
      if (ended !== null && now - ended > RECENT_MS) requests.delete(id);
    }
  };
  return {
    name: 'placements',
    events: {
      ...Object.fromEntries(placementEventTypes.map((t) => [t, PlacementEventData])),
      'placement.quota_set': QuotaSetData,
    },
    async hydrate(events, ex) {
      const ids = [...new Set(events.flatMap((e) => (isRequestEvent(e) ? [requestOf(e).id] : [])))];
      const details = await loadRequestDetails(ex, ids);
      return events.map((e) => {
        if (!isRequestEvent(e)) return e;
        const full = e.data as FullRequest;
        const d = details.get(full.request.id);
        return d ? { ...e, data: { ...full, request: { ...full.request, ...d } } } : e;
      });
    },
    async load(ex: Executor) {
      requests.clear();
      const ids = await listLiveRequestIds(ex, new Date(Date.now() - RECENT_MS));
      for (const full of await loadRequests(ex, ids)) requests.set(full.request.id, full);
    },
    apply(event) {
      if (event.type === 'placement.quota_set') return;
      const full = event.data as FullRequest;
      requests.set(full.request.id, full);
      prune(Date.parse(event.at));
    },
    project(event, viewer) {
      if (event.type === 'placement.quota_set') return [];
      const full = event.data as FullRequest;
      return [{ slice: 'requests', key: full.request.id, value: requestFor(viewer, full) }];
    },
    // Receivers each see their own offers and answer: one rendering per organisation.
    viewerKey: (_event, viewer: Viewer, cls) =>
      cls === 'other' ? `other:${viewer.organisationId}` : cls,
    snapshot(viewer) {
      const visible = [...requests.values()].filter((r) => seesRequest(viewer, r));
      return { requests: visible.map((r) => requestFor(viewer, r)) };
    },
  };
}
