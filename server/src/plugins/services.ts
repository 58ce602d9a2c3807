import fp from 'fastify-plugin';
import type { Database } from '@opvangatlas/db';
import type { AppConfig } from '../config/env';
import type { Bus } from '../live/bus';
import { AvailabilityService } from '../modules/availability/availability-service';
import { ChangeRunner } from '../modules/events/change-runner';
import { LocationService } from '../modules/locations/location-service';
import { SessionService } from '../modules/session/session-service';
import { UnitService } from '../modules/units/unit-service';

export interface Services {
  units: UnitService;
  locations: LocationService;
  availability: AvailabilityService;
  sessions: SessionService;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: AppConfig;
    database: Database;
    bus: Bus;
    changes: ChangeRunner;
    services: Services;
  }
}

export interface ServicesOptions {
  config: AppConfig;
  database: Database;
  bus: Bus;
}

/** Wires the injected database and bus into the services; everything else depends on it. */
export const servicesPlugin = fp<ServicesOptions>(
  async (app, { config, database, bus }) => {
    const changes = new ChangeRunner(database, bus);
    app.decorate('config', config);
    app.decorate('database', database);
    app.decorate('bus', bus);
    app.decorate('changes', changes);
    app.decorate('services', {
      units: new UnitService({
        database,
        changes,
        holdMinutes: config.holdMinutes,
        holdCaps: config.holdCaps,
      }),
      locations: new LocationService({ database, changes }),
      availability: new AvailabilityService(database),
      sessions: new SessionService(database, config.sessionHours, bus),
    });
  },
  { name: 'services' },
);
