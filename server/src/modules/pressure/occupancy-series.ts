import {
  dutchDate,
  unitKinds,
  type PressureRange,
  type PressureSeries,
  type RegionSeries,
  type UnitKind,
  type UnitStatus,
} from '@opvangatlas/shared';

export const HOUR_MS = 3_600_000;

/** A unit change as the event log has it (`unit.*` events: the unit after, its status before). */
export interface UnitChange {
  seq: number;
  /** Epoch ms of the event. */
  at: number;
  unitId: number;
  regionId: number;
  kind: UnitKind;
  status: UnitStatus;
  beforeStatus: UnitStatus;
}

/** A unit as it is now (the `units` table), for units the log has no change of. */
export interface UnitNow {
  id: number;
  regionId: number;
  kind: UnitKind;
  status: UnitStatus;
}

interface UnitState {
  regionId: number;
  kind: UnitKind;
  status: UnitStatus;
}

const TAKEN = new Set<UnitStatus>(['held', 'reserved', 'occupied']);

/** A growable column of small counts, one per closed hour. */
class Column {
  data = new Uint16Array(1024);
  length = 0;
  push(value: number) {
    if (this.length === this.data.length) {
      const grown = new Uint16Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }
}

interface Cell {
  regionId: number;
  kind: UnitKind;
  places: number;
  taken: number;
  placesAt: Column;
  takenAt: Column;
}

/**
 * Places in service and taken places per region and kind at the end of every hour since the
 * first unit change in the log: the compact time series behind the Druk charts. Changes are
 * applied in seq (commit) order; an event's time is the running maximum of `at` in that
 * order, so a change committed a moment after a later-stamped one lands in the same hour
 * and the series only ever grows at its end (appending a new change never rewrites a
 * closed hour). A year for 35 regions is 35 x 4 x 8,760 x 2 small counts (5 MB).
 */
export class OccupancySeries {
  private readonly units = new Map<number, UnitState>();
  private readonly cells = new Map<string, Cell>();
  /** The first hour (epoch hours) and the next hour to close; null before any change. */
  private firstHour: number | null = null;
  private nextHour = 0;
  private clock = 0;
  private firstAt: number | null = null;
  lastSeq = 0;
  private readonly dayOfHour = new Map<number, string>();

  /**
   * Starts from the units now and every change so far: before its first change a unit had
   * that change's `before` status (and, as far as the log tells, its kind and region);
   * a unit without changes had its present state all along.
   */
  constructor(units: Iterable<UnitNow>, changes: readonly UnitChange[]) {
    const first = new Map<number, UnitChange>();
    for (const c of changes) if (!first.has(c.unitId)) first.set(c.unitId, c);
    for (const u of units) {
      const c = first.get(u.id);
      this.setUnit(
        u.id,
        c
          ? { regionId: c.regionId, kind: c.kind, status: c.beforeStatus }
          : { regionId: u.regionId, kind: u.kind, status: u.status },
      );
    }
    for (const [id, c] of first)
      if (!this.units.has(id))
        this.setUnit(id, { regionId: c.regionId, kind: c.kind, status: c.beforeStatus });
    this.apply(changes);
  }

  /** Appends changes after `lastSeq`, in seq order. */
  apply(changes: readonly UnitChange[]): void {
    for (const c of changes) {
      if (c.seq <= this.lastSeq) continue;
      this.lastSeq = c.seq;
      const at = Math.max(this.clock, c.at);
      this.firstAt ??= at;
      this.advanceTo(at);
      const known = this.units.get(c.unitId);
      if (!known) this.setUnit(c.unitId, { ...c, status: c.beforeStatus });
      this.unsetUnit(c.unitId);
      this.setUnit(c.unitId, { regionId: c.regionId, kind: c.kind, status: c.status });
    }
  }

  /** Closes every hour before the one `at` is in: their samples are the counts now. */
  private advanceTo(at: number): void {
    this.clock = Math.max(this.clock, at);
    const hour = Math.floor(this.clock / HOUR_MS);
    if (this.firstHour === null) {
      if (this.firstAt === null) return;
      this.firstHour = this.nextHour = hour;
    }
    for (; this.nextHour < hour; this.nextHour++) {
      for (const cell of this.cells.values()) {
        cell.placesAt.push(cell.places);
        cell.takenAt.push(cell.taken);
      }
    }
  }

