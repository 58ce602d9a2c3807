import { describe, expect, it } from 'vitest';
import { kindPressure, type PressureRow } from '@opvangatlas/shared';
import { sortRows, sparklinePath } from './views';

const row = (regionId: number, occupancy: [number, number], extra: Partial<PressureRow> = {}) =>
  ({
    regionId,
    kinds: {
      noodbed: kindPressure(0, 0),
      crisis: kindPressure(...occupancy),
      vervolg: kindPressure(0, 0),
      geen_onderscheid: kindPressure(0, 0),
    },
    total: kindPressure(...occupancy),
    freeNoodbedden: 0,
    acuteShort: true,
    openRequests: 0,
    escalatedRequests: 0,
    maxEscalation: 0,
    medianPlacementMinutes: null,
    overflowHouseholds: 0,
    overdueCheckIns: 0,
    waiting: 0,
    nonPlacements: 0,
    dataState: 'fresh',
    lastConfirmedAt: null,
    ...extra,
  }) satisfies PressureRow;

const names: Record<number, string> = { 1: 'Zwolle', 2: 'Almere', 3: 'Delft', 4: 'Breda' };
const nameOf = (id: number) => names[id]!;

describe('Druk table', () => {
  const rows = [row(1, [10, 9]), row(2, [10, 5]), row(3, [0, 0]), row(4, [10, 9])];

  it('sorts by occupancy, ties by name, regions without places last either way', () => {
    expect(sortRows(rows, { key: 'total', dir: 'desc' }, nameOf).map((r) => r.regionId)).toEqual([
      4, 1, 2, 3,
    ]);
    expect(sortRows(rows, { key: 'total', dir: 'asc' }, nameOf).map((r) => r.regionId)).toEqual([
      2, 4, 1, 3,
    ]);
  });

  it('sorts by name in Dutch order, and by data state', () => {
    expect(sortRows(rows, { key: 'region', dir: 'asc' }, nameOf).map((r) => r.regionId)).toEqual([
      2, 4, 3, 1,
    ]);
    const stale = [row(1, [10, 9], { dataState: 'no_recent_data' }), row(2, [10, 5])];
    expect(
      sortRows(stale, { key: 'dataState', dir: 'desc' }, nameOf).map((r) => r.regionId),
    ).toEqual([1, 2]);
    // By occupancy, a region without recent data is not "the fullest": it goes last.
    expect(sortRows(stale, { key: 'total', dir: 'desc' }, nameOf).map((r) => r.regionId)).toEqual([
      2, 1,
    ]);
  });

  it('draws a sparkline with a gap where there is no data', () => {
    expect(sparklinePath([0, 0.5, null, 1, 1], 40, 10)).toBe('M0 10L10 5M30 0L40 0');
    expect(sparklinePath([null, null], 40, 10)).toBe('');
  });
});
