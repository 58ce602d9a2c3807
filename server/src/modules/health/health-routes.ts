import { sql } from 'drizzle-orm';
import { Health } from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { withTimeout } from '../../live/bus';

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['beheer'],
        summary: 'Liveness: 200 while the process answers; database and bus state for people',
        description:
          'Load balancers use GET /api/ready, which says 503 when this instance should get no traffic.',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      // Both checks answer within a second, so a hung database or Redis reads as degraded
      // instead of hanging the load balancer's probe.
      const [dbOk, busOk] = await Promise.all([
        withTimeout(
          app.database.db.execute(sql`select 1`).then(() => true),
          1000,
        ),
        app.bus.healthy(),
      ]);
      const ok = dbOk && busOk;
      // Liveness: a database outage is no reason to restart every instance (GET /api/ready).
      return reply.code(200).send({
        status: ok ? 'ok' : 'degraded',
        database: { ok: dbOk, driver: app.database.driver },
        bus: { ok: busOk, kind: app.bus.kind },
        seq: app.live.seq,
        instance: app.instanceId,
      });
    },
  );
};
