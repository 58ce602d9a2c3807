import type { Database } from '@opvangatlas/db';
import type { Location, OwnLocation, SessionUser, Unit } from '@opvangatlas/shared';
import { AppError } from '../../errors';
import type { ChangeRunner } from '../events/change-runner';
import { access, assertAccess } from '../session/access';
import { listUnits, toUnit } from '../units/unit-repository';
import { findLocation, listLocations, toOwnLocation } from './location-repository';
import { confirmLocation } from './location-transitions';

export class LocationService {
  constructor(
    private readonly deps: {
      database: Database;
      changes: ChangeRunner;
    },
  ) {}

  /** The viewer's own organisation's locations, addresses included. */
  async listOwn(viewer: SessionUser): Promise<OwnLocation[]> {
    if (viewer.organisationId === null) return [];
    const rows = await listLocations(this.deps.database.db, {
      organisationId: viewer.organisationId,
    });
    return rows.map(toOwnLocation);
  }

  async ownWithUnits(
    viewer: SessionUser,
    id: number,
  ): Promise<{ location: OwnLocation; units: Unit[] }> {
    const db = this.deps.database.db;
    const row = await findLocation(db, id);
    if (!row) throw new AppError('location_not_found', 'Locatie niet gevonden');
    assertAccess(
      access.isOwnOrganisation(viewer, row.organisationId),
      'Dit is geen locatie van jouw organisatie',
    );
    const units = await listUnits(db, { locationId: id });
    return { location: toOwnLocation(row), units: units.map(toUnit) };
  }

  /** "Klopt nog": the VO says the location's figures are still right, which refreshes freshness. */
  confirm(viewer: SessionUser, id: number): Promise<Location> {
    return this.deps.changes.run(async (ctx) => {
      const row = await findLocation(ctx.tx, id);
      if (!row) throw new AppError('location_not_found', 'Locatie niet gevonden');
      assertAccess(
        access.changesUnitOf(viewer, row.organisationId),
        'Alleen je eigen organisatie kan deze locatie bevestigen',
      );
      return confirmLocation(ctx, viewer.id, id);
    });
  }
}
