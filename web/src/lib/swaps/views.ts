import type { SwapProposal } from '@opvangatlas/shared';

/** Open proposals first, the closest deadline on top; then the ended ones, latest first. */
export function swapList(proposals: Iterable<SwapProposal>): SwapProposal[] {
  return [...proposals].sort((a, b) => {
    if ((a.status === 'open') !== (b.status === 'open')) return a.status === 'open' ? -1 : 1;
    if (a.status === 'open') return Date.parse(a.deadline) - Date.parse(b.deadline);
    return Date.parse(b.endedAt ?? b.createdAt) - Date.parse(a.endedAt ?? a.createdAt);
  });
}

/** The requests in an open proposal: the outbox and the request page say so. */
export function requestsInOpenSwaps(proposals: Iterable<SwapProposal>): Set<number> {
  const ids = new Set<number>();
  for (const p of proposals)
    if (p.status === 'open') for (const party of p.parties) ids.add(party.requestId);
  return ids;
}
