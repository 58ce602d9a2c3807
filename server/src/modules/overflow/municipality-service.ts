import { eq } from 'drizzle-orm';
import { regions, type Database } from '@opvangatlas/db';
import { dutchDate, municipalityCsv, type MunicipalityFigures } from '@opvangatlas/shared';
import { AppError, ForbiddenError } from '../../errors';
import type { ChangeRunner } from '../events/change-runner';
import {
  countCapacity,
  loadCapacityDays,
  loadCapacityUnits,
  storeCapacityDay,
} from './capacity-repository';
import { municipalityFigures } from './municipality-figures';
import { capacityEvent, figuresSince } from './overflow-live';
import { loadRegistrations, registrationsSince } from './overflow-repository';
import { oversees, type Actor } from './overflow-rules';
import {
  entriesSince,
  loadEntries,
  loadNonPlacements,
  nonPlacementsSince,
} from './waitlist-repository';

export interface MunicipalityServiceDeps {
  database: Database;
  changes: ChangeRunner;
}

/**
 * The municipality view (Gemeente): its own region's figures, computed with the same pure
 * function as the live module (municipality-figures.ts), from the database here. A
 * municipality officer reads only its own region; coordinators and admins any.
 */
export class MunicipalityService {
  /** The day startDay last finished on this instance: the sweeps in between query nothing. */
  private dayStarted: string | null = null;

  constructor(private readonly deps: MunicipalityServiceDeps) {}

  /** Which region the viewer may read: the officer's own, or (oversight) the one asked for. */
  private regionFor(viewer: Actor, asked: number | undefined): number {
    if (viewer.role === 'municipality') {
      if (viewer.regionId === null) throw new AppError('no_region', 'Geen regio gekoppeld');
      if (asked !== undefined && asked !== viewer.regionId)
        throw new AppError('not_own_region', 'Je ziet alleen de cijfers van je eigen regio');
      return viewer.regionId;
    }
    if (!oversees(viewer)) throw new ForbiddenError('Alleen gemeenten en coördinatoren');
    if (asked === undefined) {
      if (viewer.regionId === null)
        throw new AppError('validation', 'Geef een regio op', {
          fields: [{ path: 'regionId', code: 'required', message: 'Geef een regio op' }],
        });
      return viewer.regionId;
    }
    return asked;
  }

  async figures(viewer: Actor, asked?: number, now = new Date()): Promise<MunicipalityFigures> {
    const regionId = this.regionFor(viewer, asked);
    const today = dutchDate(now);
    const since = figuresSince(today);
    return this.deps.database.db.transaction(
      async (tx) => {
        const [region] = await tx
          .select({ id: regions.id, inhabitants: regions.inhabitants })
          .from(regions)
          .where(eq(regions.id, regionId));
        if (!region) throw new AppError('not_found', 'Regio niet gevonden');
        return municipalityFigures({
          regionId,
          today,
          registrations: await loadRegistrations(tx, registrationsSince(since, regionId)),
          waitlist: await loadEntries(tx, entriesSince(since, { regionId })),
          nonPlacements: await loadNonPlacements(tx, nonPlacementsSince(since, { regionId })),
          capacity: countCapacity(await loadCapacityUnits(tx, regionId)),
          inhabitants: region.inhabitants,
        });
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  async csv(viewer: Actor, asked?: number): Promise<{ filename: string; body: string }> {
    const figures = await this.figures(viewer, asked);
    const [region] = await this.deps.database.db
      .select({ name: regions.name })
      .from(regions)
      .where(eq(regions.id, figures.regionId));
    const name = region?.name ?? String(figures.regionId);
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return {
      filename: `opvangatlas-${slug}-${figures.asOf}.csv`,
      body: municipalityCsv(figures, name),
    };
  }

  /**
   * Sweep: once per Dutch day, an event per region that carries its municipality's figures
   * to the new date (`asOf`, year-to-date), even where nothing else happens that day. Run by
   * every instance; the conditional store lets one of them send it. How many it sent.
   */
  async startDay(now = new Date()): Promise<number> {
    const day = dutchDate(now);
    if (this.dayStarted !== null && this.dayStarted >= day) return 0;
    const db = this.deps.database.db;
    const stored = await loadCapacityDays(db);
    let started = 0;
    for (const { id } of await db.select({ id: regions.id }).from(regions)) {
      const last = stored.get(id);
      if (last !== undefined && last >= day) continue;
      const done = await this.deps.changes.run(async (ctx) => {
        const capacity = countCapacity(await loadCapacityUnits(ctx.tx, id));
        if (!(await storeCapacityDay(ctx.tx, id, day, capacity, ctx.now))) return false;
        ctx.emit(capacityEvent(id, day, capacity));
        return true;
      });
      if (done) started += 1;
    }
    this.dayStarted = day;
    return started;
  }
}
