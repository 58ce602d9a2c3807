import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { buildApp, type App } from '../../server/src/app';
import type { AppConfig } from '../../server/src/config/env';
import { createBackend, type TestBackend } from './backend';
import {
  DESKTOP,
  SCREENSHOT_DIR,
  launchChromium,
  loginThroughForm,
  type UserSession,
} from './browser';
import { demoEmail } from './instance';

/**
 * The app (built web app and API, embedded database and bus) on a free port, and Chromium,
 * for an end-to-end describe block: started before its tests, closed after. Every test ends
 * by closing its browsers and failing on page errors or requests to another origin.
 */
export function useWebApp(overrides: Partial<AppConfig> = {}) {
  let backend: TestBackend;
  let app: App;
  let baseUrl: string;
  let browser: Browser;
  const sessions: UserSession[] = [];

  beforeAll(async () => {
    backend = await createBackend(overrides);
    app = await buildApp({
      config: backend.config,
      database: backend.database,
      bus: await backend.openBus(),
      web: true,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });
  afterEach(async () => {
    const problems = sessions.flatMap((s) => [
      ...s.errors.map((e) => `page error: ${e.message}`),
      ...s.external.map((url) => `request to another origin: ${url}`),
    ]);
    await Promise.all(sessions.splice(0).map((s) => s.context.close()));
    expect(problems).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await backend?.close();
  });

  return {
    get app() {
      return app;
    },
    get backend() {
      return backend;
    },
    /** Logs `local`@demo in through the login form, in a browser context of its own. */
    async as(local: string, viewport: { width: number; height: number } = DESKTOP) {
      const session = await loginThroughForm(browser, baseUrl, demoEmail(local), { viewport });
      session.context.setDefaultTimeout(10_000);
      sessions.push(session);
      return session;
    },
  };
}
