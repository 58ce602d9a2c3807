import { openDatabase } from '@opvangatlas/db';
import { DEMO_PASSWORD } from '@opvangatlas/db/seed';
import { buildApp } from './app';
import { openBus, openMigratedDatabase, seedIfEmpty } from './bootstrap';
import { loadConfig } from './config/env';
import { safeError } from './plugins/error-handler';
import { loggerOptions } from './plugins/request-log';

/** Runs one start-up step; when it fails, says which and exits (a process manager restarts us). */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    // The innermost cause says what is wrong ("connect ECONNREFUSED 10.0.0.5:5432").
    let e = safeError(err);
    while (e.cause) e = e.cause;
    console.error(`Cannot start: ${what} failed (${e.type}: ${e.message}). Exiting.`);
    process.exit(1);
  }
}

/**
 * Entry point: `npm start`. Everything listening-related lives here, not in app.ts.
 *
 * Start-up needs the database: migrations, the seed and the live hub's first read all run
 * before the instance listens. Without it the process exits at once with one line; Docker's
 * `restart: unless-stopped` (or any process manager) starts it again, and the instances that
 * are running keep serving. Starting half (listening without a live state) would need every
 * route and the websocket to handle "not loaded yet"; a restart loop is simpler and honest.
 */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const database = await step('opening and migrating the database', async () => {
    if (!config.migrationDatabaseUrl) return openMigratedDatabase(config);
    // Migrations as the owner; the app itself runs as a role that cannot rewrite the audit trail.
    const owner = await openMigratedDatabase({
      ...config,
      databaseUrl: config.migrationDatabaseUrl,
    });
    await owner.close();
    return openDatabase({ url: config.databaseUrl });
  });
  // Never trusted: a message that fails the schema is dropped and said, not applied.
  const bus = await step('connecting the bus', () =>
    openBus(config, (reason) => console.warn(`bus: ${reason}`)),
  );
  const seeded = await step('seeding', () => seedIfEmpty(database, config));
  const app = await buildApp({
    config,
    database,
    bus,
    web: true,
    // Pretty in a terminal, JSON lines for everything else (a log collector).
    logger: loggerOptions(config, { pretty: process.stdout.isTTY === true }),
  });
  await step('starting the app (live hub)', async () => {
    await app.ready();
  });
  // A restart's reconnect storm: thousands of connections arrive at once. Node's default
  // accept queue (511) overflowed there and the kernel dropped the rest, whose clients retried
  // only after 1, 3, 7 or 15 s (SYN retransmits). The kernel caps this at net.core.somaxconn.
  await app.listen({ host: config.host, port: config.port, backlog: 4096 });

  /**
   * SIGTERM (orchestrator, `docker stop`) or SIGINT (Ctrl-C): /api/ready turns 503, the
   * listener closes, websockets are closed with 1012 so clients reconnect at once to an
   * instance still running, in-flight requests finish and publish their events, then the bus
   * and the database close. A second signal (Ctrl-C reaches both `npm start` and us) changes
   * nothing; after SHUTDOWN_TIMEOUT_SECONDS the process exits anyway.
   */
  let stopping = false;
  // The pretty printer runs in a worker thread: let it write the last lines before exiting.
  const exit = (code: number) => {
    setTimeout(() => process.exit(code), 500).unref();
    const log = app.log as typeof app.log & { flush?: (done: () => void) => void };
    if (log.flush) log.flush(() => process.exit(code));
    else process.exit(code);
  };
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.lifecycle.draining = true;
    app.log.info({ signal }, 'shutting down: finishing requests, telling websockets to reconnect');
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting with requests unfinished');
      exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      // A keep-alive connection whose request finishes during the close would otherwise stay
      // open until its timeout (72 s): close connections as soon as they fall idle.
      const idle = setInterval(() => app.server.closeIdleConnections(), 100);
      await app.close();
      clearInterval(idle);
      await bus.close();
      await database.close();
      app.log.info('stopped');
      exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  const where = `${database.driver}${database.driver === 'pglite' ? ` (${config.dataDir})` : ''}`;
  app.log.info(
    { url, database: database.driver, bus: bus.kind, seeded: seeded.seeded },
    'listening',
  );
  // The welcome with the demo logins only in a terminal: a log collector gets no e-mail addresses.
  if (!process.stdout.isTTY) return;
  const lines = [
    '',
    `Opvangatlas Live is running at ${url}`,
    `  database: ${where}, bus: ${bus.kind}`,
    seeded.seeded
      ? `  seeded ${seeded.regions} regions and ${seeded.units} units`
      : '  using existing data',
  ];
  if (config.demo) {
    lines.push(`  demo logins (password "${DEMO_PASSWORD}"):`);
    for (const role of ['vo_worker', 'vo_planner', 'coordinator', 'municipality', 'admin']) {
      lines.push(`    ${role}@demo.opvangatlas.nl`);
    }
  }
  console.log(lines.join('\n') + '\n');
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
