import { timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ForbiddenError } from '../errors';
import { withTimeout } from '../live/bus';

/** Holds ending within this time count as "expiring". */
const EXPIRING_SOON_MS = 5 * 60_000;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Who may read /metrics: a scraper on this machine (loopback, and not relayed by a proxy on
 * it: no X-Forwarded-For or Forwarded header), or anyone with `Authorization: Bearer
 * <METRICS_TOKEN>`. The figures are no personal data, but they tell how full the country's
 * shelters are and how busy each instance is: not for the internet.
 */
function mayRead(request: FastifyRequest, token: string | undefined): boolean {
  const auth = request.headers.authorization;
  if (token && typeof auth === 'string' && auth.startsWith('Bearer ')) {
    return sameSecret(auth.slice('Bearer '.length), token);
  }
  const relayed =
    request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return !relayed && LOOPBACK.test(request.socket.remoteAddress ?? '');
}

/**
 * Prometheus metrics of this instance at GET /metrics: request latency per route, websocket
 * clients, bus lag, events applied, holds (active, expiring, expired) and escalations, plus
 * Node's process metrics. One
 * registry per app, so several apps in one process (tests) do not share counters.
 */
export const metricsPlugin = fp<{ defaultMetrics?: boolean }>(
  async (app, { defaultMetrics = true }) => {
    const register = new Registry();
    if (defaultMetrics) collectDefaultMetrics({ register });
    const registers = [register];

    const requestDuration = new Histogram({
      name: 'opvangatlas_http_request_duration_seconds',
      help: 'API request latency by route template and status',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url;
      // The web app's pages and assets are served by one catch-all route: not measured here.
      if (route === '/*') return;
      requestDuration.observe(
        { method: request.method, route: route ?? 'unmatched', status_code: reply.statusCode },
        reply.elapsedTime / 1000,
      );
    });

    new Gauge({
      name: 'opvangatlas_live_clients',
      help: 'Websocket clients connected to this instance',
      registers,
      collect() {
        this.set(app.live.clientCount);
      },
    });
    new Gauge({
      name: 'opvangatlas_live_seq',
      help: 'Highest event seq this instance has applied (compare instances to see one lag)',
      registers,
      collect() {
        this.set(app.live.seq);
      },
    });
    let countedSeq = 0;
    new Counter({
      name: 'opvangatlas_events_total',
      help: 'Events applied by this instance since it started (rate() gives events per second)',
      registers,
      collect() {
        const seq = app.live.seq;
        if (seq > countedSeq) this.inc(seq - countedSeq);
        countedSeq = seq;
      },
    });

    const busLag = new Histogram({
      name: 'opvangatlas_bus_lag_seconds',
      help: 'From an event being written to its bus message reaching this instance',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    const holdsExpired = new Counter({
      name: 'opvangatlas_holds_expired_total',
      help: 'Holds released because their time ran out (by any instance), seen by this one',
      registers,
    });
    const escalations = new Counter({
      name: 'opvangatlas_escalations_total',
      help: 'Escalations (event types ending in .escalated: placement requests, overflow check-ins), by any instance, seen by this one',
      labelNames: ['type'] as const,
      registers,
    });
    // A message can come twice (this instance's own, echoed by Redis): count each seq once.
    const counted = new Set<number>();
    const unsubscribe = app.bus.subscribe((msg) => {
      if (msg.kind !== 'events') return;
      const last = msg.events.at(-1)!;
      busLag.observe(Math.max(0, Date.now() - Date.parse(last.at)) / 1000);
      for (const e of msg.events) {
        const expired = e.type === 'unit.hold_expired';
        const escalated = e.type.endsWith('.escalated');
        if ((!expired && !escalated) || counted.has(e.seq)) continue;
        counted.add(e.seq);
        if (counted.size > 10_000) counted.clear();
        if (expired) holdsExpired.inc();
        else escalations.inc({ type: e.type });
      }
    });
    app.addHook('onClose', async () => unsubscribe());

    // One query per scrape, within a second, shared by the two gauges that show it.
    type Holds = { active: number; expiring: number };
    let probe: Promise<Holds | undefined> | null = null;
    const probeDatabase = () =>
      (probe ??= (async () => {
        let holds: Holds | undefined;
        const soon = new Date(Date.now() + EXPIRING_SOON_MS).toISOString();
        await withTimeout(
          app.database.db
            .execute(
              sql`select count(*)::int as active,
                count(*) filter (where held_until <= ${soon}::timestamptz)::int as expiring
                from units where status = 'held'`,
            )
            .then((r) => {
              holds = (r as unknown as { rows: Holds[] }).rows[0];
              return true;
            }),
          1000,
        );
        return holds;
      })().finally(() => {
        probe = null;
      }));
    new Gauge({
      name: 'opvangatlas_database_up',
      help: '1 when the database answered this scrape within a second',
      registers,
      async collect() {
        this.set((await probeDatabase()) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'opvangatlas_holds',
      help: 'Units held now, and those whose hold ends within 5 minutes',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const holds = await probeDatabase();
        if (!holds) return; // the last known figures stay; opvangatlas_database_up says why
        this.set({ state: 'active' }, holds.active);
        this.set({ state: 'expiring' }, holds.expiring);
      },
    });

    app.addHook('onReady', async () => {
      countedSeq = app.live.seq;
    });

    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (!mayRead(request, app.config.metricsToken)) {
        throw new ForbiddenError(
          'Metrics only from this machine, or with Authorization: Bearer <METRICS_TOKEN>',
        );
      }
      return reply.type(register.contentType).send(await register.metrics());
    });
  },
  { name: 'metrics', dependencies: ['services', 'live'] },
);
