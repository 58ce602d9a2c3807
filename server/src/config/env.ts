import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** `30,60,120`: ascending minutes, e.g. an escalation ladder. */
const minutesList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'comma-separated minutes, e.g. 30,60,120')
  .transform((v) => v.split(',').map(Number))
  .refine((l) => l.every((m, i) => m > 0 && (i === 0 || m > l[i - 1]!)), 'ascending, above 0');

/** `https://opvang.example` (scheme, host, optional port; nothing else) -> its origin. */
const origin = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (
        (u.protocol === 'https:' || u.protocol === 'http:') &&
        u.pathname === '/' &&
        !u.search &&
        !u.hash &&
        !u.username &&
        !v.endsWith('?') &&
        !v.endsWith('#')
      );
    } catch {
      return false;
    }
  }, 'expected an origin like https://opvang.example (scheme, host and port only)')
  .transform((v) => new URL(v).origin);

/**
 * Fastify's trustProxy: `true` (any proxy) or a comma-separated list of the proxies' addresses
 * or CIDR ranges. Only then are X-Forwarded-For/-Proto/-Host believed.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((v, ctx): boolean | string => {
    if (v === 'true' || v === 'false') return v === 'true';
    const bad = v.split(',').filter((a) => isIP(a.trim().split('/')[0] ?? '') === 0);
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected true, false or proxy addresses/CIDRs; not ${bad.join(', ')}`,
      });
      return z.NEVER;
    }
    return v;
  });

/** The only place that reads process.env (CONVENTIONS.md, point 6). */
const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.url().optional(),
  /**
   * The owner's connection, used only to apply migrations at start; DATABASE_URL can then be
   * a role that may only insert into and read the audit trail (docs/RELIABILITY.md).
   */
  MIGRATION_DATABASE_URL: z.url().optional(),
  REDIS_URL: z.url().optional(),
  /** Separates deployments sharing one Redis. */
  REDIS_CHANNEL_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/)
    .default('opvangatlas'),
  /** PGlite data directory when DATABASE_URL is not set. */
  DATA_DIR: z.string().default('./data/pglite'),
  HOLD_MINUTES: z.coerce.number().int().min(1).max(240).default(60),
  HOLD_SWEEP_SECONDS: z.coerce.number().min(0.1).max(600).default(15),
  /** Holds at once, so one account or VO cannot block the country's free noodbedden. */
  HOLD_MAX_PER_USER: z.coerce.number().int().min(1).max(1000).default(3),
  HOLD_MAX_PER_ORGANISATION: z.coerce.number().int().min(1).max(10_000).default(10),
  /** A hold can be extended this often (0: never), each time by this many minutes. */
  HOLD_MAX_EXTENSIONS: z.coerce.number().int().min(0).max(10).default(1),
  HOLD_EXTENSION_MINUTES: z.coerce.number().int().min(1).max(240).default(30),
  /** Open live sockets per user (tabs, phones); more are closed with 4429. */
  LIVE_MAX_SOCKETS_PER_USER: z.coerce.number().int().min(1).max(1000).default(20),
  /**
   * Heartbeats on every live socket: the web app reads a socket silent for 5 s as lost contact
   * (issue 14). A socket may stay silent this long plus one late hub tick, and GC pauses and
   * the network come on top, so more than 3 s would drop healthy connections.
   */
  LIVE_HEARTBEAT_SECONDS: z.coerce
    .number()
    .min(0.1)
    .max(3, 'at most 3: the web app reads a socket silent for 5 s as lost contact')
    .default(2),
  /** Escalation ladders of placement requests, fixed per request when it is made. */
  PLACEMENT_ESCALATION_URGENT: minutesList.default([30, 60, 120]),
  PLACEMENT_ESCALATION_REGULAR: minutesList.default([240, 1440]),
  PLACEMENT_SWEEP_SECONDS: z.coerce.number().min(0.1).max(600).default(15),
  /** Request details (household, needs, note) are deleted this long after a request ends. */
  PLACEMENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** Ruil: minutes the parties have to decide (code rood or acuut in the cycle, or not). */
  SWAP_DEADLINE_URGENT_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  SWAP_DEADLINE_REGULAR_MINUTES: z.coerce.number().int().min(1).max(20160).default(240),
  /** A burst of changes within this time is one swap recompute. */
  SWAP_DEBOUNCE_MS: z.coerce.number().int().min(0).max(60_000).default(300),
  SWAP_SWEEP_SECONDS: z.coerce.number().min(0.1).max(600).default(15),
  /** How often late check-ins and the municipality's capacity figures are swept. */
  OVERFLOW_SWEEP_SECONDS: z.coerce.number().min(0.1).max(600).default(15),
  /** A check-in this long overdue is escalated from the VO to coordinators. */
  OVERFLOW_ESCALATION_GRACE_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(120),
  SESSION_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 30)
    .default(12),
  /**
   * A session unused for this long ends, even within SESSION_HOURS. An open live map does
   * not count as use: an unattended screen logs out.
   */
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .min(1)
    .max(24 * 60 * 30)
    .default(120),
  /** Bearer token for GET /metrics from elsewhere than this machine (loopback needs none). */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** After SIGTERM/SIGINT: how long in-flight requests may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(10),
  SEED: z.coerce.number().int().default(2023),
  /** Demo data and accounts; forced off in production. */
  DEMO: bool.optional(),
  /** 18 months of unit history with the demo data (Druk, the monitor); off in tests by default. */
  SEED_HISTORY: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Directory of the built SvelteKit app (adapter-node output). */
  WEB_BUILD_DIR: z.string().default('web/build'),
  COOKIE_SECURE: bool.optional(),
  /**
   * Where the app is served, as the browser sees it (comma-separated when there are several).
   * A state-changing request or websocket upgrade whose Origin is not one of them is refused.
   * Without it, the request's own scheme and Host.
   */
  PUBLIC_ORIGIN: z
    .string()
    .transform((v) => v.split(',').filter((o) => o.trim() !== ''))
    .pipe(z.array(origin).min(1, 'at least one origin'))
    .optional(),
  /** Behind a reverse proxy: whom to believe for the client address and scheme. */
  TRUST_PROXY: trustProxy.optional(),
  /** A real vector style instead of the offline basemap; its origin is allowed by the CSP. */
  PUBLIC_MAP_STYLE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** First administrator, created at start when missing (needed in production). */
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'at least 12 characters').optional(),
});

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  databaseUrl: string | undefined;
  migrationDatabaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisChannelPrefix: string;
  dataDir: string;
  holdMinutes: number;
  holdCaps: { perUser: number; perOrganisation: number };
  liveMaxSocketsPerUser: number;
  liveHeartbeatMs: number;
  /** How often a hold may be extended, and by how much each time. */
  holdExtension: { max: number; minutes: number };
  placementLadders: { urgent: number[]; regular: number[] };
  placementSweepMs: number;
  placementRetentionDays: number;
  swapDeadlines: { urgent: number; regular: number };
  swapDebounceMs: number;
  swapSweepMs: number;
  overflowSweepMs: number;
  overflowGraceMinutes: number;
  holdSweepMs: number;
  sessionHours: number;
  sessionIdleMinutes: number;
  metricsToken: string | undefined;
  shutdownTimeoutMs: number;
  seed: number;
  demo: boolean;
  seedHistory: boolean;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  webBuildDir: string;
  cookieSecure: boolean;
  /** Allowed Origin values; empty: the request's own origin. */
  publicOrigins: string[];
  trustProxy: boolean | string;
  mapStyleUrl: string | undefined;
  admin: { email: string; password: string } | undefined;
  /** Where logs go instead of stdout; not from the environment (tests capture the suite's logs). */
  logDestination?: { write(line: string): void };
}

