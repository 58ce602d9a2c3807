import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/src/app';
import { testConfig } from '../../server/src/config/env';
import type { Bus } from '../../server/src/live/bus';
import { createBackend, type TestBackend } from '../support/backend';
import { getUnits, sessionUser } from '../support/fixtures';
import { captureLogs } from '../support/log-capture';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Operations (issue 12): liveness and readiness for load balancers, Prometheus metrics and
 * who may read them, request ids, and one structured log line per API request (none per
 * static asset, never a query string).
 */

let backend: TestBackend;
let instance: Instance;
let app: App;
let worker: string;

beforeAll(async () => {
  backend = await createBackend();
  instance = await startInstance(backend);
  app = instance.app;
  worker = await login(app, demoEmail('vo_worker'));
});
afterAll(async () => {
  await instance?.close();
  await backend?.close();
});

const metric = (text: string, name: string) =>
  Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('health and readiness', () => {
  it('says alive and ready, with database, bus and migrations', async () => {
    expect((await app.inject({ url: '/api/health' })).statusCode).toBe(200);
    const ready = await app.inject({ url: '/api/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      database: { ok: true },
      bus: { ok: true },
      migrations: { ok: true },
      draining: false,
    });
    expect(ready.json().migrations.applied).toBe(ready.json().migrations.expected);
  });

  it('is not ready while shutting down, while the bus is down or a migration is missing; still alive', async () => {
    app.lifecycle.draining = true;
    expect((await app.inject({ url: '/api/ready' })).json()).toMatchObject({
      status: 'not_ready',
      draining: true,
    });
    app.lifecycle.draining = false;

    const own = await createBackend();
    try {
      const bus = await own.openBus();
      const broken: Bus = { ...bus, healthy: async () => false };
      const sick = await buildApp({ config: own.config, database: own.database, bus: broken });
      await sick.ready();
      const res = await sick.inject({ url: '/api/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ bus: { ok: false }, database: { ok: true } });
      // Liveness stays 200: a dependency down is no reason to restart the process.
      expect((await sick.inject({ url: '/api/health' })).statusCode).toBe(200);
      // A build newer than the database: the last migration is not applied.
      await own.database.db.execute(
        sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
      );
      const behind = await sick.inject({ url: '/api/ready' });
      expect(behind.json().migrations).toMatchObject({ ok: false });
      await sick.close();
    } finally {
      await own.close();
    }
  });
});

describe('metrics', () => {
  it('counts requests by route, websocket clients, events, holds and bus lag', async () => {
    const before = await app.inject({ url: '/metrics' });
    expect(before.statusCode).toBe(200);
    expect(before.headers['content-type']).toMatch(/^text\/plain/);
    const eventsBefore = metric(before.body, 'opvangatlas_events_total');

    const client = await TestLiveClient.connect(instance.wsUrl, worker);
    await client.waitFor((c) => c.state.ready);
    const me = await sessionUser(app, worker);
    const unit = (await getUnits(app, worker)).find(
      (u) => u.organisationId !== me.organisationId && u.status === 'free',
    )!;
    const held = await app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: worker },
      payload: { minutes: 5 },
    });
    expect(held.statusCode).toBe(200);
    await client.waitFor((c) => c.state.units.get(unit.id)?.status === 'held');
    expect(await app.services.units.expireHolds(new Date(Date.now() + 6 * 60_000))).toBe(1);
    await client.waitFor((c) => c.state.units.get(unit.id)?.status === 'free');

    const text = (await app.inject({ url: '/metrics' })).body;
    for (const name of [
      'opvangatlas_http_request_duration_seconds_bucket',
      'opvangatlas_live_clients',
      'opvangatlas_live_seq',
      'opvangatlas_events_total',
      'opvangatlas_bus_lag_seconds_count',
      'opvangatlas_holds_expired_total',
      'opvangatlas_holds{state="active"}',
      'opvangatlas_holds{state="expiring"}',
      '# TYPE opvangatlas_escalations_total counter',
      'opvangatlas_database_up',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name.replace(/[{}]/g, '\\$&')}`, 'm'));
    }
    expect(text).toMatch(
      /opvangatlas_http_request_duration_seconds_count\{method="POST",route="\/api\/units\/:id\/hold",status_code="200"\} 1/,
    );
    expect(metric(text, 'opvangatlas_live_clients')).toBe(1);
    expect(metric(text, 'opvangatlas_events_total') - eventsBefore).toBeGreaterThanOrEqual(2);
    expect(metric(text, 'opvangatlas_holds_expired_total')).toBe(1);
    expect(metric(text, 'opvangatlas_bus_lag_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(metric(text, 'opvangatlas_database_up')).toBe(1);
    await client.close();
  });

  it('lets only this machine read them, or whoever has the METRICS_TOKEN', async () => {
    const viaProxy = { 'x-forwarded-for': '203.0.113.9' };
    expect((await app.inject({ url: '/metrics', headers: viaProxy })).statusCode).toBe(403);
    expect(
      (await app.inject({ url: '/metrics', headers: { forwarded: 'for=203.0.113.9' } })).statusCode,
    ).toBe(403);
    const remote = await app.inject({ url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().message).toMatch(/METRICS_TOKEN/);

    const token = 'metrics-token-for-the-test-123';
    const own = await createBackend({ metricsToken: token });
    try {
      const withToken = await buildApp({
        config: own.config,
        database: own.database,
        bus: await own.openBus(),
      });
      const get = (headers: Record<string, string>) =>
        withToken.inject({ url: '/metrics', remoteAddress: '203.0.113.9', headers });
      expect((await get({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
      expect((await get({ authorization: `Bearer ${token}x` })).statusCode).toBe(403);
      expect((await get({ authorization: 'Bearer ' })).statusCode).toBe(403);
      expect((await get({})).statusCode).toBe(403);
      await withToken.close();
    } finally {
      await own.close();
    }
  });
});

describe('request ids and request logs', () => {
  it('gives every response a request id, keeping a sane one from a proxy', async () => {
    const own = await app.inject({ url: '/api/health' });
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await app.inject({ url: '/api/health', headers: { 'x-request-id': 'lb-4711.a' } });
    expect(kept.headers['x-request-id']).toBe('lb-4711.a');
    const replaced = await app.inject({
      url: '/api/health',
      headers: { 'x-request-id': 'bad id\n{"level":60}' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one JSON line per API request with its id, route and status, and no query string', async () => {
    const log = captureLogs('operations-request-lines');
    const own = await buildApp({
      config: { ...backend.config, logDestination: log, logLevel: 'info' },
      database: backend.database,
      bus: await backend.openBus(),
    });
    const res = await own.inject({
      url: '/api/units?regionId=7&kind=noodbed',
      headers: { cookie: worker, 'x-request-id': 'req-lines-1' },
    });
    expect(res.statusCode).toBe(200);
    await own.inject({ url: '/api/ready' }); // a probe: at debug, not at info
    await own.close();
    const lines = log.lines().filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      reqId: 'req-lines-1',
      method: 'GET',
      route: '/api/units',
      path: '/api/units',
      status: 200,
    });
    expect(JSON.stringify(log.lines())).not.toMatch(/regionId|noodbed|\?/);
  });

  const webBuild = testConfig().webBuildDir;
  it.skipIf(!['index.html', 'handler.js'].some((f) => existsSync(resolve(webBuild, f))))(
    'writes no line for a static asset or a page, but does for the API',
    async () => {
      const log = captureLogs('operations-static');
      const web = await buildApp({
        config: { ...backend.config, logDestination: log, logLevel: 'info' },
        database: backend.database,
        bus: await backend.openBus(),
        web: true,
      });
      await web.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(web.server.address() as { port: number }).port}`;
      const page = await fetch(`${base}/login`);
      expect(page.status).toBe(200);
      const asset = /\/_app\/[^"]+\.js/.exec(await page.text())?.[0];
      expect(asset).toBeTruthy();
      // Each body read to its end: a response still streaming (compressed on a busy machine)
      // when close() is called leaves a keep-alive connection that close() waits out.
      const status = async (path: string) => {
        const res = await fetch(`${base}${path}`);
        await res.arrayBuffer();
        return res.status;
      };
      expect(await status(asset!)).toBe(200);
      expect(await status('/favicon.ico')).toBeLessThan(500);
      expect(await status('/api/regions')).toBe(200);
      await web.close();
      const requests = log.lines().filter((l) => l.msg === 'request');
      expect(requests.map((l) => l.path)).toEqual(['/api/regions']);
    },
  );
});

describe('live stream status', () => {
  it('puts the database state in heartbeats', async () => {
    const own = await startInstance(backend, { live: { heartbeatMs: 100 } });
    try {
      const client = await TestLiveClient.connect(own.wsUrl, worker);
      await client.waitFor((c) => c.frames.some((f) => f.includes('"heartbeat"')));
      const beat = JSON.parse(client.frames.find((f) => f.includes('"heartbeat"'))!);
      expect(beat).toMatchObject({ type: 'heartbeat', status: 'ok' });
      await client.close();
    } finally {
      await own.close();
    }
  });
});
