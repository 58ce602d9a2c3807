import { sql } from 'drizzle-orm';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type TestBackend } from '../support/backend';
import { casesFor, UNICODE_EDGES, type FuzzCase } from '../support/fuzz-cases';
import type { CapturedLog } from '../support/log-capture';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Bad input (issue 12): every route in the app's route table and the websocket get generated
 * invalid input: wrong types, missing and extra fields, huge strings and bodies, deep JSON,
 * wrong content types, malformed JSON, invalid ids, negative and huge numbers, unicode edge
 * cases, malformed and oversized frames. Always a 4xx with a message, never a 5xx or a crash,
 * and nothing written: the tables' checksums and the events count stay as they were.
 */

let backend: TestBackend;
let instance: Instance;
let admin: string;
let worker: string;
const report: string[] = [];

/** A fingerprint of everything a request could write. */
async function fingerprint(): Promise<string> {
  const result = await backend.database.db.execute(sql`
    select
      (select count(*) from events)::text as events,
      (select count(*) from sessions)::text as sessions,
      (select md5(coalesce(string_agg(u::text, ',' order by u.id), '')) from units u) as units,
      (select md5(coalesce(string_agg(l::text, ',' order by l.id), '')) from locations l) as locations,
      (select md5(coalesce(string_agg(us::text, ',' order by us.id), '')) from users us) as users`);
  return JSON.stringify((result as unknown as { rows: unknown[] }).rows[0]);
}

beforeAll(async () => {
  backend = await createBackend();
  instance = await startInstance(backend);
  admin = await login(instance.app, demoEmail('admin'));
  worker = await login(instance.app, demoEmail('vo_worker'));
});
afterAll(async () => {
  await instance?.close();
  await backend?.close();
  if (report.length > 0) console.info(`fuzz cases per route:\n${report.join('\n')}`);
});

