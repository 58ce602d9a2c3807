import {
  pressureRows,
  type PressureRow,
  type PressureSeries,
  type UnitKind,
} from '@opvangatlas/shared';
import type { LiveState } from '$lib/stores/live-client';

/** The Druk table from the coordinator's live slices: the same function as the server's. */
export function liveRows(live: LiveState, regionIds: readonly number[], now: Date): PressureRow[] {
  return pressureRows(
    regionIds,
    {
      units: live.units.values(),
      locations: live.locations.values(),
      requests: live.requests.values(),
      overflow: live.overflow.values(),
      waitlist: live.waitlist.values(),
      nonPlacements: live.nonPlacements.values(),
    },
    now,
  );
}

export type SortKey =
  | 'region'
  | 'total'
  | 'noodbed'
  | 'crisis'
  | 'vervolg'
  | 'freeNoodbedden'
  | 'openRequests'
  | 'medianPlacementMinutes'
  | 'overflowHouseholds'
  | 'overdueCheckIns'
  | 'waiting'
  | 'nonPlacements'
  | 'dataState';

export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

const stateOrder = { fresh: 0, partial: 1, no_recent_data: 2 } as const;

function valueOf(row: PressureRow, key: SortKey, name: string): string | number | null {
  switch (key) {
    case 'region':
      return name;
    case 'total':
      // Numbers nobody confirmed for 8 hours say nothing: such a region sorts with the empty ones.
      return row.dataState === 'no_recent_data' ? null : row.total.occupancy;
    case 'noodbed':
    case 'crisis':
    case 'vervolg':
      return row.kinds[key].occupancy;
    case 'dataState':
      return stateOrder[row.dataState];
    default:
      return row[key];
  }
}

/** Sorted by a column; regions without a value (no places, no data) always last. */
export function sortRows(
  rows: readonly PressureRow[],
  sort: Sort,
  nameOf: (regionId: number) => string,
): PressureRow[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = valueOf(a, sort.key, nameOf(a.regionId));
    const vb = valueOf(b, sort.key, nameOf(b.regionId));
    if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
    const c = typeof va === 'string' ? va.localeCompare(String(vb), 'nl') : va - (vb as number);
    return c === 0 ? nameOf(a.regionId).localeCompare(nameOf(b.regionId), 'nl') : sign * c;
  });
}

/** A sparkline's SVG path over `width` x `height`: gaps where a point has no data. */
export function sparklinePath(
  points: ReadonlyArray<number | null>,
  width: number,
  height: number,
): string {
  if (points.length === 0) return '';
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  let path = '';
  let pen = false;
  points.forEach((p, i) => {
    if (p === null) {
      pen = false;
      return;
    }
    const x = Math.round(i * step * 10) / 10;
    const y = Math.round((1 - p) * height * 10) / 10;
    path += `${pen ? 'L' : 'M'}${x} ${y}`;
    pen = true;
  });
  return path;
}

/** One row per point for the chart (and its table): the time and the occupancy per kind. */
export function chartRows(
  series: PressureSeries,
  regionId: number,
  kinds: readonly UnitKind[],
): Array<Record<string, Date | number | null>> {
  const region = series.regions.find((r) => r.regionId === regionId);
  if (!region) return [];
  return series.times.map((time, i) => ({
    time: new Date(series.step === 'day' ? `${time}T12:00:00Z` : time),
    total: region.total[i] ?? null,
    ...Object.fromEntries(kinds.map((k) => [k, region.kinds[k][i] ?? null])),
  }));
}
