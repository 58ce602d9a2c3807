import type { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { dbFile } from './files';
import { startPgliteWorker } from './pglite-proxy';
import { schema } from './schema/index';

type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Repositories accept either, so a service can run several of them in one transaction. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  /** Applies the committed migrations in db/migrations. */
  migrate(): Promise<void>;
  /** PGlite only: its whole data directory, to start another from (`pgliteImage`). */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

const migrationsFolder = dbFile('migrations');

export interface DatabaseOptions {
  /** postgres:// URL; without it an embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; without it PGlite runs in memory. */
  dataDir?: string | undefined;
  /** Pool size for node-postgres. */
  poolSize?: number;
  /** How long node-postgres waits for a new connection before giving up (default 2 s). */
  connectionTimeoutMs?: number;
  /**
   * An in-memory PGlite starts from this data directory (a `dump()` of another) instead of
   * an empty cluster: the tests start from a migrated, seeded copy in a second, not four.
   */
  pgliteImage?: Blob;
}

export async function openDatabase(opts: DatabaseOptions = {}): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      // Postgres down or unreachable: fail within 2 s (the API answers 503), never hang.
      connectionTimeoutMillis: opts.connectionTimeoutMs ?? 2000,
    });
    // A dropped idle connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    // Nor one dropped while checked out between two queries of a transaction: the pool only
    // listens to idle clients, and an 'error' nobody listens to ends the process. The query or
    // transaction in progress fails by itself (503); the broken client is not reused.
    pool.on('connect', (client) => client.on('error', () => {}));
    releaseOnFailedBegin(pool);
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      migrate: () => migratePg(drizzlePg(pool, { schema }), { migrationsFolder }),
      close: () => pool.end(),
    };
  }
  // In a worker thread: its WASM work stays off the event loop the requests are served on.
  const client = opts.dataDir
    ? await startPgliteWorker({ dataDir: opts.dataDir })
    : await startPgliteWorker({ image: opts.pgliteImage });
  // The worker's stand-in offers what drizzle's PGlite session calls (pglite-proxy.ts).
  const pdb = drizzlePglite(client as unknown as PGlite, { schema });
  return {
    db: pdb as unknown as Db,
    driver: 'pglite',
    migrate: () => migratePglite(pdb, { migrationsFolder }),
    dump: () => client.dumpDataDir(),
    close: () => client.close(),
  };
}

/**
 * drizzle-orm (0.45) sends a transaction's BEGIN before its try/finally: when the connection
 * dies between the checkout and BEGIN (Postgres cut, a failover), the client is never given
 * back, the pool is one short for good, and `pool.end()` waits for it forever (seen as a
 * shutdown hanging after Postgres went away, test/integration/database-down.test.ts). Only
 * transactions check a client out with the promise form of `connect()` (plain queries use
 * `pool.query`): such a client gives itself back, broken, when its first statement fails.
 */
function releaseOnFailedBegin(pool: pg.Pool): void {
  const checkout = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  const withCallback = pool.connect.bind(pool) as (cb: unknown) => void;
  pool.connect = ((callback?: unknown) => {
    if (callback) return withCallback(callback);
    return checkout().then((client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((...args: unknown[]) => {
        client.query = query as typeof client.query;
        const result = query(...args);
        if (!(result instanceof Promise)) return result;
        return result.catch((err: unknown) => {
          client.release(err instanceof Error ? err : true);
          throw err;
        });
      }) as typeof client.query;
      return client;
    });
  }) as typeof pool.connect;
}
