import { describe, expect, it } from 'vitest';
import {
  nextMonthStart,
  nightsIn,
  overflowTypes,
  unitKinds,
  type CapacitySnapshot,
  type OverflowType,
} from '@opvangatlas/shared';
import { municipalityFigures, type FiguresInput } from './municipality-figures';

const REGION = 7;
const today = '2026-03-15';

let nextId = 1;
const stay = (
  type: OverflowType,
  startDate: string,
  endDate: string | null = null,
  over: Partial<FiguresInput['registrations'] extends Iterable<infer R> ? R : never> = {},
) => ({
  id: nextId++,
  regionId: REGION,
  type,
  startDate,
  endDate,
  adults: 1,
  children: 2,
  overdueLevel: 0,
  ...over,
});

const capacity = (occupied: Record<string, [number, number]>): CapacitySnapshot => ({
  kinds: Object.fromEntries(
    unitKinds.map((k) => {
      const [occ, elsewhere] = occupied[k] ?? [0, 0];
      return [k, { places: 20, inService: 20, occupied: occ, fromElsewhere: elsewhere }];
    }),
  ) as CapacitySnapshot['kinds'],
});

const input = (over: Partial<FiguresInput>): FiguresInput => ({
  regionId: REGION,
  today,
  registrations: [],
  waitlist: [],
  nonPlacements: [],
  capacity: null,
  inhabitants: 500_000,
  ...over,
});