describe('bad input on every route', () => {
  it('answers every invalid request with a 4xx and a message, never a 5xx, and writes nothing', async () => {
    const { app } = instance;
    const routes = app.routeTable.filter((r) => r.method !== 'HEAD' && !r.websocket);
    expect(routes.length).toBeGreaterThan(8);
    const before = await fingerprint();
    let total = 0;
    for (const route of routes) {
      // Logging out is a route too: fuzz it without a session to lose.
      const cookie = route.url === '/api/session' && route.method === 'DELETE' ? '' : admin;
      const cases = [
        ...casesFor(route, cookie ? { cookie } : {}),
        // The same input as a VO worker, for routes a worker may use: its checks run too.
        ...casesFor(route, { cookie: worker }).filter((_c, i) => i % 8 === 0 && cookie !== ''),
      ];
      const statuses = new Map<number, number>();
      const failures: string[] = [];
      for (const c of cases) {
        const res = await app.inject({
          method: c.method as 'GET',
          url: c.url,
          headers: c.headers,
          ...(c.payload === undefined ? {} : { payload: c.payload }),
        });
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const problem = judge(c, res.statusCode, res.headers['content-type'], res.body);
        if (problem) failures.push(problem);
      }
      total += cases.length;
      const invalid = cases.filter((c) => c.invalid).length;
      report.push(
        `  ${`${route.method} ${route.url}`.padEnd(42)} ${String(cases.length).padStart(4)} cases (${invalid} invalid, ${cases.length - invalid} ignored input): ${[
          ...statuses.entries(),
        ]
          .sort()
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
      );
      expect(failures.slice(0, 10), `${route.method} ${route.url}`).toEqual([]);
    }
    report.push(`  total ${total} requests over ${routes.length} routes`);
    expect(await fingerprint()).toBe(before);
    // Still alive and well, and nothing unhandled in its log.
    expect((await app.inject({ url: '/api/ready' })).statusCode).toBe(200);
    const lines = (backend.config.logDestination as CapturedLog).lines();
    expect(lines.filter((l) => Number(l.level) >= 50).map((l) => l.msg)).toEqual([]);
  }, 180_000);
});

function judge(
  c: FuzzCase,
  status: number,
  contentType: string | number | string[] | undefined,
  body: string,
): string | null {
  const what = `${c.kind} ${c.method} ${c.url.slice(0, 80)} ${typeof c.payload === 'string' ? c.payload.slice(0, 60) : ''}`;
  if (status >= 500) return `${what} -> ${status} ${body.slice(0, 200)}`;
  if (!c.invalid) return null;
  if (status < 400) return `${what} -> ${status}, expected a 4xx`;
  if (!String(contentType).startsWith('application/json')) return `${what} -> not JSON`;
  const json = JSON.parse(body) as { error?: unknown; message?: unknown };
  if (typeof json.error !== 'string' || typeof json.message !== 'string' || !json.message.trim()) {
    return `${what} -> ${status} without a clear message: ${body.slice(0, 200)}`;
  }
  return null;
}

describe('bad input on the websocket', () => {
  async function open(url: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
    const ws = new WebSocket(url, { headers: { cookie: worker } });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return { ws, closed };
  }

  it('refuses an upgrade with an invalid since with 400', async () => {
    let cases = 0;
    for (const since of [
      '-1',
      'abc',
      '1e400',
      '1.5',
      '9007199254740993',
      '%00',
      'x'.repeat(5000),
    ]) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${instance.wsUrl}?since=${encodeURIComponent(since)}`, {
          headers: { cookie: worker },
        });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('error', () => {});
      });
      expect(status, since).toBe(400);
      cases += 1;
    }
    report.push(`  WS upgrade /api/live?since=…                 ${cases} cases: 400×${cases}`);
  });

  it('ignores malformed frames, closes on oversized or broken ones, and keeps serving', async () => {
    const before = await fingerprint();
    const frames: Array<string | Buffer> = [
      '',
      '{',
      'null',
      '42',
      '"resync"',
      '[]',
      '{}',
      '{"type":"resync","since":-1}',
      '{"type":"resync","since":"x"}',
      '{"type":"resync","since":1e400}',
      '{"type":"resync","since":1.5}',
      '{"type":"resync","since":null}',
      '{"type":"resync","extra":true}',
      '{"type":"snapshot","seq":0,"scope":"units","slices":{}}',
      '{"type":"__proto__"}',
      '{"__proto__":{"type":"resync"}}',
      '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
      '['.repeat(30_000) + ']'.repeat(30_000),
      JSON.stringify({ type: 'resync', since: 0, pad: 'x'.repeat(60_000) }),
      Buffer.from([0x00, 0xff, 0x13, 0x37]),
      ...UNICODE_EDGES.map((u) => JSON.stringify({ type: u })),
    ];
    const { ws, closed } = await open(instance.wsUrl);
    for (const f of frames) ws.send(f);
    // Ignored, each one: the socket stays open and a valid resync is still answered.
    const client = await TestLiveClient.connect(instance.wsUrl, worker);
    await client.waitFor((c) => c.state.ready);
    ws.send(JSON.stringify({ type: 'resync' }));
    const got = await new Promise<string>((resolve, reject) => {
      setTimeout(() => reject(new Error('no answer to a valid resync')), 10_000);
      ws.on('message', (m: Buffer) => {
        const text = m.toString();
        if (text.includes('"snapshot"')) resolve(text);
      });
    });
    expect(JSON.parse(got).type).toBe('snapshot');
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    await closed;

    // Over the 64 KiB frame limit: closed with 1009 (too big). Invalid UTF-8: 1007.
    const big = await open(instance.wsUrl);
    big.ws.send('x'.repeat(70_000));
    expect(await big.closed).toBe(1009);
    const broken = await open(instance.wsUrl);
    (broken.ws as unknown as { _sender: { sendFrame(list: Buffer[]): void } })._sender.sendFrame([
      Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0xc3, 0x28]),
    ]);
    expect([1007, 1002]).toContain(await broken.closed);
    // A flood of resyncs is answered at most once a second, not once each.
    const flood = await open(instance.wsUrl);
    let snapshots = 0;
    flood.ws.on('message', (m: Buffer) => {
      if (m.toString().includes('"snapshot"')) snapshots += 1;
    });
    for (let i = 0; i < 200; i++) flood.ws.send(JSON.stringify({ type: 'resync' }));
    await new Promise((r) => setTimeout(r, 1500));
    expect(snapshots).toBeLessThanOrEqual(3);
    flood.ws.close();
    report.push(
      `  WS frames /api/live                         ${frames.length + 2 + 200} cases: ignored ${frames.length}, 1009×1, 1007×1, resync flood 200 -> ${snapshots} snapshots`,
    );
    await client.close();
    expect(await fingerprint()).toBe(before);
    expect((await instance.app.inject({ url: '/api/ready' })).statusCode).toBe(200);
  });
});
