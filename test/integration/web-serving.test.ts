import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type App } from '../../server/src/app';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions } from '../support/fixtures';

/**
 * The web app as adapter-static builds it, served by plugins/web.ts: a small build of the
 * same shape (shell with SvelteKit's <meta> policy, hashed assets, other files).
 */
const SHELL = `<!doctype html><html><head>
<meta http-equiv="content-security-policy" content="script-src 'self' 'sha256-abc='; base-uri 'self'">
<link href="/_app/immutable/entry/start.abc123.js" rel="modulepreload">
</head><body><script>boot()</script></body></html>`;

/** A script well above the compression threshold (1 KiB). */
const BIG_SCRIPT = `export const names = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `regio-${i}`))};`;

let backend: TestBackend;
let app: App;
let buildDir: string;
let cookie: string;

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'web-build-'));
  mkdirSync(join(buildDir, '_app/immutable/entry'), { recursive: true });
  writeFileSync(join(buildDir, 'index.html'), SHELL);
  writeFileSync(join(buildDir, '_app/immutable/entry/start.abc123.js'), 'export {};');
  writeFileSync(join(buildDir, '_app/env.js'), 'export const env = {};');
  writeFileSync(join(buildDir, '_app/immutable/entry/map.def456.js'), BIG_SCRIPT);
  writeFileSync(join(buildDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  backend = await createBackend();
  app = await buildApp({
    config: { ...backend.config, webBuildDir: buildDir },
    database: backend.database,
    bus: await backend.openBus(),
    web: true,
  });
  await app.ready();
  cookie = (await demoSessions(app)).worker;
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
  rmSync(buildDir, { recursive: true, force: true });
});

describe('the web app', () => {
  it('sends the shell for every page path, revalidated, with both policies as headers', async () => {
    for (const url of ['/', '/login', '/locaties', '/no/such/page?x=1']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      const [ours, kit] = [res.headers['content-security-policy'] ?? []].flat();
      expect(ours).toContain("frame-ancestors 'none'");
      expect(kit).toBe("script-src 'self' 'sha256-abc='; base-uri 'self'; frame-ancestors 'none'");
      // One script policy: the header, not also the <meta> (a blocked script is reported once).
      expect(res.body).not.toContain('http-equiv');
      expect(res.body).toContain('<script>boot()</script>');
    }
    const first = await app.inject({ url: '/' });
    const again = await app.inject({
      url: '/noodbed',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('caches hashed assets for a year and revalidates other files', async () => {
    const asset = await app.inject({ url: '/_app/immutable/entry/start.abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).not.toContain('script-src');
    for (const url of ['/favicon.svg', '/_app/env.js']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('answers a missing asset and an unknown API path with a 404, not the shell', async () => {
    for (const url of ['/_app/immutable/entry/start.old999.js', '/api/nothing', '/api']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: 'not_found', code: 'not_found' });
    }
    expect((await app.inject({ url: '/../package.json' })).body).not.toContain('"name"');
  });

  it('looks up the session for /api requests only', async () => {
    const userFor = vi.spyOn(app.services.sessions, 'userFor');
    for (const url of ['/', '/favicon.svg', '/_app/immutable/entry/start.abc123.js']) {
      await app.inject({ url, headers: { cookie } });
    }
    expect(userFor).not.toHaveBeenCalled();
    expect((await app.inject({ url: '/api/session', headers: { cookie } })).statusCode).toBe(200);
    expect(userFor).toHaveBeenCalledTimes(1);
    userFor.mockRestore();
  });
});

describe('compression (issue 14)', () => {
  it('sends API JSON and hashed scripts compressed to a browser that takes it, and plain to others', async () => {
    for (const url of ['/api/regions', '/_app/immutable/entry/map.def456.js']) {
      const headers = { cookie, 'accept-encoding': 'br, gzip' };
      const packed = await app.inject({ url, headers });
      const plain = await app.inject({ url, headers: { cookie } });
      expect(packed.statusCode, url).toBe(200);
      expect(packed.headers['content-encoding'], url).toBe('br');
      expect(packed.headers.vary, url).toMatch(/accept-encoding/i);
      expect(plain.headers['content-encoding'], url).toBeUndefined();
      const body = brotliDecompressSync(packed.rawPayload).toString();
      expect(body, url).toBe(plain.body);
      expect(packed.rawPayload.length, url).toBeLessThan(plain.rawPayload.length / 2);
    }
    const gz = await app.inject({
      url: '/api/regions',
      headers: { cookie, 'accept-encoding': 'gzip' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(gz.rawPayload).toString())).toHaveLength(35);
  });

  it('keeps the cache headers of hashed files and leaves small responses alone', async () => {
    const script = await app.inject({
      url: '/_app/immutable/entry/map.def456.js',
      headers: { 'accept-encoding': 'br' },
    });
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const small = await app.inject({
      url: '/api/session',
      headers: { cookie, 'accept-encoding': 'br' },
    });
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});
