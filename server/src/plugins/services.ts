import fp from 'fastify-plugin';
import type { Database } from '@opvangatlas/db';
import type { AppConfig } from '../config/env';
import type { Bus } from '../live/bus';
import { AvailabilityService } from '../modules/availability/availability-service';
import { ChangeRunner } from '../modules/events/change-runner';
import { LocationService } from '../modules/locations/location-service';
import { MunicipalityService } from '../modules/overflow/municipality-service';
import { OverflowService } from '../modules/overflow/overflow-service';
import { WaitlistService } from '../modules/overflow/waitlist-service';
import { PlacementService } from '../modules/placements/placement-service';
import { MonitorService } from '../modules/monitor/monitor-service';
import { AlertRuleService } from '../modules/pressure/alert-rule-service';
import { PressureService } from '../modules/pressure/pressure-service';
import { SessionService } from '../modules/session/session-service';
import { SwapService } from '../modules/swaps/swap-service';
import { UnitService } from '../modules/units/unit-service';

export interface Services {
  units: UnitService;
  locations: LocationService;
  availability: AvailabilityService;
  sessions: SessionService;
  placements: PlacementService;
  overflow: OverflowService;
  waitlist: WaitlistService;
  municipality: MunicipalityService;
  swaps: SwapService;
  pressure: PressureService;
  alertRules: AlertRuleService;
  monitor: MonitorService;
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
        holdExtension: config.holdExtension,
        holdCaps: config.holdCaps,
      }),
      locations: new LocationService({ database, changes }),
      availability: new AvailabilityService(database),
      sessions: new SessionService({
        database,
        changes,
        bus,
        sessionHours: config.sessionHours,
        idleMinutes: config.sessionIdleMinutes,
      }),
      placements: new PlacementService({
        database,
        changes,
        ladders: config.placementLadders,
        retentionDays: config.placementRetentionDays,
      }),
      overflow: new OverflowService({
        database,
        changes,
        graceMinutes: config.overflowGraceMinutes,
      }),
      waitlist: new WaitlistService({
        database,
        changes,
        placements: () => app.services.placements,
      }),
      municipality: new MunicipalityService({ database, changes }),
      swaps: new SwapService({
        database,
        changes,
        deadlines: config.swapDeadlines,
        log: app.log,
      }),
      pressure: new PressureService(database),
      alertRules: new AlertRuleService({ database, changes, log: app.log }),
      monitor: new MonitorService(database),
    });
    // The swap solver's worker thread (usually closed already, in the swap triggers' preClose).
    app.addHook('onClose', () => app.services.swaps.close());
  },
  { name: 'services' },
);
