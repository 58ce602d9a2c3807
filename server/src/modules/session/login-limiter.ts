import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { Redis } from 'ioredis';
import { AppError } from '../../errors';

/**
 * Password guessing (issue 6, item 7). Failed logins are counted per account, from wherever
 * they come, and per client address, whatever account they try, each with its own budget.
 * A successful login costs nothing and clears the account's count. The counters live in
 * Redis when it is configured, so every instance counts the same attempts.
 */
export const LOGIN_LIMITS = {
  /** One account's password: 10 failed attempts per 5 minutes. */
  account: { max: 10, windowMs: 5 * 60_000 },
  /** One address trying many accounts (a whole office behind one NAT shares it). */
  address: { max: 30, windowMs: 5 * 60_000 },
} as const;
export type LoginLimits = { [K in keyof typeof LOGIN_LIMITS]: { max: number; windowMs: number } };

/**
 * Redis keys, each a failure counter that expires (PEXPIRE) one window after its first
 * failure. The prefix (REDIS_CHANNEL_PREFIX) separates deployments and test runs sharing one
 * Redis. E-mail addresses are hashed: Redis never holds who tried to log in.
 */
export const loginLimitKeys = (prefix: string) => ({
  account: (email: string) =>
    `${prefix}:login-failures:account:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`,
  address: (ip: string) => `${prefix}:login-failures:address:${addressOf(ip)}`,
});

/**
 * The address a budget belongs to: IPv4 as is (also when IPv4-mapped), IPv6 by its /64,
 * since one host usually holds a whole /64 and could otherwise take a fresh budget per try.
 */
