import { DEMO_PASSWORD } from '@opvangatlas/db/seed';
import { buildApp } from './app';
import { openBus, openMigratedDatabase, seedIfEmpty } from './bootstrap';
import { loadConfig } from './config/env';

/** Entry point: `npm start`. Everything listening-related lives here, not in app.ts. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const database = await openMigratedDatabase(config);
  // Never trusted: a message that fails the schema is dropped and said, not applied.
  const bus = await openBus(config, (reason) => console.warn(`bus: ${reason}`));
  const seeded = await seedIfEmpty(database, config);
  const app = await buildApp({ config, database, bus, web: true });
  await app.listen({ host: config.host, port: config.port });

  const shutdown = async (signal: string) => {
    app.log.info(`${signal}: shutting down`);
    await app.close();
    await bus.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
  const lines = [
    '',
    `Opvangatlas Live is running at ${url}`,
    `  database: ${database.driver}${database.driver === 'pglite' ? ` (${config.dataDir})` : ''}, bus: ${bus.kind}`,
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
