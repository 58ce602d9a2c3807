import { describe, expect, it } from 'vitest';
import type { UnitKind, UnitStatus } from '@opvangatlas/shared';
import { monitorFigures, type MonitorChange, type MonitorInput } from './monitor-figures';

/**
 * A known year (2025) of one region, every figure worked out by hand below. The platform's
 * log begins 1 June 2024, so 2025 is covered whole.
 */
const change = (
  date: string,
  unitId: number,
  kind: UnitKind,
  beforeStatus: UnitStatus,
  status: UnitStatus,
  household: MonitorChange['household'] = null,
  extra: Partial<MonitorChange> = {},
): MonitorChange => ({
  at: new Date(`${date}T10:00:00Z`),
  unitId,
  regionId: 1,
  kind,
  status,
  beforeStatus,
  mannenopvang: false,
  household,
  ...extra,
});

const changes: MonitorChange[] = [
  // U1, crisis: a woman and two children from 1 June 2024 to 11 January 2025 (crosses the
  // year boundary): 10 nights in 2025 x 3 persons = 30; a stay of 224 days at departure.
  change('2024-06-01', 1, 'crisis', 'free', 'occupied', { adults: 1, children: 2 }),
  change('2025-01-11', 1, 'crisis', 'occupied', 'free'),
  // U2 changes kind: a crisis stay 1-21 March (20 nights x 1), then it becomes a noodbed and
  // has a stay 5-9 April (4 nights x 2 persons = 8).
  change('2025-03-01', 2, 'crisis', 'free', 'occupied', { adults: 1, children: 0 }),
  change('2025-03-21', 2, 'crisis', 'occupied', 'free'),
  change('2025-04-01', 2, 'noodbed', 'free', 'free'),
  change('2025-04-05', 2, 'noodbed', 'free', 'occupied', { adults: 1, children: 1 }),
  change('2025-04-09', 2, 'noodbed', 'occupied', 'free'),
  // U3, vervolg, mannenopvang: occupied when the log begins (start unknown) until 1 November:
  // 304 nights in 2025 (1 January - 31 October), one man; not in the average stay.
  change('2025-11-01', 3, 'vervolg', 'occupied', 'free', null, { mannenopvang: true }),
  // U4, vervolg: two women from 20 December, still there: 12 nights x 2 = 24 in 2025.
  change('2025-12-20', 4, 'vervolg', 'free', 'occupied', { adults: 2, children: 0 }),
  // U5, noodbed: out of service all of 2025: no capacity.
  change('2026-01-15', 5, 'noodbed', 'out_of_service', 'free'),
  // U6 is in another region.
  change(
    '2025-05-01',
    6,
    'crisis',
    'free',
    'occupied',
    { adults: 1, children: 0 },
    { regionId: 2 },
  ),
];

const input: MonitorInput = {
  year: 2025,
  regionId: 1,
  now: new Date('2026-02-01T12:00:00Z'),
  changes,
  // U7, vervolg: a woman and a child, there all along (no change in the log): 365 x 2 = 730.
  // The others as the log leaves them.
  units: [
    {
      id: 7,
      regionId: 1,
      kind: 'vervolg',
      status: 'occupied',
      mannenopvang: false,
      household: { adults: 1, children: 1 },
    },
    { id: 1, regionId: 1, kind: 'crisis', status: 'free', mannenopvang: false, household: null },
    {
      id: 4,
      regionId: 1,
      kind: 'vervolg',
      status: 'occupied',
      mannenopvang: false,
      household: { adults: 2, children: 0 },
    },
  ],
  overflow: [
    { regionId: 1, startDate: '2024-12-28', endDate: '2025-01-03' }, // 2 nights in 2025
    { regionId: 1, startDate: '2025-06-01', endDate: '2025-06-11' }, // 10
    { regionId: 1, startDate: '2025-12-30', endDate: null }, // 2 (30, 31 December)
    { regionId: 2, startDate: '2025-06-01', endDate: '2025-06-11' },
    { regionId: 1, startDate: '2024-11-01', endDate: '2024-11-05' },
  ],
  waitlist: [
    { regionId: 1, waitingSince: '2025-10-01', status: 'waiting', endDate: null, daysWaited: null },
    {
      regionId: 1,
      waitingSince: '2025-02-01',
      status: 'placed',
      endDate: '2025-03-01',
      daysWaited: 28,
    },
    // Placed in January 2026: still waiting at the end of 2025.
    {
      regionId: 1,
      waitingSince: '2025-11-20',
      status: 'placed',
      endDate: '2026-01-10',
      daysWaited: 51,
    },
    {
      regionId: 1,
      waitingSince: '2025-06-21',
      status: 'placed',
      endDate: '2025-07-01',
      daysWaited: 10,
    },
    {
      regionId: 1,
      waitingSince: '2025-04-01',
      status: 'removed',
      endDate: '2025-05-01',
      daysWaited: null,
    },
    { regionId: 2, waitingSince: '2025-04-01', status: 'waiting', endDate: null, daysWaited: null },
  ],
  nonPlacements: [
    { regionId: 1, date: '2025-03-03' },
    { regionId: 1, date: '2025-12-31' },
    { regionId: 1, date: '2026-01-02' },
    { regionId: 1, date: '2024-12-31' },
    { regionId: 2, date: '2025-05-05' },
  ],
  placedArrivals: [
    { regionId: 1, originRegionId: 3, date: '2025-12-20' },
    { regionId: 2, originRegionId: 1, date: '2025-05-01' },
    { regionId: 1, originRegionId: 3, date: '2024-06-01' },
  ],
};

