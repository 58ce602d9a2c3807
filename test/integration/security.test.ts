import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@opvangatlas/db';
import type { Location, Unit } from '@opvangatlas/shared';
import { buildApp, type App } from '../../server/src/app';
import { testConfig } from '../../server/src/config/env';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, sessionUser } from '../support/fixtures';
import { startInstance, type Instance } from '../support/instance';

/**
 * Issue 6, items 3, 4, 9 and 10: requests from other origins, security headers, ids beyond
 * int4, query parameters in the log, and strict request bodies.
 */
let backend: TestBackend;
let instance: Instance;
let app: App;
let s: Awaited<ReturnType<typeof demoSessions>>;
let freeUnits: Unit[];
let ownLocation: Location;

const EVIL = 'https://evil.example';
const INT4_OVERFLOW = 2 ** 31;

const eventCount = async () =>
  Number((await backend.database.db.select({ n: sql<number>`count(*)::int` }).from(events))[0]!.n);

beforeAll(async () => {
  backend = await createBackend();
  instance = await startInstance(backend);
  app = instance.app;
  s = await demoSessions(app);
  const worker = await sessionUser(app, s.worker);
  freeUnits = (await getUnits(app, s.worker)).filter(
    (u) => u.status === 'free' && u.organisationId !== worker.organisationId,
  );
  ownLocation = (await app.inject({ url: '/api/locations', headers: { cookie: s.worker } })).json<
    Location[]
  >()[0]!;
});
afterAll(async () => {
  await instance?.close();
  await backend?.close();
});

/** A free unit no other test in this file has used. */
const nextFreeUnit = () => {
  const unit = freeUnits.shift();
  if (!unit) throw new Error('no free unit left');
  return unit;
};

/** Opens /api/live with an Origin; resolves with the upgrade's outcome. */
function upgrade(
  origin: string | undefined,
  cookie: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(instance.wsUrl, { headers: { cookie }, origin });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      // The server closes the connection after its answer; the body must be complete.
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    ws.once('error', reject);
  });
}

describe('requests from another origin (CSRF, cross-site websocket hijacking)', () => {
  it('refuses the live websocket to a foreign Origin and to Origin null, before the upgrade', async () => {
    for (const origin of [EVIL, 'null']) {
      const res = await upgrade(origin, s.worker);
      expect(res.status, origin).toBe(403);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'forbidden' });
    }
    // The app itself (same scheme and host) and non-browser clients (no Origin) still connect.
    expect((await upgrade(instance.baseUrl, s.worker)).status).toBe(101);
    expect((await upgrade(undefined, s.worker)).status).toBe(101);
  });

  it('refuses a hold and a confirmation with a foreign Origin and the cookie, writing nothing', async () => {
    const unit = nextFreeUnit();
    const before = await eventCount();
    for (const origin of [EVIL, 'null', 'http://localhost.evil.example']) {
      for (const url of [
        `/api/units/${unit.id}/hold`,
        `/api/locations/${ownLocation.id}/confirm`,
      ]) {
        const res = await app.inject({
          method: 'POST',
          url,
          headers: { cookie: s.worker, origin },
        });
        expect(res.statusCode, `${origin} ${url}`).toBe(403);
        expect(res.json()).toMatchObject({
          error: 'forbidden',
          message: expect.stringMatching(/^Verzoek geweigerd: /),
        });
      }
    }
    expect(await eventCount()).toBe(before);
    expect((await getUnits(app, s.worker)).find((u) => u.id === unit.id)?.status).toBe('free');
  });

  it('refuses log-in and log-out from another site, also when only Sec-Fetch-Site says so', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { origin: EVIL },
      payload: { email: 'vo_worker@demo.opvangatlas.nl', password: 'demo' },
    });
    expect(login.statusCode).toBe(403);
    expect(login.cookies).toHaveLength(0);
    const logout = await app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie: s.worker, 'sec-fetch-site': 'cross-site' },
    });
    expect(logout.statusCode).toBe(403);
    expect(
      (await app.inject({ url: '/api/session', headers: { cookie: s.worker } })).statusCode,
    ).toBe(200);
  });

  it('allows the same origin (scheme and Host) and requests without Origin', async () => {
    const unit = nextFreeUnit();
    const held = await app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: {
        cookie: s.worker,
        host: 'opvang.example:8080',
        origin: 'http://opvang.example:8080',
      },
    });
    expect(held.statusCode).toBe(200);
    const released = await app.inject({
      method: 'DELETE',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker, 'sec-fetch-site': 'same-origin' },
    });
    expect(released.statusCode).toBe(200);
    // GETs are not state-changing: a foreign page may not read them (CORS), but may send them.
    expect(
      (await app.inject({ url: '/api/regions', headers: { cookie: s.worker, origin: EVIL } }))
        .statusCode,
    ).toBe(200);
  });

  it('with PUBLIC_ORIGIN allows exactly the configured origins, whatever the Host', async () => {
    const configured = await buildApp({
      config: { ...backend.config, publicOrigins: ['https://opvang.example', 'https://b.example'] },
      database: backend.database,
      bus: await backend.openBus(),
    });
    try {
      const cookie = s.worker;
      const confirm = (origin: string) =>
        configured.inject({
          method: 'POST',
          url: `/api/locations/${ownLocation.id}/confirm`,
          headers: { cookie, origin, host: 'internal:3000' },
        });
      expect((await confirm('https://opvang.example')).statusCode).toBe(200);
      expect((await confirm('https://b.example')).statusCode).toBe(200);
      expect((await confirm('http://internal:3000')).statusCode).toBe(403);
      expect((await confirm('http://opvang.example')).statusCode).toBe(403);
    } finally {
      await configured.close();
    }
  });
});

