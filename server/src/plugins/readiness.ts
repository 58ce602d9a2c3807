import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '@opvangatlas/db';
import { withTimeout } from '../live/bus';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set by the entry point on SIGTERM: /api/ready says no, so load balancers move away. */
    lifecycle: { draining: boolean };
  }
}

export const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.object({ ok: z.boolean() }),
  bus: z.object({ ok: z.boolean() }),
  migrations: z.object({ ok: z.boolean(), applied: z.int().nullable(), expected: z.int() }),
  draining: z.boolean(),
  instance: z.string(),
});

/** The newest migration this build ships (db/migrations/meta/_journal.json). */
function shippedMigrations(): { count: number; newest: number } {
  const dbEntry = createRequire(import.meta.url).resolve('@opvangatlas/db');
  const journal = JSON.parse(
    readFileSync(join(dirname(dbEntry), '../migrations/meta/_journal.json'), 'utf8'),
  ) as { entries: Array<{ when: number }> };
  return {
    count: journal.entries.length,
    newest: Math.max(0, ...journal.entries.map((e) => e.when)),
  };
}

/**
 * Whether the database has every migration this build ships. drizzle's migrator records
 * each applied one with its journal time, so the newest applied must not be older than ours.
 */
async function migrationsApplied(database: Database, newest: number) {
  const result = await database.db.execute(
    sql`select count(*)::int as n, max(created_at)::text as newest from drizzle.__drizzle_migrations`,
  );
  const row = (result as unknown as { rows: Array<{ n: number; newest: string | null }> }).rows[0];
  return { applied: row?.n ?? 0, ok: Number(row?.newest ?? 0) >= newest };
}

const readyRoute: FastifyPluginAsyncZod = async (app) => {
  const shipped = shippedMigrations();
  app.get(
    '/ready',
    {
      schema: {
        tags: ['beheer'],
        summary: 'Readiness for load balancers: database, bus and migrations; 503 when not',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      let migrations = { ok: false, applied: null as number | null };
      // Each check answers within a second: a hung database reads as not ready, not as a hang.
      const [dbOk, busOk] = await Promise.all([
        withTimeout(
          migrationsApplied(app.database, shipped.newest).then((m) => {
            migrations = m;
            return true;
          }),
          1000,
        ),
        app.bus.healthy(),
      ]);
      const draining = app.lifecycle.draining;
      const ok = dbOk && busOk && migrations.ok && !draining;
      return reply.code(ok ? 200 : 503).send({
        status: ok ? 'ready' : 'not_ready',
        database: { ok: dbOk },
        bus: { ok: busOk },
        migrations: { ...migrations, expected: shipped.count },
        draining,
        instance: app.instanceId,
      });
    },
  );
};

/**
 * GET /api/ready: may this instance get traffic? (GET /api/health is liveness: is the process
 * alive.) Not ready while the database or the bus does not answer, a migration is missing, or
 * the instance is shutting down.
 */
export const readinessPlugin = fp(
  async (app) => {
    const lifecycle = { draining: false };
    app.decorate('lifecycle', lifecycle);
    // Shutting down: a request that finishes now closes its connection, so the process can
    // exit without waiting for keep-alive timeouts, and the client's next request goes elsewhere.
    app.addHook('onSend', async (_request, reply) => {
      if (lifecycle.draining) reply.header('connection', 'close');
    });
    await app.register(readyRoute, { prefix: '/api' });
  },
  { name: 'readiness', dependencies: ['services'] },
);