  private cellOf(regionId: number, kind: UnitKind): Cell {
    const key = `${regionId}:${kind}`;
    let cell = this.cells.get(key);
    if (!cell) {
      cell = {
        regionId,
        kind,
        places: 0,
        taken: 0,
        placesAt: new Column(),
        takenAt: new Column(),
      };
      // A region or kind first seen now had no places in the hours already closed.
      const closed = this.firstHour === null ? 0 : this.nextHour - this.firstHour;
      for (let i = 0; i < closed; i++) {
        cell.placesAt.push(0);
        cell.takenAt.push(0);
      }
      this.cells.set(key, cell);
    }
    return cell;
  }

  private setUnit(id: number, state: UnitState): void {
    this.units.set(id, state);
    const cell = this.cellOf(state.regionId, state.kind);
    if (state.status !== 'out_of_service') cell.places += 1;
    if (TAKEN.has(state.status)) cell.taken += 1;
  }

  private unsetUnit(id: number): void {
    const state = this.units.get(id)!;
    const cell = this.cellOf(state.regionId, state.kind);
    if (state.status !== 'out_of_service') cell.places -= 1;
    if (TAKEN.has(state.status)) cell.taken -= 1;
  }

  private dutchDayOf(hour: number): string {
    let day = this.dayOfHour.get(hour);
    if (day === undefined) this.dayOfHour.set(hour, (day = dutchDate(new Date(hour * HOUR_MS))));
    return day;
  }

  /**
   * The occupancy of the last day, week, 30 days or 12 months up to `now`: hourly points
   * (the state at the end of each hour; the current hour is the state now), or per Dutch
   * calendar day the mean over its hours (taken hours over place hours).
   */
  query(range: PressureRange, now: Date, regionIds?: readonly number[]): PressureSeries {
    this.advanceTo(now.getTime());
    const nowHour = Math.floor(Math.max(now.getTime(), this.clock) / HOUR_MS);
    const hourly = range === '24h' || range === '7d';
    const count = { '24h': 24, '7d': 168, '30d': 30, '12m': 365 }[range];
    const wanted = regionIds ? new Set(regionIds) : null;
    const regions = new Map<number, Record<UnitKind, Cell | undefined>>();
    for (const cell of this.cells.values()) {
      if (wanted && !wanted.has(cell.regionId)) continue;
      let r = regions.get(cell.regionId);
      if (!r) regions.set(cell.regionId, (r = {} as Record<UnitKind, Cell | undefined>));
      r[cell.kind] = cell;
    }
    for (const id of wanted ?? []) if (!regions.has(id)) regions.set(id, {} as never);

    // The buckets: for each, the hours it covers (from, to exclusive).
    const buckets: Array<{ time: string; from: number; to: number }> = [];
    if (hourly) {
      for (let h = nowHour - count + 1; h <= nowHour; h++)
        buckets.push({ time: new Date(h * HOUR_MS).toISOString(), from: h, to: h + 1 });
    } else {
      // Walk back hour by hour so daylight saving days get their 23 or 25 hours.
      let to = nowHour + 1;
      let h = nowHour;
      let day = this.dutchDayOf(h);
      while (buckets.length < count) {
        while (this.dutchDayOf(h - 1) === day) h--;
        buckets.push({ time: day, from: h, to });
        to = h;
        h -= 1;
        day = this.dutchDayOf(h);
      }
      buckets.reverse();
    }

    const sample = (cell: Cell | undefined, hour: number): [number, number] | null => {
      if (this.firstHour === null || hour < this.firstHour) return null;
      if (!cell) return [0, 0];
      if (hour >= this.nextHour) return [cell.places, cell.taken];
      const i = hour - this.firstHour;
      return [cell.placesAt.data[i]!, cell.takenAt.data[i]!];
    };
    const pointOf = (cells: Array<Cell | undefined>, from: number, to: number) => {
      let places = 0;
      let taken = 0;
      let seen = false;
      for (let h = from; h < to; h++)
        for (const cell of cells) {
          const s = sample(cell, h);
          if (!s) continue;
          seen = true;
          places += s[0];
          taken += s[1];
        }
      return seen && places > 0 ? Math.round((taken / places) * 10_000) / 10_000 : null;
    };

    const out: RegionSeries[] = [...regions.entries()]
      .sort(([a], [b]) => a - b)
      .map(([regionId, byKind]) => {
        const all = unitKinds.map((k) => byKind[k]);
        return {
          regionId,
          kinds: Object.fromEntries(
            unitKinds.map((k) => [k, buckets.map((b) => pointOf([byKind[k]], b.from, b.to))]),
          ) as RegionSeries['kinds'],
          total: buckets.map((b) => pointOf(all, b.from, b.to)),
        };
      });
    return {
      range,
      step: hourly ? 'hour' : 'day',
      times: buckets.map((b) => b.time),
      since: this.firstAt === null ? null : new Date(this.firstAt).toISOString(),
      regions: out,
    };
  }
}