const expectCommonHeaders = (headers: Record<string, unknown>, where: string) => {
  expect(headers['x-content-type-options'], where).toBe('nosniff');
  expect(headers['x-frame-options'], where).toBe('DENY');
  expect(headers['referrer-policy'], where).toBe('no-referrer');
};

describe('security headers', () => {
  it("sends default-src 'none', frame-ancestors 'none', nosniff and no-referrer on /api/*", async () => {
    for (const [url, status] of [
      ['/api/regions', 200],
      ['/api/session', 200],
      ['/api/docs', 200],
      ['/api/nope', 404],
      [`/api/units/${INT4_OVERFLOW}`, 404],
    ] as const) {
      const res = await app.inject({ url, headers: { cookie: s.worker } });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-security-policy'], url).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expectCommonHeaders(res.headers, url);
      // HSTS only in production: a development server on http://localhost must stay usable.
      expect(res.headers['strict-transport-security'], url).toBeUndefined();
    }
    const refused = await app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { origin: EVIL },
    });
    expectCommonHeaders(refused.headers, 'refused POST');
  });

  it('adds HSTS in production', async () => {
    const production = await buildApp({
      config: { ...backend.config, nodeEnv: 'production' },
      database: backend.database,
      bus: await backend.openBus(),
    });
    try {
      const res = await production.inject({ url: '/api/regions' });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expectCommonHeaders(res.headers, 'production');
    } finally {
      await production.close();
    }
  });

  const webBuilt = existsSync(resolve(testConfig().webBuildDir, 'index.html'));

  it.skipIf(!webBuilt)(
    "sends the app's policy and SvelteKit's script policy (hashes, no 'unsafe-inline') on / and the assets",
    async () => {
      const web = await buildApp({
        config: backend.config,
        database: backend.database,
        bus: await backend.openBus(),
        web: true,
      });
      try {
        const page = await web.inject({ url: '/' });
        expect(page.statusCode).toBe(200);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expectCommonHeaders(page.headers, '/');
        const policies = [page.headers['content-security-policy'] ?? []].flat();
        // Ours (frames, objects, images, connections, workers) and SvelteKit's (scripts).
        expect(policies).toHaveLength(2);
        const [ours, kit] = policies as [string, string];
        expect(ours).toContain("frame-ancestors 'none'");
        expect(ours).toContain("object-src 'none'");
        expect(ours).toContain("worker-src 'self' blob:");
        expect(ours).toContain("img-src 'self' data: blob:");
        expect(ours).not.toMatch(/default-src|script-src/);
        const scriptSrc = /script-src ([^;]*)/.exec(kit)?.[1] ?? '';
        expect(scriptSrc).toMatch(/'self'/);
        expect(scriptSrc).toMatch(/'sha256-[A-Za-z0-9+/=]+'/);
        expect(scriptSrc).not.toContain('unsafe-inline');
        expect(kit).toContain("frame-ancestors 'none'");

        const asset = /(\/_app\/immutable\/[^"]+\.js)/.exec(page.body)?.[1];
        expect(asset).toBeDefined();
        for (const url of [asset!, '/favicon.svg']) {
          const res = await web.inject({ url });
          expect(res.statusCode, url).toBe(200);
          expectCommonHeaders(res.headers, url);
          expect(res.headers['content-security-policy'], url).toBe(ours);
        }
        // /api stays the API's, also with the web app mounted.
        const api = await web.inject({ url: '/api/regions' });
        expect(api.headers['content-security-policy']).toBe(
          "default-src 'none'; frame-ancestors 'none'",
        );
      } finally {
        await web.close();
      }
    },
  );
});

