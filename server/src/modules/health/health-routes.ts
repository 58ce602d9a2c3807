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
        summary: 'Database and bus state',
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
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        database: { ok: dbOk, driver: app.database.driver },
        bus: { ok: busOk, kind: app.bus.kind },
        seq: app.live.seq,
        instance: app.instanceId,
      });
    },
  );
};
