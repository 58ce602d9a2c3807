import { describe, expect, it } from 'vitest';
import { RateLimitedError, UnauthorizedError } from '../../errors';
import {
  LOGIN_LIMITS,
  LoginLimiter,
  addressOf,
  createMemoryCounterStore,
  loginLimitKeys,
  tooManyAttemptsMessage,
  type CounterStore,
} from './login-limiter';

const MINUTE = 60_000;

function limiter(
  options: { now?: () => number; store?: CounterStore; fallback?: CounterStore } = {},
) {
  return new LoginLimiter({
    store: options.store ?? createMemoryCounterStore(options.now),
    fallback: options.fallback,
    prefix: 'test',
    isFailedGuess: (err) => err instanceof UnauthorizedError,
  });
}

const wrong = () => Promise.reject(new UnauthorizedError('onjuist'));
const right = () => Promise.resolve('ok');

/** 401, 429 or 200 for one attempt. */
async function outcome(
  l: LoginLimiter,
  email: string,
  ip: string,
  login: () => Promise<unknown> = wrong,
) {
  try {
    await l.run(email, ip, login);
    return 200;
  } catch (err) {
    if (err instanceof RateLimitedError) return 429;
    if (err instanceof UnauthorizedError) return 401;
    throw err;
  }
}

async function outcomes(l: LoginLimiter, n: number, email: (i: number) => string, ip: string) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await outcome(l, email(i), ip));
  return out;
}

describe('LoginLimiter', () => {
  it('allows 10 failed logins per account, then refuses with 429 until the window ends', async () => {
    let now = 0;
    const l = limiter({ now: () => now });
    expect(await outcomes(l, 11, () => 'a@vo.nl', '10.0.0.1')).toEqual([
      ...Array(10).fill(401),
      429,
    ]);
    // The same account from another address: the account's budget is spent.
    expect(await outcome(l, 'A@vo.nl', '10.0.0.2')).toBe(429);
    // Even the right password waits; nothing is counted meanwhile.
    expect(await outcome(l, 'a@vo.nl', '10.0.0.1', right)).toBe(429);
    now += LOGIN_LIMITS.account.windowMs;
    expect(await outcome(l, 'a@vo.nl', '10.0.0.1', right)).toBe(200);
  });

  it('limits one address over many accounts with its own, larger budget', async () => {
    const l = limiter();
    const many = await outcomes(l, 31, (i) => `user${i}@vo.nl`, '10.0.0.1');
    expect(many).toEqual([...Array(30).fill(401), 429]);
    expect(await outcome(l, 'fresh@vo.nl', '10.0.0.1', right)).toBe(429);
    expect(await outcome(l, 'fresh@vo.nl', '10.0.0.2', right)).toBe(200);
  });

  it('does not count a successful login and clears the account after it', async () => {
    const l = limiter();
    expect(await outcomes(l, 9, () => 'a@vo.nl', '10.0.0.1')).toEqual(Array(9).fill(401));
    for (let i = 0; i < 40; i++) expect(await outcome(l, 'a@vo.nl', '10.0.0.1', right)).toBe(200);
    // The account starts again at 0; the address still holds the 9 failures.
    expect(await outcomes(l, 11, () => 'a@vo.nl', '10.0.0.1')).toEqual([
      ...Array(10).fill(401),
      429,
    ]);
  });

  it('gives the attempt back when the login failed for another reason (database down)', async () => {
    const l = limiter();
    const down = () => Promise.reject(new Error('connect ECONNREFUSED'));
    for (let i = 0; i < 20; i++) {
      await expect(l.run('a@vo.nl', '10.0.0.1', down)).rejects.toThrow('ECONNREFUSED');
    }
    expect(await outcomes(l, 11, () => 'a@vo.nl', '10.0.0.1')).toEqual([
      ...Array(10).fill(401),
      429,
    ]);
  });

  it('lets no more than 10 parallel guesses through', async () => {
    const l = limiter();
    const slow = () =>
      new Promise<never>((_, reject) => setTimeout(() => reject(new UnauthorizedError()), 5));
    const results = await Promise.all(
      Array.from({ length: 25 }, () => outcome(l, 'a@vo.nl', '10.0.0.1', slow)),
    );
    expect(results.filter((s) => s === 401)).toHaveLength(10);
    expect(results.filter((s) => s === 429)).toHaveLength(15);
  });

  it('says in Dutch when to try again, with Retry-After seconds', async () => {
    const l = limiter();
    await outcomes(l, 10, () => 'a@vo.nl', '10.0.0.1');
    const err = await l.run('a@vo.nl', '10.0.0.1', wrong).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).message).toMatch(
      /^Te veel mislukte inlogpogingen\. Probeer het om \d\d:\d\d opnieuw \(over 5 minuten\)\.$/,
    );
    expect((err as RateLimitedError).retryAfterSeconds).toBeGreaterThan(290);
    expect(tooManyAttemptsMessage(30_000, new Date('2025-01-06T13:00:00Z'))).toBe(
      'Te veel mislukte inlogpogingen. Probeer het om 14:00 opnieuw (over 1 minuut).',
    );
    expect(tooManyAttemptsMessage(4 * MINUTE, new Date('2025-07-01T12:00:00Z'))).toContain(
      'om 14:04 opnieuw (over 4 minuten)',
    );
  });

  it('counts in memory while the shared store fails', async () => {
    const broken: CounterStore = {
      take: () => Promise.reject(new Error('Command timed out')),
      giveBack: () => Promise.reject(new Error('Command timed out')),
      reset: () => Promise.reject(new Error('Command timed out')),
      close: async () => {},
    };
    const l = limiter({ store: broken, fallback: createMemoryCounterStore() });
    expect(await outcomes(l, 11, () => 'a@vo.nl', '10.0.0.1')).toEqual([
      ...Array(10).fill(401),
      429,
    ]);
  });
});

describe('login limit keys', () => {
  it('hash the e-mail (case-insensitive) and carry the prefix', () => {
    const keys = loginLimitKeys('run1');
    expect(keys.account('A@VO.nl')).toBe(keys.account('a@vo.nl'));
    expect(keys.account('a@vo.nl')).toMatch(/^run1:login-failures:account:[0-9a-f]{64}$/);
    expect(keys.address('10.0.0.1')).toBe('run1:login-failures:address:10.0.0.1');
  });

  it('count IPv6 clients per /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressOf('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressOf('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressOf('::1')).toBe('0:0:0:0::/64');
    expect(addressOf('127.0.0.1')).toBe('127.0.0.1');
  });
});
