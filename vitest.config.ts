import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const realServices = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);
/** The fault scenarios start their own Redis (and relay Postgres): they need the binaries. */
const faultScenarios = realServices && existsSync('/usr/bin/redis-server');
const integration = {
  include: ['test/integration/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

// Every test server's log lines are captured here (test/support/log-capture.ts); the `logs`
// project, which runs after all others, greps them for passwords, tokens, e-mail addresses
// and query parameters, then removes the folder.
process.env.OA_TEST_LOG_DIR ??= join(tmpdir(), `opvangatlas-test-logs-${process.pid}`);
// Seeded embedded databases to start the next ones from (test/support/backend.ts): per
// run, so a changed migration or seed is never served from an old copy.
process.env.OA_TEST_TEMPLATE_DIR ??= join(tmpdir(), `opvangatlas-test-templates-${process.pid}`);
mkdirSync(process.env.OA_TEST_TEMPLATE_DIR, { recursive: true });
// A run without the `logs` project (one file, one project) leaves its folder, and every run
// its templates: the next run removes the folders of runs that have ended.
for (const name of readdirSync(tmpdir())) {
  const pid = Number(/^opvangatlas-test-(?:logs|templates)-(\d+)$/.exec(name)?.[1]);
  if (!pid || pid === process.pid) continue;
  try {
    process.kill(pid, 0); // still running
  } catch {
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/**
 * Projects: unit tests next to the code; integration tests on the embedded defaults and,
 * when TEST_DATABASE_URL and TEST_REDIS_URL are set, the same suite on Postgres + Redis and
 * the fault scenarios (server processes killed, Redis and Postgres cut); the web app's own
 * tests; end-to-end in Chromium; last, the audit of the logs all of them wrote.
 */
export default defineConfig({
  test: {
    // Vitest's default on a 2-core machine is one file at a time, and most files wait (on
    // Postgres, Chromium, timers) more than they compute: two at a time halves the run.
    maxWorkers: 2,
    projects: [
      { test: { name: 'unit', include: ['{shared,db,server}/src/**/*.test.ts'] } },
      { test: { name: 'embedded', ...integration } },
      ...(realServices
        ? [{ test: { name: 'real', ...integration, env: { TEST_BACKEND: 'real' } } }]
        : []),
      ...(faultScenarios
        ? [
            {
              test: {
                name: 'fault',
                include: ['test/fault/**/*.test.ts'],
                env: { TEST_BACKEND: 'real' },
                testTimeout: 120_000,
                hookTimeout: 120_000,
                // Each file starts server processes and a Redis: one at a time, and after the
                // other projects, so their figures are not those of a machine busy with Chromium.
                fileParallelism: false,
                sequence: { groupOrder: 1 },
              },
            },
          ]
        : []),
      'web/vitest.config.ts',
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // Not `fileParallelism: false`: Vitest runs such a project alone after all the
          // others (after the log audit too); each file has its own app and Chromium.
        },
      },
      {
        test: {
          name: 'logs',
          include: ['test/logs/**/*.test.ts'],
          // After every other project, so it reads the logs of the whole run.
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
