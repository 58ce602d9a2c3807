import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '@opvangatlas/db';
import { testConfig, type AppConfig } from '../../server/src/config/env';
import { openBus, openMigratedDatabase, seedIfEmpty } from '../../server/src/bootstrap';
import type { Bus } from '../../server/src/live/bus';
import { captureLogs } from './log-capture';

/**
 * The database and bus a test runs on. TEST_BACKEND=real (set by the `real` vitest
 * project) uses a fresh Postgres database in TEST_DATABASE_URL and Redis at TEST_REDIS_URL;
 * otherwise an in-memory PGlite and the in-process bus.
 */
export interface TestBackend {
  kind: 'embedded' | 'real';
  config: AppConfig;
  database: Database;
  /** A bus for one more server instance (Redis: its own connections). */
  openBus(): Promise<Bus>;
  /** A database handle for one more server instance (Postgres: its own pool). */
  openDatabase(): Promise<Database>;
  close(): Promise<void>;
}

/**
 * Under vitest, every app's log lines, at debug, go to the run's log folder (log-capture.ts);
 * elsewhere (npm run bench) the config's own level and stdout.
 */
const captured = (): Partial<AppConfig> =>
  process.env.VITEST
    ? { logLevel: 'debug', logDestination: captureLogs(`app-${process.env.VITEST_POOL_ID ?? 0}`) }
    : {};

export async function createBackend(overrides: Partial<AppConfig> = {}): Promise<TestBackend> {
  const toClose: Array<{ close(): Promise<void> }> = [];
  if (process.env.TEST_BACKEND !== 'real') {
    const config = testConfig({ dataDir: 'memory', ...captured(), ...overrides });
    const database = await openMigratedDatabase(config);
    await seedIfEmpty(database, config);
    const bus = await openBus(config);
    return {
      kind: 'embedded',
      config,
      database,
      // One process: instances share the embedded database and the in-process bus.
      openBus: async () => bus,
      openDatabase: async () => database,
      close: async () => {
        await bus.close();
        await database.close();
      },
    };
  }

  const adminUrl = process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!adminUrl || !redisUrl)
    throw new Error('TEST_BACKEND=real needs TEST_DATABASE_URL and TEST_REDIS_URL');
  const name = `oa_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const config = testConfig({
    databaseUrl: url.toString(),
    redisUrl,
    redisChannelPrefix: name,
    ...captured(),
    ...overrides,
  });
  const database = await openMigratedDatabase(config);
  toClose.push(database);
  await seedIfEmpty(database, config);
  return {
    kind: 'real',
    config,
    database,
    openBus: async () => {
      const bus = await openBus(config);
      toClose.push(bus);
      return bus;
    },
    openDatabase: async () => {
      const db = await openMigratedDatabase(config);
      toClose.push(db);
      return db;
    },
    close: async () => {
      for (const c of toClose.reverse()) await c.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