describe('ids beyond int4', () => {
  it(`answers 400 with a field message for ${INT4_OVERFLOW} in a path, a query and a version`, async () => {
    const cookie = s.worker;
    const cases = [
      { method: 'GET', url: `/api/units?regionId=${INT4_OVERFLOW}`, path: 'querystring.regionId' },
      {
        method: 'GET',
        url: `/api/availability?regionId=${INT4_OVERFLOW}`,
        path: 'querystring.regionId',
      },
      { method: 'POST', url: `/api/units/${INT4_OVERFLOW}/hold`, path: 'params.id' },
      { method: 'DELETE', url: `/api/units/${INT4_OVERFLOW}/hold`, path: 'params.id' },
      { method: 'POST', url: `/api/locations/${INT4_OVERFLOW}/confirm`, path: 'params.id' },
      { method: 'GET', url: `/api/locations/${INT4_OVERFLOW}/units`, path: 'params.id' },
      {
        method: 'PATCH',
        url: `/api/units/${INT4_OVERFLOW}`,
        path: 'params.id',
        payload: { version: 1 },
      },
      {
        method: 'PATCH',
        url: `/api/units/${freeUnits[0]!.id}`,
        path: 'version',
        payload: { version: INT4_OVERFLOW },
      },
    ] as const;
    for (const c of cases) {
      const res = await app.inject({
        method: c.method,
        url: c.url,
        headers: { cookie },
        ...('payload' in c ? { payload: c.payload } : {}),
      });
      expect(res.statusCode, c.url).toBe(400);
      expect(res.json(), c.url).toMatchObject({
        error: 'validation',
        fields: [{ path: c.path, message: expect.stringMatching(/2147483647/) }],
      });
    }
    // The largest int4 is a valid id, just not there.
    const largest = await app.inject({
      method: 'POST',
      url: `/api/units/${INT4_OVERFLOW - 1}/hold`,
      headers: { cookie },
    });
    expect(largest.statusCode).toBe(404);
  });

  it('logs a failed query without its parameters or SQL', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    // Its own database: a renamed column breaks every query on users.
    const broken = await createBackend();
    const logged = await buildApp({
      config: broken.config,
      database: broken.database,
      bus: await broken.openBus(),
      logger: { level: 'info', stream },
    });
    try {
      await broken.database.db.execute(sql`alter table users rename column email to email_gone`);
      const secret = 'geheime.persoon@example.nl';
      const res = await logged.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: secret, password: 'wachtwoord-als-param' },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        error: 'internal',
        code: 'internal',
        message: 'Er ging iets mis aan onze kant',
      });
      const errorLine = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
      expect(errorLine).toBeDefined();
      expect(errorLine.reqId).toBeDefined();
      expect(errorLine.err).toMatchObject({
        type: 'DrizzleQueryError',
        message: 'database query failed',
        cause: { code: '42703', message: expect.stringContaining('email') },
      });
      const all = lines.join('\n');
      expect(all).not.toContain(secret);
      expect(all).not.toContain('geheime.persoon');
      expect(all).not.toMatch(/from "users"|params:/);
    } finally {
      await logged.close();
      await broken.close();
    }
  });
});

describe('strict request bodies', () => {
  it('rejects an unknown field in a hold body, naming it, and writes nothing', async () => {
    const unit = nextFreeUnit();
    const before = await eventCount();
    const res = await app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker },
      payload: { minutes: 30, houseHold: { adults: 1 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'validation',
      fields: [{ path: 'houseHold', message: 'Onbekend veld "houseHold"' }],
    });
    expect(await eventCount()).toBe(before);
    expect((await getUnits(app, s.worker)).find((u) => u.id === unit.id)?.status).toBe('free');
  });

  it('rejects a 5,000-deep object in a hold body with 400 and writes nothing', async () => {
    const unit = nextFreeUnit();
    const deep = '{"a":'.repeat(5000) + '{}' + '}'.repeat(5000);
    const before = await eventCount();
    const res = await app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker, 'content-type': 'application/json' },
      payload: deep,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields).toEqual([
      { path: 'a', code: 'unknown_field', message: 'Onbekend veld "a"' },
    ]);
    expect(await eventCount()).toBe(before);
    expect((await getUnits(app, s.worker)).find((u) => u.id === unit.id)?.status).toBe('free');
  });

  it('rejects unknown fields in log-in and unit bodies, nested ones by their path', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'vo_worker@demo.opvangatlas.nl', password: 'demo', admin: true },
    });
    expect(login.statusCode).toBe(400);
    expect(login.json().fields).toEqual([
      { path: 'admin', code: 'unknown_field', message: 'Onbekend veld "admin"' },
    ]);

    const unit = freeUnits[0]!;
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/units/${unit.id}`,
      headers: { cookie: s.admin },
      payload: {
        version: unit.version,
        status: 'occupied',
        household: { adults: 1, children: 0, name: 'Jansen' },
      },
    });
    expect(patch.statusCode).toBe(400);
    expect(patch.json().fields).toContainEqual({
      path: 'household.name',
      code: 'unknown_field',
      message: 'Onbekend veld "name"',
    });
  });
});
