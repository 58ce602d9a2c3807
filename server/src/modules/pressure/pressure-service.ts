import {
  addDays,
  dutchDate,
  NON_PLACEMENT_DAYS,
  pressureRows,
  type PressureBoard,
  type PressureSeries,
  type PressureSeriesQuery,
} from '@opvangatlas/shared';
import type { Database, Executor } from '@opvangatlas/db';
import { ForbiddenError } from '../../errors';
import { listLocations, toLocation } from '../locations/location-repository';
import { loadRegistrations, registrationsSince } from '../overflow/overflow-repository';
import { oversees, type Actor } from '../overflow/overflow-rules';
import {
  entriesSince,
  loadEntries,
  loadNonPlacements,
  nonPlacementsSince,
} from '../overflow/waitlist-repository';
import { listLiveRequestIds, loadRequests } from '../placements/placement-repository';
import { RECENT_MS } from '../placements/placement-live';
import { listRegionIds } from '../regions/region-repository';
import { listUnits, toUnit } from '../units/unit-repository';
import { HOUR_MS, OccupancySeries } from './occupancy-series';
import { loadUnitChanges, loadUnitsNow } from './pressure-repository';

/** Changes read per query while catching up, so a year of history is read in a few pages. */
const PAGE = 50_000;

/**
 * The coordinators' Druk view: the table of every region now (the same pure function the
 * web runs on its live slices) and the occupancy history from the event log. The history
 * is kept in memory as a compact hourly series (occupancy-series.ts), built once from the
 * log and then extended with the changes after the last seq it has, on every read.
 */
export class PressureService {
  private series: OccupancySeries | null = null;
  private pending: Promise<OccupancySeries> | null = null;
  private readonly answers = new Map<string, PressureSeries>();

  constructor(private readonly database: Database) {}

  private allow(viewer: Actor): void {
    if (!oversees(viewer)) throw new ForbiddenError('Alleen coördinatoren en beheerders');
  }

  async board(viewer: Actor, now = new Date()): Promise<PressureBoard> {
    this.allow(viewer);
    const today = dutchDate(now);
    const rows = await this.database.db.transaction(
      async (tx) => {
        const requestIds = await listLiveRequestIds(tx, new Date(now.getTime() - RECENT_MS));
        return pressureRows(
          await listRegionIds(tx),
          {
            units: (await listUnits(tx)).map(toUnit),
            locations: (await listLocations(tx)).map(toLocation),
            requests: (await loadRequests(tx, requestIds)).map((f) => f.request),
            overflow: await loadRegistrations(tx, registrationsSince(today)),
            waitlist: await loadEntries(tx, entriesSince(today)),
            nonPlacements: await loadNonPlacements(
              tx,
              nonPlacementsSince(addDays(today, -(NON_PLACEMENT_DAYS - 1))),
            ),
          },
          now,
        );
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    return { generatedAt: now.toISOString(), rows };
  }

  async history(
    viewer: Actor,
    query: PressureSeriesQuery,
    now = new Date(),
  ): Promise<PressureSeries> {
    this.allow(viewer);
    const series = await this.current();
    // Points only move with a new change or a new hour: every coordinator opening the
    // dashboard in between gets the same answer.
    const key = `${query.range}:${query.regionId ?? ''}:${series.lastSeq}:${Math.floor(now.getTime() / HOUR_MS)}`;
    const cached = this.answers.get(key);
    if (cached) return cached;
    const answer = series.query(
      query.range,
      now,
      query.regionId === undefined ? undefined : [query.regionId],
    );
    if (this.answers.size >= 64) this.answers.clear();
    this.answers.set(key, answer);
    return answer;
  }

  /** The series up to the latest committed change; one refresh at a time. */
  current(): Promise<OccupancySeries> {
    this.pending ??= this.refresh().finally(() => (this.pending = null));
    return this.pending;
  }

  private async refresh(): Promise<OccupancySeries> {
    if (!this.series) {
      // The units now and the log up to the same moment: one consistent read.
      this.series = await this.database.db.transaction(
        async (tx) => {
          const changes = await readAll(tx, 0);
          return new OccupancySeries(await loadUnitsNow(tx), changes);
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      );
      return this.series;
    }
    this.series.apply(await readAll(this.database.db, this.series.lastSeq));
    return this.series;
  }
}

async function readAll(ex: Executor, since: number) {
  const all = [];
  for (let from = since; ;) {
    const page = await loadUnitChanges(ex, from, PAGE);
    all.push(...page);
    if (page.length < PAGE) return all;
    from = page[page.length - 1]!.seq;
  }
}
