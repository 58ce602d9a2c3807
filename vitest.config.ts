import { defineConfig } from 'vitest/config';

const realServices = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);
const integration = {
  include: ['test/integration/**/*.test.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

/**
 * Projects: unit tests next to the code; integration tests on the embedded defaults and,
 * when TEST_DATABASE_URL and TEST_REDIS_URL are set, the same suite on Postgres + Redis;
 * the web app's own tests; end-to-end in Chromium.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['{shared,db,server}/src/**/*.test.ts'] } },
      { test: { name: 'embedded', ...integration } },
      ...(realServices
        ? [{ test: { name: 'real', ...integration, env: { TEST_BACKEND: 'real' } } }]
        : []),
      'web/vitest.config.ts',
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
