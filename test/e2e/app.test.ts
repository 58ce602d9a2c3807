import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { locations } from '@opvangatlas/db';
import type { OwnLocation, Region, SessionUser, Unit } from '@opvangatlas/shared';
import { buildApp, type App } from '../../server/src/app';
import { createBackend, type TestBackend } from '../support/backend';
import {
  CHROMIUM_PATH,
  DESKTOP,
  PHONE,
  SCREENSHOT_DIR,
  chromiumAvailable,
  documentStillMarked,
  fitsViewportWidth,
  launchChromium,
  loginThroughForm,
  mapPaint,
  markDocument,
  scrollToTop,
  type UserSession,
} from '../support/browser';
import { demoEmail, login } from '../support/instance';

/**
 * End-to-end: the built SvelteKit app and the API on one in-process server (embedded
 * database and bus), driven by Chromium. Every user logs in through the login page in a
 * browser context of their own, so each has their own cookie and websocket.
 */
const haveChromium = chromiumAvailable();
if (!haveChromium) {
  if (process.env.CI) {
    throw new Error(`e2e: no Chromium at ${CHROMIUM_PATH}; CI must run the browser tests`);
  }
  console.warn(
    `\n  e2e SKIPPED: no Chromium at ${CHROMIUM_PATH}. Install it (apt-get install chromium) ` +
      'or set CHROMIUM_PATH to run the browser tests.\n',
  );
}

/** test-results/screenshots/; `npm run screenshots` copies them to docs/screenshots/. */
const SCREENSHOTS = SCREENSHOT_DIR;
/** Live changes must reach the other browser within this time. */
const LIVE_MS = 5000;
const poll = <T>(fn: () => Promise<T> | T, timeout = LIVE_MS) =>
  expect.poll(fn, { timeout, interval: 50 });

type Role = 'vo_worker' | 'vo_planner' | 'coordinator' | 'municipality' | 'admin';
const ROLES: Role[] = ['vo_worker', 'vo_planner', 'coordinator', 'municipality', 'admin'];
/** A night-shift worker of another organisation than the demo VO (Arosa). */
const OTHER_VO_WORKER = 'vo_worker.moviera';

