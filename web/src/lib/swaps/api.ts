import { SwapProposal } from '@opvangatlas/shared';
import { z } from 'zod';
import type { Json } from '$lib/api';

/** Ruil (`api.swaps`): proposals, and a planner's decision on the version she saw. */
export function swapApi(json: Json) {
  return {
    list: (signal?: AbortSignal) => json(z.array(SwapProposal), '/api/swaps', { signal }),
    accept: (id: number, version: number) =>
      json(SwapProposal, `/api/swaps/${id}/accept`, { method: 'POST', body: { version } }),
    decline: (id: number, version: number) =>
      json(SwapProposal, `/api/swaps/${id}/decline`, { method: 'POST', body: { version } }),
  };
}