export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = Env.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.MIGRATION_DATABASE_URL && !e.DATABASE_URL) {
    throw new Error('Invalid environment:\n  MIGRATION_DATABASE_URL needs DATABASE_URL');
  }
  if (Boolean(e.ADMIN_EMAIL) !== Boolean(e.ADMIN_PASSWORD)) {
    throw new Error('Invalid environment:\n  ADMIN_EMAIL and ADMIN_PASSWORD go together');
  }
  const production = e.NODE_ENV === 'production';
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    migrationDatabaseUrl: e.MIGRATION_DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisChannelPrefix: e.REDIS_CHANNEL_PREFIX,
    dataDir: e.DATA_DIR,
    holdMinutes: e.HOLD_MINUTES,
    holdCaps: { perUser: e.HOLD_MAX_PER_USER, perOrganisation: e.HOLD_MAX_PER_ORGANISATION },
    liveMaxSocketsPerUser: e.LIVE_MAX_SOCKETS_PER_USER,
    liveHeartbeatMs: e.LIVE_HEARTBEAT_SECONDS * 1000,
    holdExtension: { max: e.HOLD_MAX_EXTENSIONS, minutes: e.HOLD_EXTENSION_MINUTES },
    placementLadders: {
      urgent: e.PLACEMENT_ESCALATION_URGENT,
      regular: e.PLACEMENT_ESCALATION_REGULAR,
    },
    placementSweepMs: e.PLACEMENT_SWEEP_SECONDS * 1000,
    placementRetentionDays: e.PLACEMENT_RETENTION_DAYS,
    swapDeadlines: {
      urgent: e.SWAP_DEADLINE_URGENT_MINUTES,
      regular: e.SWAP_DEADLINE_REGULAR_MINUTES,
    },
    swapDebounceMs: e.SWAP_DEBOUNCE_MS,
    swapSweepMs: e.SWAP_SWEEP_SECONDS * 1000,
    overflowSweepMs: e.OVERFLOW_SWEEP_SECONDS * 1000,
    overflowGraceMinutes: e.OVERFLOW_ESCALATION_GRACE_MINUTES,
    holdSweepMs: e.HOLD_SWEEP_SECONDS * 1000,
    sessionHours: e.SESSION_HOURS,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    metricsToken: e.METRICS_TOKEN,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    seed: e.SEED,
    demo: !production && (e.DEMO ?? true),
    // Tests see the seed's present state only: their assertions on the events table start empty.
    seedHistory: e.SEED_HISTORY ?? e.NODE_ENV !== 'test',
    logLevel: e.LOG_LEVEL,
    webBuildDir: e.WEB_BUILD_DIR,
    cookieSecure: e.COOKIE_SECURE ?? production,
    publicOrigins: e.PUBLIC_ORIGIN ?? [],
    trustProxy: e.TRUST_PROXY ?? false,
    mapStyleUrl: e.PUBLIC_MAP_STYLE_URL,
    admin:
      e.ADMIN_EMAIL && e.ADMIN_PASSWORD
        ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD }
        : undefined,
  };
}

/** Defaults for tests and tools that build an app without a process environment. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    // The overflow sweep flags late check-ins: in tests it runs at start only, and a test
    // that needs it calls it (overflowTimersPlugin).
    ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', OVERFLOW_SWEEP_SECONDS: '600' }),
    ...overrides,
  };
}
