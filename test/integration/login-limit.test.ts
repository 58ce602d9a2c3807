import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/src/app';
import { createBackend, type TestBackend } from '../support/backend';
import { demoEmail } from '../support/instance';

/**
 * Password guessing (issue 6, item 7): failed logins are limited per account (10 per
 * 5 minutes, from anywhere, on every instance) and per address (30, whatever the account).
 * Each test uses its own client address (inject's remoteAddress) and accounts, so the
 * budgets of one test do not spill into the next.
 */
let backend: TestBackend;
let app: App;

beforeAll(async () => {
  backend = await createBackend();
  app = await buildApp({
    config: backend.config,
    database: backend.database,
    bus: await backend.openBus(),
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

const attempt = (target: App, email: string, remoteAddress: string, password = 'geraden') =>
  target.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email, password },
    remoteAddress,
  });

const statuses = async (
  target: App,
  n: number,
  email: (i: number) => string,
  remoteAddress: string,
) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await attempt(target, email(i), remoteAddress)).statusCode);
  return out;
};

describe('login rate limit', () => {
  it('refuses the 11th failed login for one account with 429 and a Dutch "try again at"', async () => {
    const email = demoEmail('vo_worker.kadera');
    expect(await statuses(app, 10, () => email, '198.51.100.1')).toEqual(Array(10).fill(401));
    const blocked = await attempt(app, email, '198.51.100.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toEqual({
      error: 'rate_limited',
      code: 'login_attempts',
      params: { minutes: 5, retryAt: expect.any(String) },
      message: expect.stringMatching(
        /^Te veel mislukte inlogpogingen\. Probeer het om \d\d:\d\d opnieuw \(over 5 minuten\)\.$/,
      ),
    });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(280);
    // The account is locked wherever the guesses come from, also for its right password.
    expect((await attempt(app, email, '198.51.100.2')).statusCode).toBe(429);
    expect((await attempt(app, email, '198.51.100.2', 'demo')).statusCode).toBe(429);
  });

  it('lets other accounts from the same address in until the address budget (30) is used up', async () => {
    const ip = '198.51.100.3';
    const guessed = (i: number) => `onbekend.${i}@example.nl`;
    // One account locked after 10 failures from this address...
    expect(await statuses(app, 11, () => guessed(0), ip)).toEqual([...Array(10).fill(401), 429]);
    // ...the others from the same address still log in, and still may fail (20 more).
    expect((await attempt(app, demoEmail('coordinator'), ip, 'demo')).statusCode).toBe(200);
    expect(await statuses(app, 20, (i) => guessed(i + 1), ip)).toEqual(Array(20).fill(401));
    // 30 failures from this address: now every account is refused from here...
    expect((await attempt(app, guessed(99), ip)).statusCode).toBe(429);
    expect((await attempt(app, demoEmail('vo_planner'), ip, 'demo')).statusCode).toBe(429);
    // ...but not from elsewhere.
    expect((await attempt(app, demoEmail('vo_planner'), '198.51.100.4', 'demo')).statusCode).toBe(
      200,
    );
  });

  it('does not count successful logins and clears the account on success', async () => {
    const ip = '198.51.100.5';
    const email = demoEmail('vo_worker.moviera');
    expect(await statuses(app, 9, () => email, ip)).toEqual(Array(9).fill(401));
    for (let i = 0; i < 35; i++)
      expect((await attempt(app, email, ip, 'demo')).statusCode).toBe(200);
    expect(await statuses(app, 11, () => email, ip)).toEqual([...Array(10).fill(401), 429]);
  });
});

describe.skipIf(process.env.TEST_BACKEND !== 'real')('login rate limit on two instances', () => {
  let second: App;

  beforeAll(async () => {
    // Its own database pool and Redis connections, like a second server process.
    second = await buildApp({
      config: backend.config,
      database: await backend.openDatabase(),
      bus: await backend.openBus(),
    });
    await second.ready();
  });
  afterAll(async () => {
    await second?.close();
  });

  it('shares one account budget: exactly 10 failures across both instances, then 429 on both', async () => {
    const email = 'gedeeld.account@example.nl';
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      const target = i % 2 === 0 ? app : second;
      seen.push((await attempt(target, email, `203.0.113.${i + 1}`)).statusCode);
    }
    expect(seen).toEqual([...Array(10).fill(401), 429, 429]);
  });

  it('lets no more than 10 of 24 parallel guesses through across both instances', async () => {
    const email = 'parallel.account@example.nl';
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        attempt(i % 2 === 0 ? app : second, email, `203.0.113.${100 + i}`),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(14);
  });

  it('shares the address budget too', async () => {
    const ip = '203.0.113.200';
    const seen: number[] = [];
    for (let i = 0; i < 31; i++) {
      seen.push(
        (await attempt(i % 2 === 0 ? app : second, `ander.${i}@example.nl`, ip)).statusCode,
      );
    }
    expect(seen).toEqual([...Array(30).fill(401), 429]);
  });
});