describe('municipality figures', () => {
  it('counts households and persons now per type, hiding small ones and one more', () => {
    const registrations = [
      ...Array.from({ length: 6 }, () => stay('hotel', '2026-03-01')),
      stay('vakantiepark', '2026-03-10'),
      stay('vakantiepark', '2026-03-11'),
      // Ended, and another region's: not now, not here.
      stay('hotel', '2026-02-01', '2026-02-10'),
      { ...stay('hotel', '2026-03-01'), regionId: REGION + 1 },
    ];
    const f = municipalityFigures(input({ registrations }));
    expect(f.overflow.byType.hotel).toEqual({ households: 6, persons: 18 });
    expect(f.overflow.byType.vakantiepark).toEqual({ households: '<5', persons: '<5' });
    // A zero is hidden as well, so 8 - 6 does not give the holiday parks away.
    const hiddenZeros = overflowTypes.filter(
      (t) => t !== 'vakantiepark' && f.overflow.byType[t].households === '<5',
    );
    expect(hiddenZeros).toHaveLength(1);
    expect(f.overflow.total).toEqual({ households: 8, persons: 24 });
  });

  it('counts nights per calendar month and compares this year with last year pro rata', () => {
    const registrations = [
      // Last year: 5 households, 10 nights each in March; 5 in January.
      ...Array.from({ length: 5 }, () => stay('hotel', '2025-03-01', '2025-03-11')),
      ...Array.from({ length: 5 }, () => stay('hotel', '2025-01-05', '2025-01-15')),
      // This year: 6 households, 20 nights each in January.
      ...Array.from({ length: 6 }, () => stay('hotel', '2026-01-01', '2026-01-21')),
    ];
    const f = municipalityFigures(input({ registrations }));
    expect(f.nights.months[0]).toEqual({ month: '2025-01', nights: 50 });
    expect(f.nights.months.at(-1)).toEqual({ month: '2026-03', nights: 0 });
    expect(f.nights.thisYear).toBe(120);
    expect(f.nights.lastYear).toBe(100);
    // January (50) + February (0) + March 15/31 of 50 = 74.
    expect(f.nights.lastYearSamePeriod).toBe(74);
    expect(f.nights.trendPercent).toBe(62);
  });

  it('gives no comparison when a month it needs is suppressed', () => {
    const registrations = [
      stay('hotel', '2025-02-01', '2025-02-20'),
      ...Array.from({ length: 6 }, () => stay('hotel', '2026-01-01', '2026-01-21')),
    ];
    const f = municipalityFigures(input({ registrations }));
    expect(f.nights.months.find((m) => m.month === '2025-02')!.nights).toBe('<5');
    expect(f.nights.lastYearSamePeriod).toBeNull();
    expect(f.nights.trendPercent).toBeNull();
  });

  it('shows occupancy and herkomst with one total, and places against the Istanbul norm', () => {
    const f = municipalityFigures(
      input({
        capacity: capacity({ noodbed: [3, 1], crisis: [12, 2], vervolg: [18, 3] }),
        inhabitants: 600_000,
      }),
    );
    expect(f.capacity!.byKind.noodbed.occupied).toBe('<5');
    expect(f.capacity!.byKind.noodbed.occupancy).toBe('<5');
    expect(f.capacity!.total.occupied).toBe(33);
    expect(f.capacity!.fromElsewhere).toBe(6);
    expect(f.capacity!.ownRegion).toBe(27);
    expect(f.capacity!.outOfRegionShare).toBe(0.182);
    // 80 places (20 per kind) for 600,000 inhabitants: 1.33 per 10,000.
    expect(f.capacity!.placesPer10k).toBe(1.33);
  });

  it('suppresses the waitlist per kind, the placements from it and their average wait', () => {
    const entry = (
      kind: 'crisis' | 'vervolg',
      status: 'waiting' | 'placed',
      daysWaited: number | null,
    ) => ({
      regionId: REGION,
      kind,
      status,
      endDate: status === 'placed' ? '2026-02-01' : null,
      daysWaited,
    });
    const f = municipalityFigures(
      input({
        waitlist: [
          ...Array.from({ length: 7 }, () => entry('vervolg', 'waiting', null)),
          entry('crisis', 'waiting', null),
          ...Array.from({ length: 5 }, (_, i) => entry('vervolg', 'placed', 10 * (i + 1))),
        ],
        nonPlacements: [
          { regionId: REGION, date: '2026-03-02' },
          { regionId: REGION, date: '2026-02-02' },
        ],
      }),
    );
    expect(f.waitlist.byKind.vervolg).toBe(7);
    expect(f.waitlist.byKind.crisis).toBe('<5');
    expect(f.waitlist.total).toBe(8);
    expect(f.waitlist.placedThisYear).toBe(5);
    expect(f.waitlist.averageWaitDays).toBe(30);
    expect(f.nonPlacementsThisMonth).toBe('<5');
  });

  it('property: no count of 1-4 households is ever shown, and shown totals are exact', () => {
    // 200 random regions from a fixed seed (mulberry32); the suppression itself has its
    // fast-check properties in shared/src/suppression.test.ts.
    let a = 20_260_315;
    const random = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (max: number) => Math.floor(random() * (max + 1));
    const base = Date.parse(`${today}T00:00:00Z`);
    const date = (daysAgo: number) =>
      new Date(base - daysAgo * 86_400_000).toISOString().slice(0, 10);
    for (let run = 0; run < 200; run++) {
      const registrations = Array.from({ length: int(30) }, () => {
        const start = int(440);
        const end = start - 3 - int(37);
        const ongoing = random() < 0.3 || end < 0;
        return stay(
          overflowTypes[int(overflowTypes.length - 1)]!,
          date(start),
          ongoing ? null : date(end),
          {
            overdueLevel: random() < 0.3 ? 1 : 0,
          },
        );
      });
      const f = municipalityFigures(input({ registrations }));
      const now = registrations.filter((r) => r.endDate === null);
      for (const type of overflowTypes) {
        const n = now.filter((r) => r.type === type).length;
        const cell = f.overflow.byType[type].households;
        if (n > 0 && n < 5) expect(cell).toBe('<5');
        if (typeof cell === 'number') expect(cell).toBe(n);
      }
      if (typeof f.overflow.total.households === 'number')
        expect(f.overflow.total.households).toBe(now.length);
      const overdue = now.filter((r) => r.overdueLevel > 0).length;
      if (overdue > 0 && overdue < 5) expect(f.overflow.overdueCheckIns).toBe('<5');
      // Nights per month: from 1-4 households never shown; shown, exactly the sum.
      for (const m of f.nights.months) {
        const from = `${m.month}-01`;
        const to = nextMonthStart(m.month);
        const nights = registrations.map((r) => nightsIn(r, from, to, today));
        const households = nights.filter((n) => n > 0).length;
        if (households > 0 && households < 5) expect(m.nights).toBe('<5');
        if (typeof m.nights === 'number') expect(m.nights).toBe(nights.reduce((x, y) => x + y, 0));
      }
    }
  });
});
