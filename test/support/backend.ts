import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '@opvangatlas/db';
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

/**
 * A migrated, seeded in-memory PGlite. Creating one takes about 5 s (initdb, migrations,
 * seed) and every test file needs a few: the first of a run with the same seed settings
 * keeps its data directory in the run's template folder (vitest.config.ts), the others
 * start from that copy in about 1 s.
 */
async function seededPglite(config: AppConfig): Promise<Database> {
  const folder = process.env.OA_TEST_TEMPLATE_DIR;
  const key = createHash('sha256')
    .update(
      JSON.stringify([config.seed, config.demo, config.admin ?? null, config.seedHistory ?? null]),
    )
    .digest('hex')
    .slice(0, 16);
  const file = folder ? join(folder, `${key}.tar`) : undefined;
  if (file && existsSync(file))
    return openDatabase({ pgliteImage: new Blob([readFileSync(file)]) });
  const database = await openMigratedDatabase(config);
  await seedIfEmpty(database, config);
  if (file && database.dump) {
    // Written aside and renamed: a file of another worker's reading is never half there.
    const partial = `${file}.${process.pid}.${randomBytes(3).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await (await database.dump()).arrayBuffer()));
    renameSync(partial, file);
  }
  return database;
}

export async function createBackend(overrides: Partial<AppConfig> = {}): Promise<TestBackend> {
  const toClose: Array<{ close(): Promise<void> }> = [];
  if (process.env.TEST_BACKEND !== 'real') {
    const config = testConfig({ dataDir: 'memory', ...captured(), ...overrides });
    const database = await seededPglite(config);
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
