import { describe, expect, it } from 'vitest';
import type { MunicipalityFigures, OverflowRegistration, WaitlistEntry } from '@opvangatlas/shared';
import {
  activeStays,
  afterClose,
  cellText,
  daysWaiting,
  isOverdue,
  nightsByMonth,
  nightsSoFar,
  overdueBadge,
  prefillFromRequest,
  shareText,
  waitingByKind,
} from './views';

const now = new Date('2026-03-15T12:00:00Z');
const worker = { role: 'vo_worker' as const, organisationId: 1 };
const coordinator = { role: 'coordinator' as const, organisationId: null };

const stay = (over: Partial<OverflowRegistration>): OverflowRegistration => ({
  id: 1,
  reference: 'NR-2026-0001',
  organisationId: 1,
  organisationName: 'Arosa',
  regionId: 28,
  type: 'hotel',
  startDate: '2026-03-10',
  expectedEndDate: null,
  adults: 1,
  children: 2,
  responsible: { userId: 5, name: 'Nachtdienst Arosa' },
  checkInIntervalHours: 24,
  lastCheckInAt: null,
  lastCheckInBy: null,
  nextCheckInAt: '2026-03-16T09:00:00Z',
  overdueLevel: 0,
  status: 'active',
  endDate: null,
  outcome: null,
  outcomeKind: null,
  outcomeRegionId: null,
  placementRequestId: null,
  waitlistEntryId: null,
  createdAt: '2026-03-10T12:00:00Z',
  endedAt: null,
  version: 1,
  ...over,
});

describe('overflow views', () => {
  it('puts escalated stays first, then late ones, then the next check-in due', () => {
    const list = [
      stay({ id: 1, nextCheckInAt: '2026-03-16T09:00:00Z' }),
      stay({ id: 2, nextCheckInAt: '2026-03-15T13:00:00Z' }),
      stay({ id: 3, nextCheckInAt: '2026-03-15T11:00:00Z' }),
      stay({ id: 4, overdueLevel: 2, nextCheckInAt: '2026-03-14T09:00:00Z' }),
      stay({ id: 5, organisationId: 2 }),
      stay({ id: 6, status: 'ended', endedAt: '2026-03-14T10:00:00Z' }),
    ];
    expect(activeStays(list, worker, now).map((r) => r.id)).toEqual([4, 3, 2, 1]);
    expect(activeStays(list, coordinator, now).map((r) => r.id)).toContain(5);
    // Due already counts as late on screen, before the sweep flags it.
    expect(isOverdue(list[2]!, now)).toBe(true);
    // The badge follows the server's flag: the VO from level 1, coordinators from level 2.
    expect(overdueBadge(list, worker)).toBe(1);
    expect(overdueBadge([...list, stay({ id: 7, overdueLevel: 1 })], coordinator)).toBe(1);
  });

  it('counts the nights so far per calendar day, tonight included', () => {
    expect(nightsSoFar(stay({ startDate: '2026-03-10' }), '2026-03-15')).toBe(6);
    expect(
      nightsSoFar(
        stay({ startDate: '2026-03-10', endDate: '2026-03-13', status: 'ended' }),
        '2026-03-15',
      ),
    ).toBe(3);
  });

  it('goes on from a closed request to the right form, filled from it', () => {
    expect(afterClose({ id: 9, outcome: 'hotel' })).toEqual({
      path: '/niet-regulier/nieuw',
      query: '?fromRequest=9',
    });
    expect(afterClose({ id: 9, outcome: 'niet_plaatsing' })?.path).toBe(
      '/wachtlijst/niet-plaatsing',
    );
    expect(afterClose({ id: 9, outcome: 'not_needed' })).toBeNull();
    const filled = prefillFromRequest({
      outcome: 'vakantiepark',
      originRegionId: 3,
      household: { adults: [{ gender: 'v' }], children: [2, 7, 9] },
    } as never);
    expect(filled).toEqual({ type: 'vakantiepark', regionId: 3, adults: 1, children: 3 });
  });

  it('groups the waitlist per kind, most urgent and longest waiting first', () => {
    const entry = (
      id: number,
      kind: WaitlistEntry['kind'],
      urgency: WaitlistEntry['urgency'],
      since: string,
    ) =>
      ({
        id,
        kind,
        urgency,
        waitingSince: since,
        status: 'waiting',
        organisationId: 1,
      }) as WaitlistEntry;
    const groups = waitingByKind(
      [
        entry(1, 'crisis', 'regulier', '2026-01-01'),
        entry(2, 'crisis', 'acuut', '2026-03-01'),
        entry(3, 'vervolg', 'regulier', '2025-12-01'),
        entry(4, 'crisis', 'regulier', '2025-12-24'),
      ],
      worker,
    );
    expect(groups.map((g) => [g.kind, g.entries.map((e) => e.id)])).toEqual([
      ['crisis', [2, 4, 1]],
      ['vervolg', [3]],
    ]);
    expect(daysWaiting(entry(1, 'crisis', 'regulier', '2026-03-01'), '2026-03-15')).toBe(14);
  });

  it('writes suppressed figures as their label, and lays out the months of two years', () => {
    expect(cellText(1234, 'nl')).toBe('1.234');
    expect(cellText('<5', 'nl')).toBe('<5');
    expect(cellText('x', 'en')).toBe('x');
    expect(shareText(0.182, 'nl')).toBe('18%');
    expect(shareText('<5', 'nl')).toBe('<5');
    const months = nightsByMonth({
      asOf: '2026-03-15',
      nights: {
        months: [
          { month: '2025-03', nights: 40 },
          { month: '2026-03', nights: '<5' },
        ],
      },
    } as MunicipalityFigures);
    expect(months).toHaveLength(12);
    expect(months[2]).toEqual({ month: '03', thisYear: '<5', lastYear: 40 });
    expect(months[5]).toEqual({ month: '06', thisYear: null, lastYear: null });
  });
});
