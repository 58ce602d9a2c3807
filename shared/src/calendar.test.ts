import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  daysInMonth,
  dutchDate,
  monthsFrom,
  nextMonthStart,
  nightsIn,
} from './calendar';

describe('calendar days (Europe/Amsterdam)', () => {
  it('takes the date in the Netherlands, not in UTC', () => {
    // 23:30 UTC on 31 March is 01:30 on 1 April in summer time.
    expect(dutchDate(new Date('2026-03-31T23:30:00Z'))).toBe('2026-04-01');
    expect(dutchDate(new Date('2026-12-31T22:59:00Z'))).toBe('2026-12-31');
    expect(dutchDate(new Date('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
  });

  it('steps and counts whole days across months, leap days and daylight saving', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-01-10', '2025-12-31')).toBe(-10);
    expect(daysInMonth('2028-02')).toBe(29);
    expect(nextMonthStart('2026-12')).toBe('2027-01-01');
    expect(monthsFrom('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('counts a night per calendar day stayed, within a period', () => {
    const stay = { startDate: '2026-01-28', endDate: '2026-02-03' };
    const today = '2026-05-01';
    expect(nightsIn(stay, '2026-01-01', '2026-02-01', today)).toBe(4); // 28, 29, 30, 31 Jan
    expect(nightsIn(stay, '2026-02-01', '2026-03-01', today)).toBe(2); // 1, 2 Feb
    expect(nightsIn(stay, '2025-01-01', '2027-01-01', today)).toBe(6);
    expect(nightsIn(stay, '2026-03-01', '2026-04-01', today)).toBe(0);
  });

  it('counts a stay that lasts through tonight', () => {
    const stay = { startDate: '2026-05-10', endDate: null };
    expect(nightsIn(stay, '2026-05-01', '2026-06-01', '2026-05-12')).toBe(3); // 10, 11, 12
    expect(nightsIn(stay, '2026-05-01', '2026-06-01', '2026-05-10')).toBe(1);
  });
});
