import { eq } from 'drizzle-orm';
import { regions, type Database } from '@opvangatlas/db';
import { dutchDate, municipalityCsv, type MunicipalityFigures } from '@opvangatlas/shared';
import { AppError, ForbiddenError } from '../../errors';
import type { ChangeRunner } from '../events/change-runner';
import {
  countCapacity,
  loadCapacity,
  loadCapacityDays,
  sameCapacity,
  storeCapacity,
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
          capacity: (await loadCapacity(tx, regionId)).get(regionId) ?? null,
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
   * Sweep: every region's places, occupancy and herkomst counted again; each region whose
   * count or day changed is stored and announced to its municipality. Run by every
   * instance; the conditional store lets one of them announce a change.
   */
  async refreshCapacity(now = new Date()): Promise<number> {
    const day = dutchDate(now);
    const db = this.deps.database.db;
    const counts = await countCapacity(db);
    const stored = await loadCapacityDays(db);
    let changed = 0;
    for (const [regionId, snapshot] of counts) {
      // Nothing new for this region: no transaction at all (the common case, every sweep).
      const before = stored.get(regionId);
      if (before?.day === day && sameCapacity(before.figures, snapshot)) continue;
      const done = await this.deps.changes.run(async (ctx) => {
        if (!(await storeCapacity(ctx.tx, regionId, day, snapshot, ctx.now))) return false;
        ctx.emit(capacityEvent(regionId, day, snapshot));
        return true;
      });
      if (done) changed += 1;
    }
    return changed;
  }
}
