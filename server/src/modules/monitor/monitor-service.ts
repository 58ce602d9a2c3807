import type { Database } from '@opvangatlas/db';
import type { MonitorFigures, MonitorQuery } from '@opvangatlas/shared';
import { AppError, ForbiddenError } from '../../errors';
import { loadRegistrations } from '../overflow/overflow-repository';
import { oversees, type Actor } from '../overflow/overflow-rules';
import { loadEntries, loadNonPlacements } from '../overflow/waitlist-repository';
import { monitorFigures } from './monitor-figures';
import { loadMonitorChanges, loadMonitorUnits, loadPlacedArrivals } from './monitor-repository';

/**
 * The yearly Monitor Veilige Opvang export (monitor-figures.ts). Coordinators and admins see
 * any region or all, unsuppressed on screen; a municipality its own region only. Small
 * numbers are hidden in everything that leaves the coordinators: the municipality's view
 * and every CSV file.
 */
export class MonitorService {
  constructor(private readonly database: Database) {}

  async figures(
    viewer: Actor,
    query: MonitorQuery,
    opts: { export: boolean },
    now = new Date(),
  ): Promise<MonitorFigures> {
    let regionId = query.regionId ?? null;
    if (viewer.role === 'municipality') {
      if (viewer.regionId === null) throw new AppError('no_region', 'Geen regio gekoppeld');
      if (regionId !== null && regionId !== viewer.regionId)
        throw new AppError('not_own_region', 'Je ziet alleen de cijfers van je eigen regio');
      regionId = viewer.regionId;
    } else if (!oversees(viewer)) {
      throw new ForbiddenError('Alleen coördinatoren, beheerders en gemeenten');
    }
    const suppress = opts.export || viewer.role === 'municipality';
    return this.database.db.transaction(
      async (tx) =>
        monitorFigures(
          {
            year: query.year,
            regionId,
            now,
            changes: await loadMonitorChanges(tx),
            units: await loadMonitorUnits(tx),
            overflow: await loadRegistrations(tx, undefined),
            waitlist: await loadEntries(tx, undefined),
            nonPlacements: await loadNonPlacements(tx, undefined),
            placedArrivals: await loadPlacedArrivals(tx),
          },
          suppress,
        ),
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }
}
