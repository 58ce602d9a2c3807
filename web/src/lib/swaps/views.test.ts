import { describe, expect, it } from 'vitest';
import type { SwapProposal } from '@opvangatlas/shared';
import { requestsInOpenSwaps, swapList } from './views';

const party = (requestId: number) => ({
  requestId,
  organisationId: requestId,
  organisationName: `VO ${requestId}`,
  urgency: 'acuut' as const,
  decision: 'pending' as const,
  decidedAt: null,
  reference: null,
  gives: null,
  receives: null,
  incoming: null,
});
const proposal = (over: Partial<SwapProposal> & Pick<SwapProposal, 'id'>): SwapProposal => ({
  status: 'open',
  reason: null,
  parties: [party(over.id * 10), party(over.id * 10 + 1)],
  deadline: '2026-11-24T01:00:00Z',
  createdAt: '2026-11-24T00:00:00Z',
  endedAt: null,
  version: 1,
  ...over,
});

describe('swap views', () => {
  it('lists open proposals by deadline before ended ones, latest ended first', () => {
    const list = swapList([
      proposal({ id: 1, status: 'fallen', endedAt: '2026-11-24T00:10:00Z' }),
      proposal({ id: 2, deadline: '2026-11-24T02:00:00Z' }),
      proposal({ id: 3, status: 'executed', endedAt: '2026-11-24T00:20:00Z' }),
      proposal({ id: 4, deadline: '2026-11-24T00:30:00Z' }),
    ]);
    expect(list.map((p) => p.id)).toEqual([4, 2, 3, 1]);
  });

  it('knows which requests are in an open proposal only', () => {
    const ids = requestsInOpenSwaps([proposal({ id: 1 }), proposal({ id: 2, status: 'fallen' })]);
    expect([...ids].sort()).toEqual([10, 11]);
  });
});