describe('monitor figures', () => {
  it('gives every figure of a known year exactly', () => {
    const f = monitorFigures(input, false);
    expect(f.coveredFrom).toBe('2025-01-01');
    expect(f.coveredTo).toBe('2025-12-31');
    // Stays with a night in 2025: U1, U2 twice, U3, U4, U7.
    expect(f.clients).toEqual({
      households: 6,
      women18plus: 6, // 1 (U1) + 1 + 1 (U2) + 2 (U4) + 1 (U7)
      men18plus: 1, // U3
      otherUnder18: 4, // 2 (U1) + 1 (U2) + 1 (U7)
      total: 11,
    });
    // Unique rooms in service in 2025; U2 was a crisis room and then a noodbed.
    expect(f.capacity).toEqual({ noodbed: 1, crisis: 2, vervolg: 3, geen_onderscheid: 0 });
    expect(f.capacityTotal).toBe(5);
    // Vervolg: 304 (U3) + 24 (U4) + 730 (U7).
    expect(f.verblijfsdagen).toEqual({
      noodbed: 8,
      crisis: 50,
      vervolg: 1058,
      geen_onderscheid: 0,
    });
    expect(f.verblijfsdagenTotal).toBe(1116);
    // Verblijfsdagen / (places x 365 days).
    expect(f.occupancy).toEqual({
      noodbed: 0.022, // 8 / 365
      crisis: 0.068, // 50 / 730
      vervolg: 0.966, // 1058 / 1095
      geen_onderscheid: null,
    });
    expect(f.occupancyTotal).toBe(0.612); // 1116 / 1825
    // At departure: crisis (224 + 20) / 2; noodbed 4; U3's start is unknown.
    expect(f.averageStayDays).toEqual({
      noodbed: 4,
      crisis: 122,
      vervolg: null,
      geen_onderscheid: null,
    });
    expect(f.staysWithUnknownStart).toBe(1);
    expect(f.overflow).toEqual({ households: 3, nights: 14 });
    // Arrivals in 2025: U2 twice and U4; one of them through a request from region 3.
    expect(f.herkomst).toEqual({ arrivals: 3, ownRegion: 2, otherRegions: 1 });
    expect(f.waitlist).toEqual({ waitingAtEnd: 2, placed: 2, averageWaitDays: 19 });
    expect(f.nonPlacements).toBe(2);
    expect(f.notes.some((n) => n.includes('gegevens vanaf'))).toBe(false);
    expect(f.notes.some((n) => n.startsWith('1 verblijven eindigden'))).toBe(true);
    // U3's household was there before the log: counted as one adult, and said so.
    expect(f.notes.some((n) => n.startsWith('1 verblijven liepen al'))).toBe(true);
  });

  it('says which part of a year the platform has no data for, instead of guessing', () => {
    const f = monitorFigures({ ...input, year: 2024 }, false);
    expect(f.coveredFrom).toBe('2024-06-01');
    expect(f.notes.some((n) => n.includes('gegevens vanaf 2024-06-01'))).toBe(true);
    // U1's nights from 1 June to 31 December 2024 (214) x 3 persons; no earlier day counted.
    expect(f.verblijfsdagen.crisis).toBe(642);
    // U7's 214 nights of the covered part x 2 persons, and U3's (household unknown) x 1.
    expect(f.verblijfsdagen.vervolg).toBe(214 * 2 + 214 * 1);
    const before = monitorFigures({ ...input, year: 2023 }, false);
    expect(before.coveredFrom).toBeNull();
    expect(before.verblijfsdagenTotal).toBe(0);
    expect(before.occupancyTotal).toBeNull();
  });

  it('hides small numbers in an export beyond the coordinators', () => {
    const f = monitorFigures(input, true);
    expect(f.suppressed).toBe(true);
    expect(f.clients.men18plus).toBe('<5');
    expect(f.overflow.households).toBe('<5');
    expect(f.overflow.nights).toBe('<5');
    expect(f.herkomst.otherRegions).toBe('<5');
    expect(f.averageStayDays.crisis).toBe('<5');
    // A hidden figure cannot come back by subtraction from its total.
    const parts = [f.clients.women18plus, f.clients.men18plus, f.clients.otherUnder18];
    expect(parts.filter((c) => typeof c !== 'number').length).toBeGreaterThanOrEqual(2);
    // Rooms are not households: capacity is shown.
    expect(f.capacityTotal).toBe(5);
  });
});
