import type { Database } from '@opvangatlas/db';
import type { Location, OwnLocation, SessionUser, Unit } from '@opvangatlas/shared';
import { NotFoundError } from '../../errors';
import type { Bus } from '../../live/bus';
import { runChange } from '../events/change-runner';
import { appendEvent } from '../events/event-repository';
import { access, assertAccess } from '../session/access';
import { listUnits, toUnit } from '../units/unit-repository';
import {
  findLocation,
  listLocations,
  markConfirmed,
  toLocation,
  toOwnLocation,
} from './location-repository';

export class LocationService {
  constructor(
    private readonly deps: {
      database: Database;
      bus: Bus;
      now?: () => Date;
      onPublishError?: (err: unknown) => void;
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
    if (!row) throw new NotFoundError('Locatie niet gevonden');
    assertAccess(
      access.isOwnOrganisation(viewer, row.organisationId),
      'Dit is geen locatie van jouw organisatie',
    );
    const units = await listUnits(db, { locationId: id });
    return { location: toOwnLocation(row), units: units.map(toUnit) };
  }

  /** "Klopt nog": the VO says the location's figures are still right, which refreshes freshness. */
  confirm(viewer: SessionUser, id: number): Promise<Location> {
    const { database, bus, onPublishError } = this.deps;
    const now = this.deps.now?.() ?? new Date();
    return runChange(
      database,
      bus,
      async (tx) => {
        const row = await findLocation(tx, id);
        if (!row) throw new NotFoundError('Locatie niet gevonden');
        assertAccess(
          access.changesUnitOf(viewer, row.organisationId),
          'Alleen je eigen organisatie kan deze locatie bevestigen',
        );
        await markConfirmed(tx, id, now, viewer.id);
        const location = toLocation((await findLocation(tx, id))!);
        const event = await appendEvent(tx, {
          type: 'location.confirmed',
          actorUserId: viewer.id,
          organisationId: location.organisationId,
          regionId: location.regionId,
          location,
        });
        return { result: location, events: [event] };
      },
      onPublishError,
    );
  }
}
