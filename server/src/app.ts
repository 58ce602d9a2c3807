import { randomUUID } from 'node:crypto';
import Fastify, { type FastifySchema, type FastifyServerOptions } from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Database } from '@opvangatlas/db';
import type { AppConfig } from './config/env';
import type { Bus } from './live/bus';
import { livePlugin, type LiveOptions } from './live/live-routes';
import { availabilityRoutes } from './modules/availability/availability-routes';
import { healthRoutes } from './modules/health/health-routes';
import { locationRoutes } from './modules/locations/location-routes';
import {
  municipalityRoutes,
  overflowRoutes,
  waitlistRoutes,
} from './modules/overflow/overflow-routes';
import { overflowTimersPlugin } from './modules/overflow/overflow-timers';
import { placementRoutes } from './modules/placements/placement-routes';
import { placementTimersPlugin } from './modules/placements/placement-timers';
import { swapRoutes } from './modules/swaps/swap-routes';
import { swapTriggersPlugin } from './modules/swaps/swap-triggers';
import { monitorRoutes } from './modules/monitor/monitor-routes';
import { pressureRoutes } from './modules/pressure/pressure-routes';
import { regionRoutes } from './modules/regions/region-routes';
import { sessionRoutes } from './modules/session/session-routes';
import { holdExpiryPlugin } from './modules/units/hold-expiry';
import { unitRoutes } from './modules/units/unit-routes';
import { authPlugin } from './plugins/auth';
import { compressionPlugin } from './plugins/compression';
import { errorHandlerPlugin, safeError } from './plugins/error-handler';
import { metricsPlugin } from './plugins/metrics';
import { openApiPlugin } from './plugins/openapi';
import { originCheckPlugin } from './plugins/origin-check';
import { readinessPlugin } from './plugins/readiness';
import {
  loggerOptions,
  RequestLogController,
  requestIdOf,
  requestLogPlugin,
} from './plugins/request-log';
import { securityHeadersPlugin } from './plugins/security-headers';
import { servicesPlugin } from './plugins/services';
import { webPlugin } from './plugins/web';

declare module 'fastify' {
  interface FastifyInstance {
    instanceId: string;
    /** Every route with its schema, as registered: the access matrix and fuzz tests walk it. */
    routeTable: ReadonlyArray<RouteEntry>;
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  websocket: boolean;
  schema: FastifySchema | undefined;
}

export interface AppDeps {
  config: AppConfig;
  database: Database;
  bus: Bus;
  /** Serve the built web app; off in API tests. */
  web?: boolean;
  /** Live hub tuning and extra live modules, for tests. */
  live?: LiveOptions;
  logger?: FastifyServerOptions['logger'];
}

/** Builds the app apart from listening, so tests can inject requests into it. */
export async function buildApp(deps: AppDeps) {
  const logger = deps.logger ?? loggerOptions(deps.config);
  const app = Fastify({
    // Every logged `err` goes through safeError: a failed query's parameters never reach the log.
    logger:
      typeof logger === 'object'
        ? { ...logger, serializers: { err: safeError, ...logger.serializers } }
        : logger,
    // One line per API request when it completes (plugins/request-log.ts), none per asset.
    logController: new RequestLogController(),
    genReqId: requestIdOf,
    bodyLimit: 64 * 1024,
    trustProxy: deps.config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('instanceId', randomUUID().slice(0, 8));
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routeTable.push({
        method,
        url: route.url,
        websocket: Boolean((route as { websocket?: boolean }).websocket),
        schema: route.schema,
      });
    }
  });

  await app.register(errorHandlerPlugin);
  await app.register(requestLogPlugin);
  await app.register(compressionPlugin);
  await app.register(securityHeadersPlugin, {
    production: deps.config.nodeEnv === 'production',
    mapStyleUrl: deps.config.mapStyleUrl,
  });
  // Before auth: a request from another origin is refused without touching the session.
  await app.register(originCheckPlugin, {
    publicOrigins: deps.config.publicOrigins,
    production: deps.config.nodeEnv === 'production',
  });
  await app.register(openApiPlugin);
  await app.register(servicesPlugin, {
    config: deps.config,
    database: deps.database,
    bus: deps.bus,
  });
  await app.register(authPlugin);
  await app.register(readinessPlugin);
  await app.register(livePlugin, { heartbeatMs: deps.config.liveHeartbeatMs, ...deps.live });
  await app.register(metricsPlugin);
  await app.register(holdExpiryPlugin);
  await app.register(placementTimersPlugin);
  await app.register(swapTriggersPlugin);
  await app.register(overflowTimersPlugin);
  for (const routes of [
    healthRoutes,
    sessionRoutes,
    regionRoutes,
    availabilityRoutes,
    unitRoutes,
    locationRoutes,
    placementRoutes,
    swapRoutes,
    overflowRoutes,
    waitlistRoutes,
    municipalityRoutes,
    pressureRoutes,
    monitorRoutes,
  ]) {
    await app.register(routes, { prefix: '/api' });
  }
  if (deps.web) await app.register(webPlugin, { buildDir: deps.config.webBuildDir });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
