import { mkdirSync } from 'node:fs';
import { openDatabase, type Database } from '@opvangatlas/db';
import { DEMO_PASSWORD, ensureAdmin, seed, type SeedResult } from '@opvangatlas/db/seed';
import type { AppConfig } from './config/env';
import { createMemoryBus, createRedisBus, type Bus } from './live/bus';
import { hashPassword } from './modules/session/password';

/** Opens Postgres (DATABASE_URL) or the embedded PGlite, and applies migrations. */
export async function openMigratedDatabase(
  config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>,
): Promise<Database> {
  if (!config.databaseUrl && config.dataDir !== 'memory')
    mkdirSync(config.dataDir, { recursive: true });
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir === 'memory' ? undefined : config.dataDir,
  });
  await database.migrate();
  return database;
}

/** Redis when REDIS_URL is set, the in-process bus otherwise. */
export function openBus(
  config: Pick<AppConfig, 'redisUrl' | 'redisChannelPrefix'>,
  onWarning?: (reason: string) => void,
): Promise<Bus> {
  return config.redisUrl
    ? createRedisBus({ url: config.redisUrl, channelPrefix: config.redisChannelPrefix, onWarning })
    : Promise.resolve(createMemoryBus());
}

/** Seeds an empty database (demo data only outside production) and the configured admin. */
export async function seedIfEmpty(
  database: Database,
  config: Pick<AppConfig, 'seed' | 'demo' | 'admin'> & Partial<Pick<AppConfig, 'seedHistory'>>,
): Promise<SeedResult> {
  const result = await seed(database.db, {
    seed: config.seed,
    demo: config.demo,
    demoPasswordHash: config.demo ? await hashPassword(DEMO_PASSWORD) : undefined,
    history: config.seedHistory,
  });
  if (config.admin) {
    await ensureAdmin(database.db, config.admin.email, await hashPassword(config.admin.password));
  }
  return result;
}
