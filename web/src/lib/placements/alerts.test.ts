import { describe, expect, it } from 'vitest';
import type { PlacementRequest } from '@opvangatlas/shared';
import { alertsBetween } from './alerts';

const base = {
  reference: 'PV-2026-0001',
  organisationName: 'Arosa',
  originRegionId: 1,
  kind: 'noodbed',
  urgency: 'code_rood',
  household: { adults: [{ gender: 'v' }], children: [] },
  needs: null,
  note: null,
  unsafeRegionIds: null,
  preferredRegionIds: [],
  respondBy: '2026-11-23T06:00:00Z',
  createdAt: '2026-11-23T02:00:00Z',
  status: 'open',
  outcome: null,
  escalation: { level: 0, ladderMinutes: [30] },
  claimedBy: null,
  acceptedOfferId: null,
  arrivedAt: null,
  departedAt: null,
  endedAt: null,
  offers: [],
  responses: [],
  swapUnitId: null,
  version: 1,
} as const;
const req = (id: number, organisationId: number, over: Partial<PlacementRequest> = {}) =>
  ({ ...base, id, organisationId, ...over }) as PlacementRequest;
const offer = {
  id: 7,
  organisationId: 2,
  organisationName: 'Moviera',
  unitId: 1,
  regionId: 2,
  locationName: 'L',
  status: 'offered' as const,
  quotaWarning: false,
  at: 'x',
};

describe('request alerts', () => {
  it('tells a receiver of a new request once, and a requester of a new offer', () => {
    const receiver = { role: 'vo_worker' as const, organisationId: 2 };
    const first = new Map([[1, req(1, 1)]]);
    expect(alertsBetween(new Map(), first, receiver).map((a) => a.kind)).toEqual(['new']);
    expect(alertsBetween(first, first, receiver)).toEqual([]);
    const requester = { role: 'vo_planner' as const, organisationId: 1 };
    const withOffer = new Map([[1, req(1, 1, { offers: [offer] })]]);
    expect(alertsBetween(first, withOffer, requester)).toMatchObject([
      { kind: 'offer', organisation: 'Moviera' },
    ]);
  });

  it('tells coordinators of an escalation', () => {
    const coordinator = { role: 'coordinator' as const, organisationId: null };
    const before = new Map([[1, req(1, 1)]]);
    const after = new Map([[1, req(1, 1, { escalation: { level: 1, ladderMinutes: [30] } })]]);
    expect(alertsBetween(before, after, coordinator).map((a) => a.kind)).toEqual(['escalated']);
  });
});
