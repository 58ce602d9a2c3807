import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyServerOptions } from 'fastify';
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
import { regionRoutes } from './modules/regions/region-routes';
import { sessionRoutes } from './modules/session/session-routes';
import { holdExpiryPlugin } from './modules/units/hold-expiry';
import { unitRoutes } from './modules/units/unit-routes';
import { authPlugin } from './plugins/auth';
import { errorHandlerPlugin, safeError } from './plugins/error-handler';
import { openApiPlugin } from './plugins/openapi';
import { originCheckPlugin } from './plugins/origin-check';
import { securityHeadersPlugin } from './plugins/security-headers';
import { servicesPlugin } from './plugins/services';
import { webPlugin } from './plugins/web';

declare module 'fastify' {
  interface FastifyInstance {
    instanceId: string;
  }
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
  const logger = deps.logger ?? { level: deps.config.logLevel };
  const app = Fastify({
    // Every logged `err` goes through safeError: a failed query's parameters never reach the log.
    logger:
      typeof logger === 'object'
        ? { ...logger, serializers: { err: safeError, ...logger.serializers } }
        : logger,
    bodyLimit: 64 * 1024,
    trustProxy: deps.config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('instanceId', randomUUID().slice(0, 8));

  await app.register(errorHandlerPlugin);
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
  await app.register(livePlugin, deps.live ?? {});
  await app.register(holdExpiryPlugin);
  for (const routes of [
    healthRoutes,
    sessionRoutes,
    regionRoutes,
    availabilityRoutes,
    unitRoutes,
    locationRoutes,
  ]) {
    await app.register(routes, { prefix: '/api' });
  }
  if (deps.web) await app.register(webPlugin, { buildDir: deps.config.webBuildDir });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
