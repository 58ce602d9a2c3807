import { sql } from 'drizzle-orm';
import { Health } from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { maxSeq } from '../events/event-repository';

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
      const dbOk = await app.database.db.execute(sql`select 1`).then(
        () => true,
        () => false,
      );
      const seq = dbOk ? await maxSeq(app.database.db).catch(() => null) : null;
      const busOk = await app.bus.healthy();
      const ok = dbOk && busOk;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        database: { ok: dbOk, driver: app.database.driver },
        bus: { ok: busOk, kind: app.bus.kind },
        seq,
        instance: app.instanceId,
      });
    },
  );
};