export function addressOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const hextets = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((h) => {
          if (!isIPv4(h)) return [h];
          const [a = 0, b = 0, c = 0, d = 0] = h.split('.').map(Number);
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        });
  const front = hextets(head);
  const back = tail === undefined ? [] : hextets(tail);
  const all = [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return `${all
    .slice(0, 4)
    .map((h) => h.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export interface Budget {
  key: string;
  max: number;
  windowMs: number;
}

/** Counters with a fixed window from the first count; `take` is atomic over all budgets. */
export interface CounterStore {
  /**
   * When every budget has room, counts one attempt against each and answers 0; otherwise
   * counts nothing and answers how many ms until the exhausted budgets free up.
   */
  take(budgets: readonly Budget[]): Promise<number>;
  /** Uncounts one attempt: it turned out not to be a failed guess. */
  giveBack(key: string): Promise<void>;
  /** Forgets all attempts (a successful login clears the account). */
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

/** One instance's own counters: without Redis, or while Redis does not answer. */
export function createMemoryCounterStore(now: () => number = Date.now): CounterStore {
  const counters = new Map<string, { count: number; expiresAt: number }>();
  const current = (key: string) => {
    const c = counters.get(key);
    if (c && c.expiresAt <= now()) {
      counters.delete(key);
      return undefined;
    }
    return c;
  };
  return {
    async take(budgets) {
      let wait = 0;
      for (const b of budgets) {
        const c = current(b.key);
        if (c && c.count >= b.max) wait = Math.max(wait, c.expiresAt - now());
      }
      if (wait > 0) return wait;
      for (const b of budgets) {
        const c = current(b.key);
        if (c) c.count += 1;
        else counters.set(b.key, { count: 1, expiresAt: now() + b.windowMs });
      }
      // Many addresses or accounts tried once: drop what has expired now and then.
      if (counters.size > 10_000) for (const key of [...counters.keys()]) current(key);
      return 0;
    },
    async giveBack(key) {
      const c = current(key);
      if (c && c.count > 0) c.count -= 1;
    },
    async reset(key) {
      counters.delete(key);
    },
    async close() {
      counters.clear();
    },
  };
}

/** KEYS: the budgets' counters; ARGV: max and window (ms) per key, in the same order. */
const TAKE_SCRIPT = `
local wait = 0
for i, key in ipairs(KEYS) do
  local n = tonumber(redis.call('GET', key) or '0')
  if n >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      ttl = tonumber(ARGV[2 * i])
      redis.call('PEXPIRE', key, ttl)
    end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('PTTL', key) < 0 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
end
return 0`;

/** Never creates a counter (a DECR on an expired key would leave one without a TTL). */
const GIVE_BACK_SCRIPT = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/** Counters in Redis, shared by every instance; each step is one atomic script. */
export function createRedisCounterStore(redis: Redis): CounterStore {
  return {
    async take(budgets) {
      const args = budgets.flatMap((b) => [String(b.max), String(b.windowMs)]);
      const wait = await redis.eval(
        TAKE_SCRIPT,
        budgets.length,
        ...budgets.map((b) => b.key),
        ...args,
      );
      return Number(wait);
    },
    async giveBack(key) {
      await redis.eval(GIVE_BACK_SCRIPT, 1, key);
    },
    async reset(key) {
      await redis.del(key);
    },
    async close() {
      redis.disconnect();
    },
  };
}

const clock = new Intl.DateTimeFormat('nl-NL', {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Amsterdam',
});

/** "Te veel mislukte inlogpogingen. Probeer het om 14:35 opnieuw (over 4 minuten)." */
export function tooManyAttemptsMessage(retryAfterMs: number, now = new Date()): string {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  const at = clock.format(new Date(now.getTime() + retryAfterMs));
  return `Te veel mislukte inlogpogingen. Probeer het om ${at} opnieuw (over ${minutes} ${minutes === 1 ? 'minuut' : 'minuten'}).`;
}

export interface LoginLimiterOptions {
  store: CounterStore;
  /** Used while `store` fails (Redis down or too slow): limiting per instance beats none. */
  fallback?: CounterStore;
  prefix: string;
  limits?: LoginLimits;
  /** Which errors of a login are a failed guess (wrong e-mail or password); others are not counted. */
  isFailedGuess: (err: unknown) => boolean;
  onStoreError?: (err: unknown) => void;
}

export class LoginLimiter {
  private readonly keys: ReturnType<typeof loginLimitKeys>;
  private readonly limits: LoginLimits;

  constructor(private readonly options: LoginLimiterOptions) {
    this.keys = loginLimitKeys(options.prefix);
    this.limits = options.limits ?? LOGIN_LIMITS;
  }

  /**
   * Runs `login` when both budgets have room, else throws a 429 (`login_attempts`). The attempt
   * is counted before `login` runs, so parallel guesses (on any instance) cannot overshoot;
   * it is given back unless `login` failed as a wrong guess, and a success clears the account.
   */
  async run<T>(email: string, ip: string, login: () => Promise<T>): Promise<T> {
    const account = { key: this.keys.account(email), ...this.limits.account };
    const address = { key: this.keys.address(ip), ...this.limits.address };
    const { store, wait } = await this.take([account, address]);
    if (wait > 0) {
      throw new AppError('login_attempts', tooManyAttemptsMessage(wait), {
        retryAfterSeconds: Math.ceil(wait / 1000),
        params: {
          minutes: Math.max(1, Math.ceil(wait / 60_000)),
          retryAt: new Date(Date.now() + wait).toISOString(),
        },
      });
    }
    let result: T;
    try {
      result = await login();
    } catch (err) {
      if (!this.options.isFailedGuess(err)) {
        await this.quietly(() =>
          Promise.all([store.giveBack(account.key), store.giveBack(address.key)]),
        );
      }
      throw err;
    }
    await this.quietly(() => Promise.all([store.reset(account.key), store.giveBack(address.key)]));
    return result;
  }

  async close(): Promise<void> {
    await Promise.all([this.options.store.close(), this.options.fallback?.close()]);
  }

  private async take(budgets: Budget[]): Promise<{ store: CounterStore; wait: number }> {
    const { store, fallback } = this.options;
    try {
      return { store, wait: await store.take(budgets) };
    } catch (err) {
      if (!fallback) throw err;
      this.options.onStoreError?.(err);
      return { store: fallback, wait: await fallback.take(budgets) };
    }
  }

  private async quietly(step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.options.onStoreError?.(err);
    }
  }
}

export interface OpenLoginLimiterOptions {
  redisUrl: string | undefined;
  prefix: string;
  isFailedGuess: (err: unknown) => boolean;
  onStoreError?: (err: unknown) => void;
  limits?: LoginLimits;
}

/** Redis-backed when REDIS_URL is set (its own connection, closed with `close()`), else memory. */
export async function openLoginLimiter(options: OpenLoginLimiterOptions): Promise<LoginLimiter> {
  const { redisUrl, ...rest } = options;
  if (!redisUrl) return new LoginLimiter({ ...rest, store: createMemoryCounterStore() });
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    // A login must not wait for a Redis that is gone or frozen: fail fast, count in memory.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 2000,
  });
  redis.on('error', () => {}); // reported through onStoreError when a login needs it
  try {
    await redis.connect();
  } catch (err) {
    options.onStoreError?.(err); // ioredis keeps reconnecting; memory meanwhile
  }
  return new LoginLimiter({
    ...rest,
    store: createRedisCounterStore(redis),
    fallback: createMemoryCounterStore(),
  });
}
