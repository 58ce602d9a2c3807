import fp from 'fastify-plugin';
import type { Database } from '@opvangatlas/db';
import type { AppConfig } from '../config/env';
import type { Bus } from '../live/bus';
import { AvailabilityService } from '../modules/availability/availability-service';
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
    const onPublishError = (err: unknown) =>
      app.log.warn({ err }, 'publish failed; other instances catch up from the events table');
    app.decorate('config', config);
    app.decorate('database', database);
    app.decorate('bus', bus);
    app.decorate('services', {
      units: new UnitService({ database, bus, holdMinutes: config.holdMinutes, onPublishError }),
      locations: new LocationService({ database, bus, onPublishError }),
      availability: new AvailabilityService(database),
      sessions: new SessionService(database, config.sessionHours),
    });
  },
  { name: 'services' },
);
