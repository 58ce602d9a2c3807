import type { Executor } from '@opvangatlas/db';
import type { Viewer } from '../../live/audience';
import type { LiveEvent, NewEvent } from '../../live/live-event';
import type { LiveModule } from '../../live/live-module';
import { placementEventTypes } from '../placements/placement-live';
import { unitEventTypes } from '../units/unit-live';
import { proposalFor, seesProposal } from './swap-privacy';
import { listLiveProposalIds, loadHouseholds, loadProposals } from './swap-repository';
import { triggersRecompute, type SwapRecomputes } from './swap-triggers';
import { FullProposal } from './swap-types';

export const swapEventTypes = [
  'swap.proposed',
  'swap.accepted',
  'swap.declined',
  'swap.fallen',
  'swap.executed',
] as const;
export type SwapEventType = (typeof swapEventTypes)[number];

/** Ended proposals stay on screens this long, so parties see why one fell. */
export const RECENT_SWAP_MS = 24 * 3_600_000;

/**
 * Every step of a proposal is an event (audit trail) to the VOs in it, coordinators and
 * admins. `data` is the whole proposal; the stored copy leaves the households out (they are
 * deleted with the request's details after the retention time), hydrate reads them back.
 */
export function swapEvent(
  type: SwapEventType,
  actorUserId: number | null,
  proposal: FullProposal,
): NewEvent {
  return {
    type,
    actorUserId,
    organisationId: null,
    regionId: null,
    audience: {
      roles: ['coordinator', 'admin'],
      organisationIds: [...new Set(proposal.parties.map((p) => p.organisationId))],
      regionIds: [],
    },
    data: proposal,
    storedData: {
      ...proposal,
      parties: proposal.parties.map((p) => ({ ...p, household: null, needs: null })),
    } satisfies FullProposal,
  };
}

/**
 * Proposals on the live stream. With `recomputes` (the app's; none in a hub that only
 * renders snapshots) the module also reads the unit and request changes that may open or
 * break a swap, and its own declines and falls, and asks for a recompute: on every
 * instance, in seq order, catch-up included. The hub starts from the tables without
 * replaying the log, and a catch-up of many events joins one debounced recompute.
 */
export function swapLiveModule(recomputes?: SwapRecomputes): LiveModule {
  const proposals = new Map<number, FullProposal>();
  const observe = (event: LiveEvent) => {
    if (recomputes && triggersRecompute(event, recomputes.namedUnitIds)) recomputes.schedule();
  };
  const prune = (now: number) => {
    for (const [id, p] of proposals) {
      if (p.endedAt !== null && now - Date.parse(p.endedAt) > RECENT_SWAP_MS) proposals.delete(id);
    }
  };
  return {
    name: 'swaps',
    events: Object.fromEntries(swapEventTypes.map((t) => [t, FullProposal])),
    async hydrate(events: LiveEvent[], ex: Executor) {
      const ids = [
        ...new Set(events.flatMap((e) => (e.data as FullProposal).parties.map((p) => p.requestId))),
      ];
      const households = await loadHouseholds(ex, ids);
      return events.map((e) => {
        const proposal = e.data as FullProposal;
        const parties = proposal.parties.map((p) => {
          const h = households.get(p.requestId);
          return h ? { ...p, ...(h as Pick<typeof p, 'household' | 'needs'>) } : p;
        });
        return { ...e, data: { ...proposal, parties } };
      });
    },
    async load(ex: Executor) {
      proposals.clear();
      const ids = await listLiveProposalIds(ex, new Date(Date.now() - RECENT_SWAP_MS));
      for (const p of await loadProposals(ex, ids)) proposals.set(p.id, p);
    },
    apply(event) {
      const proposal = event.data as FullProposal;
      proposals.set(proposal.id, proposal);
      prune(Date.parse(event.at));
      // A decline or fall frees its requests: an own event type, so not among `observes`.
      observe(event);
    },
    project(event, viewer) {
      const proposal = event.data as FullProposal;
      return [{ slice: 'swaps', key: proposal.id, value: proposalFor(viewer, proposal) }];
    },
    // Each VO sees its own part: one rendering per organisation.
    viewerKey: (_event, viewer: Viewer, cls) =>
      cls === 'own' || cls === 'other' ? `org:${viewer.organisationId}` : cls,
    observes: { types: [...unitEventTypes, ...placementEventTypes], apply: observe },
    snapshot(viewer) {
      const visible = [...proposals.values()].filter((p) => seesProposal(viewer, p));
      return { swaps: visible.map((p) => proposalFor(viewer, p)) };
    },
  };
}