describe.skipIf(!haveChromium)('Opvangatlas Live in Chromium', () => {
  let backend: TestBackend;
  let app: App;
  let baseUrl: string;
  let browser: Browser;
  const sessions: UserSession[] = [];

  beforeAll(async () => {
    backend = await createBackend();
    const shell = resolve(backend.config.webBuildDir, 'index.html');
    if (!existsSync(shell)) {
      throw new Error(`e2e: no web build at ${shell}; run npm run build -w web first`);
    }
    app = await buildApp({
      config: backend.config,
      database: backend.database,
      bus: await backend.openBus(),
      web: true,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
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

  /** Logs `local`@demo in through the form, in a new browser context. */
  async function as(local: string, options: Parameters<typeof loginThroughForm>[3] = {}) {
    const session = await loginThroughForm(browser, baseUrl, demoEmail(local), options);
    session.context.setDefaultTimeout(10_000);
    sessions.push(session);
    return session;
  }

  async function getJson<T>(page: Page, path: string): Promise<T> {
    const res = await page.request.get(path);
    expect(res.status(), path).toBe(200);
    return (await res.json()) as T;
  }

  const sessionUser = async (page: Page) =>
    (await getJson<{ user: SessionUser }>(page, '/api/session')).user;

  const pathOf = (page: Page) => new URL(page.url()).pathname;

  async function navigate(page: Page, label: string, path: string) {
    await page.getByTestId('nav-link').filter({ hasText: label }).click();
    await page.waitForURL((url) => url.pathname === path);
  }

  async function waitForLive(page: Page) {
    await poll(() => page.getByTestId('connection-status').getAttribute('data-state')).toBe('live');
  }

  /**
   * Markers are drawn once the live state has arrived and maplibre has loaded, which it does
   * when the map is in view (on a phone it is below the list). Regions whose markers would
   * overlap stand in a group under one marker: `count` regions in all.
   */
  async function waitForMarkers(page: Page, count: number) {
    await page.getByTestId('map').scrollIntoViewIfNeeded();
    await page.getByTestId('region-marker').first().waitFor();
    await poll(async () => (await allRegionIdsOf(page)).length).toBe(count);
  }

  const allRegionIdsOf = (page: Page) =>
    page
      .getByTestId('region-marker')
      .evaluateAll((els) =>
        els.flatMap((e) =>
          [
            e.getAttribute('data-region-id'),
            ...(e.getAttribute('data-member-ids') ?? '').split(' '),
          ]
            .filter(Boolean)
            .map(Number),
        ),
      );

  const regionIdsOf = (page: Page) =>
    page
      .getByTestId('region-marker')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-region-id'))));

  const byNumber = (a: number, b: number) => a - b;

  it('logs a VO worker in through the form onto a live map with one marker per region', async () => {
    const { page } = await as('vo_worker');
    // The night-shift worker's home is Noodbed nu; the map is one tap away.
    expect(pathOf(page)).toBe('/noodbed');
    await navigate(page, 'Kaart', '/');

    const regions = await getJson<Region[]>(page, '/api/regions');
    expect(regions).toHaveLength(35);
    await waitForMarkers(page, regions.length);
    expect((await allRegionIdsOf(page)).sort(byNumber)).toEqual(
      regions.map((r) => r.id).sort(byNumber),
    );
    await page.locator('canvas.maplibregl-canvas').waitFor();

    await waitForLive(page);
    expect(await page.getByTestId('connection-status').textContent()).toContain('Live');
  });

  it('shows a status change made in another browser on the map and in Mijn locaties without reload', async () => {
    const worker = await as('vo_worker');
    const planner = await as('vo_planner');
    const me = await sessionUser(worker.page);
    const unit = (await getJson<Unit[]>(planner.page, '/api/units')).find(
      (u) =>
        u.organisationId === me.organisationId && u.regionId === me.regionId && u.status === 'free',
    );
    expect(unit, 'a free unit of the own VO in the own region').toBeDefined();
    const { id, regionId } = unit!;

    await navigate(worker.page, 'Kaart', '/');
    await waitForMarkers(worker.page, 35);
    await waitForLive(worker.page);
    const total = worker.page.locator(
      `[data-testid="region-marker"][data-region-id="${regionId}"] .total`,
    );
    const before = Number(await total.textContent());
    expect(before).toBeGreaterThan(0);
    await markDocument(worker.page);

    // The planner takes the unit out of service on Mijn locaties: that also confirms its
    // location ("laatst bevestigd" refreshed, for everyone).
    const confirmedAt = async () =>
      Date.parse(
        (await getJson<OwnLocation[]>(planner.page, '/api/locations')).find(
          (l) => l.id === unit!.locationId,
        )!.lastConfirmedAt ?? '1970-01-01T00:00:00Z',
      );
    const confirmedBefore = await confirmedAt();
    await planner.page.goto('/locaties');
    const plannerRow = planner.page.locator(`[data-testid="unit-row"][data-unit-id="${id}"]`);
    await plannerRow.getByTestId('status-out_of_service').click();
    await poll(() => total.textContent()).toBe(String(before - 1));
    await poll(confirmedAt).toBeGreaterThan(confirmedBefore);
    const freshness = planner.page
      .locator(`[data-testid="own-location"][data-location-id="${unit!.locationId}"]`)
      .getByTestId('freshness');
    await poll(() => freshness.getAttribute('data-level')).toBe('fresh');
    expect(await freshness.textContent()).toMatch(/zojuist|minuut|minuten/);

    // The worker opens Mijn locaties in the app (no reload) and sees the next change live.
    await navigate(worker.page, 'Mijn locaties', '/locaties');
    const workerStatus = worker.page
      .locator(`[data-testid="unit-row"][data-unit-id="${id}"]`)
      .getByTestId('unit-status');
    await poll(() => workerStatus.getAttribute('data-status')).toBe('out_of_service');
    await waitForLive(worker.page);
    await plannerRow.getByTestId('status-free').click();
    await poll(() => workerStatus.getAttribute('data-status')).toBe('free');

    await navigate(worker.page, 'Kaart', '/');
    await poll(() => total.textContent()).toBe(String(before));
    expect(await documentStillMarked(worker.page)).toBe(true);
  });

  describe('Noodbed nu', () => {
    const cardIn = (page: Page, unitId: string) =>
      page.locator(`[data-testid="noodbed-card"][data-unit-id="${unitId}"]`);

    /** The first free noodbed in Arosa's list, and both users watching it. */
    async function twoWorkersOnOneNoodbed() {
      const arosa = await as('vo_worker');
      const moviera = await as(OTHER_VO_WORKER);
      expect(pathOf(arosa.page)).toBe('/noodbed');
      expect(pathOf(moviera.page)).toBe('/noodbed');
      const first = arosa.page.getByTestId('result-list').getByTestId('noodbed-card').first();
      await first.getByTestId('hold-button').waitFor();
      const unitId = (await first.getAttribute('data-unit-id'))!;
      await cardIn(moviera.page, unitId).getByTestId('hold-button').waitFor();
      await waitForLive(arosa.page);
      await waitForLive(moviera.page);
      await markDocument(arosa.page);
      await markDocument(moviera.page);
      return { arosa: arosa.page, moviera: moviera.page, unitId };
    }

    it('holds a noodbed with a running countdown, shows the hold to another VO live, and releases it', async () => {
      const { arosa, moviera, unitId } = await twoWorkersOnOneNoodbed();

      await cardIn(arosa, unitId).getByTestId('hold-button').click();
      const held = cardIn(arosa, unitId);
      await held.getByTestId('release-button').waitFor();
      const time = held.getByTestId('hold-countdown').locator('.time');
      const shown = await time.textContent();
      expect(shown).toMatch(/^\d+(:\d\d){1,2}$/);
      await poll(() => time.textContent()).not.toBe(shown);
      // In the other organisation's browser the noodbed leaves the free list.
      await poll(() => cardIn(moviera, unitId).count()).toBe(0);
      await moviera.getByText(/vastgehouden door (een )?andere organisatie/).waitFor();

      await held.getByTestId('release-button').click();
      await cardIn(arosa, unitId).getByTestId('hold-button').waitFor();
      expect(await arosa.getByTestId('hold-countdown').count()).toBe(0);
      await cardIn(moviera, unitId).getByTestId('hold-button').waitFor({ timeout: LIVE_MS });

      expect(await documentStillMarked(arosa)).toBe(true);
      expect(await documentStillMarked(moviera)).toBe(true);
    });

    it('tells the worker clearly that someone else was faster when the noodbed was just held', async () => {
      const { arosa, moviera, unitId } = await twoWorkersOnOneNoodbed();
      const movieraCookie = await login(app, demoEmail(OTHER_VO_WORKER));
      // Moviera's hold lands between Arosa's tap and Arosa's request reaching the server.
      let otherHold = 0;
      await arosa.route(
        `**/api/units/${unitId}/hold`,
        async (route) => {
          const res = await app.inject({
            method: 'POST',
            url: `/api/units/${unitId}/hold`,
            headers: { cookie: movieraCookie },
          });
          otherHold = res.statusCode;
          await route.continue();
        },
        { times: 1 },
      );

      await cardIn(arosa, unitId).getByTestId('hold-button').click();
      const message = arosa.getByTestId('conflict-message');
      await message.waitFor();
      expect(otherHold).toBe(200);
      expect(await message.getAttribute('role')).toBe('alert');
      expect(await message.textContent()).toContain('Iemand anders was je voor');
      await poll(() => cardIn(arosa, unitId).count()).toBe(0);
      expect(await arosa.getByTestId('release-button').count()).toBe(0);

      // Moviera's own browser shows its hold live; releasing it there frees it for Arosa.
      const movieraCard = cardIn(moviera, unitId);
      await movieraCard.getByTestId('hold-countdown').waitFor({ timeout: LIVE_MS });
      await movieraCard.getByTestId('release-button').click();
      await cardIn(arosa, unitId).getByTestId('hold-button').waitFor({ timeout: LIVE_MS });
      expect(await documentStillMarked(moviera)).toBe(true);
    });
  });

  describe('privacy', () => {
    let addresses: { organisationId: number; name: string; street: string; postcode: string }[];

    beforeAll(async () => {
      addresses = await backend.database.db
        .select({
          organisationId: locations.organisationId,
          name: locations.name,
          street: locations.street,
          postcode: locations.postcode,
        })
        .from(locations);
    });

    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    /** Whole-token match: "Lindelaan 12" must not match inside "Lindelaan 120". */
    const occurs = (html: string, text: string) =>
      new RegExp(`(?<![\\p{L}\\p{N}])${escape(text)}(?![\\p{L}\\p{N}])`, 'u').test(html);

    it('shows a municipality its own region as aggregates only: no units, no locations, no VO pages', async () => {
      const { page } = await as('municipality');
      const me = await sessionUser(page);
      expect(me.regionId).not.toBeNull();
      expect(pathOf(page)).toBe('/');

      await waitForMarkers(page, 1);
      expect(await regionIdsOf(page)).toEqual([me.regionId]);
      const panel = page.getByTestId('region-panel');
      await panel.waitFor();
      expect(await panel.getAttribute('data-region-id')).toBe(String(me.regionId));
      expect(await panel.locator('table').count()).toBe(1);
      // The map and the yearly monitor of her own region (suppressed): no VO pages.
      expect(await page.getByTestId('nav-link').allTextContents()).toEqual([
        expect.stringContaining('Kaart'),
        expect.stringContaining('Monitor'),
      ]);
      for (const testid of [
        'noodbed-card',
        'unit-row',
        'hold-button',
        'result-item',
        'panel-location',
        'own-location',
      ]) {
        expect(await page.getByTestId(testid).count(), testid).toBe(0);
      }
      expect(await page.getByTestId('result-region').count()).toBe(1);
      const seen = [await page.content()];

      // The VO pages are not there for a municipality, not even by typing the address.
      for (const path of ['/noodbed', '/locaties']) {
        await page.goto(path);
        await page.waitForURL((url) => url.pathname === '/');
        await waitForMarkers(page, 1);
        expect(await page.getByTestId('noodbed-card').count()).toBe(0);
        expect(await page.getByTestId('unit-row').count()).toBe(0);
        seen.push(await page.content());
      }
      const named = addresses.filter((a) => seen.some((html) => occurs(html, a.name)));
      expect(named.map((a) => a.name)).toEqual([]);
    });

    it('shows no shelter address on any page of any role, except the own ones on Mijn locaties', async () => {
      const allTokens = addresses.flatMap((a) => [a.street, a.postcode]);
      expect(allTokens.length).toBeGreaterThan(60);
      const leaks: string[] = [];
      const check = (role: Role, where: string, html: string, allowed: Set<string>) => {
        for (const token of allTokens) {
          if (!allowed.has(token) && occurs(html, token)) leaks.push(`${role} ${where}: ${token}`);
        }
      };

      for (const role of ROLES) {
        const { page } = await as(role);
        const me = await sessionUser(page);
        const vo = role === 'vo_worker' || role === 'vo_planner';
        const own = addresses.filter((a) => a.organisationId === me.organisationId);
        const ownTokens = new Set(own.flatMap((a) => [a.street, a.postcode]));
        const none = new Set<string>();
        // Everything that reaches the browser: no page can show an address it never got.
        // That covers every region panel (they render the live state, they fetch nothing),
        // so the panels opened below are a sample, not all 35.
        const received: Array<Promise<string>> = [];
        const origin = new URL(page.url()).origin;
        page.on('response', (r) => {
          if (r.url().startsWith(origin)) received.push(r.text().catch(() => ''));
        });
        page.on('websocket', (ws) =>
          ws.on('framereceived', (f) => received.push(Promise.resolve(String(f.payload)))),
        );

        // Kaart, then region panels.
        await page.goto('/');
        const markers = role === 'municipality' ? 1 : 35;
        await waitForMarkers(page, markers);
        check(role, '/', await page.content(), none);
        for (const id of (await regionIdsOf(page)).slice(0, 3)) {
          // Markers overlap where regions are close: click the element itself.
          await page
            .locator(`[data-testid="region-marker"][data-region-id="${id}"]`)
            .dispatchEvent('click');
          await page.locator(`[data-testid="region-panel"][data-region-id="${id}"]`).waitFor();
          check(role, `/ panel ${id}`, await page.content(), none);
        }

        await page.goto('/noodbed');
        if (vo) {
          await page
            .locator('[data-testid="result-list"], [data-testid="noodbed-empty"]')
            .first()
            .waitFor();
          expect(await page.getByTestId('noodbed-card').count()).toBeGreaterThan(0);
        } else {
          await page.waitForURL((url) => url.pathname === '/');
          await waitForMarkers(page, markers);
        }
        check(role, pathOf(page), await page.content(), none);

        await page.goto('/locaties');
        if (vo) {
          await page.getByTestId('own-location').first().waitFor();
          const html = await page.content();
          // Own addresses are shown here, and only here (the check below can fail).
          expect(own.length).toBeGreaterThan(0);
          const missing = own.filter((a) => !occurs(html, a.street) || !occurs(html, a.postcode));
          expect(missing, `${role} sees its own addresses on /locaties`).toEqual([]);
          check(role, '/locaties', html, ownTokens);
        } else {
          await page.waitForURL((url) => url.pathname === '/');
          await waitForMarkers(page, markers);
          check(role, pathOf(page), await page.content(), none);
        }
        expect(received.length, `${role}: responses and frames seen`).toBeGreaterThan(3);
        check(role, 'network', (await Promise.all(received)).join('\n'), vo ? ownTokens : none);
      }
      expect(leaks).toEqual([]);
      // Five roles, each through every page: more than one test's usual minute on a busy machine.
    }, 150_000);
  });

  it('runs the map and every page under the Content-Security-Policy without a violation, and refuses injected inline script', async () => {
    /** The page's side of the check; the root tsconfig has no DOM lib. */
    interface CspPage {
      __cspViolations: string[];
      __injected?: boolean;
      addEventListener(
        type: 'securitypolicyviolation',
        listener: (e: {
          violatedDirective: string;
          blockedURI: string;
          sourceFile: string;
          lineNumber: number;
        }) => void,
      ): void;
      document: {
        createElement(tag: 'script'): { textContent: string };
        head: { append(node: unknown): void };
      };
    }
    const { page, context } = await as('vo_planner');
    const consoleViolations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text()))
        consoleViolations.push(msg.text());
    });
    await context.addInitScript(() => {
      const w = globalThis as unknown as CspPage;
      w.__cspViolations = [];
      w.addEventListener('securitypolicyviolation', (e) =>
        w.__cspViolations.push(
          `${e.violatedDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`,
        ),
      );
    });
    const violations = () =>
      page.evaluate(() => (globalThis as unknown as CspPage).__cspViolations);

    const response = await page.goto('/');
    const csp = (await response!.allHeaders())['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self' 'sha256-/);
    expect(csp).not.toContain("'unsafe-inline' 'sha256");
    expect((await response!.allHeaders())['x-frame-options']).toBe('DENY');

    // The map: markers, the live feed, and land and water painted by maplibre's worker.
    await waitForMarkers(page, 35);
    await waitForLive(page);
    await page.locator('canvas.maplibregl-canvas').waitFor();
    await poll(async () => (await mapPaint(page)).water > 0.05, 10_000).toBe(true);
    await navigate(page, 'Noodbed nu', '/noodbed');
    await page.getByTestId('noodbed-card').first().waitFor();
    await navigate(page, 'Mijn locaties', '/locaties');
    await page.getByTestId('unit-row').first().waitFor();
    expect(await violations()).toEqual([]);
    expect(consoleViolations).toEqual([]);

    // The policy bites: an inline script an attacker got into the page does not run.
    await page.evaluate(() => {
      const w = globalThis as unknown as CspPage;
      const script = w.document.createElement('script');
      script.textContent = 'window.__injected = true';
      w.document.head.append(script);
    });
    await poll(() => violations()).toEqual([expect.stringMatching(/^script-src/)]);
    expect(await page.evaluate(() => (globalThis as unknown as CspPage).__injected)).toBe(
      undefined,
    );
  });

  it('renders Kaart, Noodbed nu and Mijn locaties on desktop and phone (screenshots)', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const sizes = [
      { name: 'desktop', options: { viewport: DESKTOP } },
      {
        name: 'phone',
        options: { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
      },
    ];
    for (const { name, options } of sizes) {
      const { page } = await as('vo_planner', options);

      await page.goto('/');
      await waitForMarkers(page, 35);
      await waitForLive(page);
      await page.locator('canvas.maplibregl-canvas').waitFor();
      // Land and water painted by the offline style, not just an empty canvas. (The Dutch land
      // is about a tenth of a phone's map, less the markers and the place names on it.)
      await poll(async () => {
        const paint = await mapPaint(page);
        return paint.nl > 0.08 && paint.otherLand > 0.02 && paint.water > 0.05;
      }, 10_000).toBe(true);
      await scrollToTop(page);
      expect(await fitsViewportWidth(page), `kaart ${name}`).toBe(true);
      await page.screenshot({ path: `${SCREENSHOTS}kaart-${name}.png` });

      await navigate(page, 'Noodbed nu', '/noodbed');
      await page.getByTestId('noodbed-card').first().waitFor();
      expect(await fitsViewportWidth(page), `noodbed ${name}`).toBe(true);
      await page.screenshot({ path: `${SCREENSHOTS}noodbed-${name}.png` });

      await navigate(page, 'Mijn locaties', '/locaties');
      await page.getByTestId('unit-row').first().waitFor();
      expect(await fitsViewportWidth(page), `locaties ${name}`).toBe(true);
      await page.screenshot({ path: `${SCREENSHOTS}locaties-${name}.png` });
    }
  });
});
