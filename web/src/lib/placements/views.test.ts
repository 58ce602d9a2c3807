import { describe, expect, it } from 'vitest';
import type { PlacementRequest } from '@opvangatlas/shared';
import { makeUnit } from '$lib/testing/fixtures';
import { badgeCount, fittingUnits, inbox, outbox, overview } from './views';

const request = (
  over: Partial<PlacementRequest> & Pick<PlacementRequest, 'id'>,
): PlacementRequest => ({
  reference: `PV-2026-${String(over.id).padStart(4, '0')}`,
  organisationId: 1,
  organisationName: 'Arosa',
  originRegionId: 1,
  kind: 'noodbed',
  urgency: 'acuut',
  household: { adults: [{ gender: 'v' }], children: [3, 6] },
  needs: { wheelchair: false, pets: false, largeFamily: false, languages: [] },
  note: null,
  unsafeRegionIds: null,
  preferredRegionIds: [],
  respondBy: '2026-11-23T06:00:00Z',
  createdAt: '2026-11-23T02:00:00Z',
  status: 'open',
  outcome: null,
  escalation: { level: 0, ladderMinutes: [30, 60, 120] },
  claimedBy: null,
  acceptedOfferId: null,
  arrivedAt: null,
  departedAt: null,
  endedAt: null,
  offers: [],
  responses: [],
  swapUnitId: null,
  version: 1,
  ...over,
});
const receiver = { role: 'vo_worker' as const, organisationId: 100 };

describe('placement views', () => {
  it('puts code rood first, then the nearest deadline, and leaves out what is answered', () => {
    const list = inbox(
      [
        request({ id: 1, respondBy: '2026-11-23T05:00:00Z' }),
        request({ id: 2, urgency: 'code_rood', respondBy: '2026-11-23T09:00:00Z' }),
        request({ id: 3, respondBy: '2026-11-23T04:00:00Z' }),
        request({
          id: 4,
          responses: [
            {
              organisationId: 100,
              organisationName: 'X',
              seenAt: 'x',
              declinedAt: 'y',
              declineReason: 'full',
            },
          ],
        }),
        request({ id: 5, organisationId: 100 }),
        request({ id: 6, status: 'placed' }),
      ],
      receiver,
    );
    expect(list.map((r) => r.id)).toEqual([2, 3, 1]);
  });

  it('shows the own requests in play first, then the ended ones', () => {
    const mine = { role: 'vo_planner' as const, organisationId: 1 };
    const list = outbox(
      [
        request({ id: 1, endedAt: '2026-11-22T00:00:00Z', status: 'closed' }),
        request({ id: 2 }),
        request({ id: 3, organisationId: 9 }),
      ],
      mine,
    );
    expect(list.map((r) => r.id)).toEqual([2, 1]);
  });

  it('shows coordinators escalated requests first', () => {
    const list = overview([
      request({ id: 1 }),
      request({ id: 2, escalation: { level: 2, ladderMinutes: [30, 60, 120] } }),
    ]);
    expect(list.map((r) => r.id)).toEqual([2, 1]);
  });

  it('finds the receiver’s own free units that fit the household', () => {
    const units = [
      makeUnit({ id: 1, organisationId: 100, maxPersons: 2 }),
      makeUnit({ id: 2, organisationId: 100, maxPersons: 4 }),
      makeUnit({ id: 3, organisationId: 100, maxPersons: 4, status: 'occupied' }),
      makeUnit({ id: 4, organisationId: 200, maxPersons: 4 }),
      makeUnit({ id: 5, organisationId: 100, maxPersons: 5, kind: 'crisis' }),
    ];
    expect(fittingUnits(request({ id: 1 }), units, receiver).map((u) => u.id)).toEqual([2]);
  });

  it('counts what waits for the viewer on the badge', () => {
    const offered = request({
      id: 2,
      offers: [
        {
          id: 1,
          organisationId: 100,
          organisationName: 'X',
          unitId: 1,
          regionId: 2,
          locationName: 'L',
          status: 'offered',
          quotaWarning: false,
          at: 'x',
        },
      ],
    });
    expect(badgeCount([request({ id: 1 }), offered], receiver)).toBe(1);
    expect(
      badgeCount([request({ id: 1, escalation: { level: 1, ladderMinutes: [30] } })], {
        role: 'coordinator',
        organisationId: null,
      }),
    ).toBe(1);
  });
});
