import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from './browser';
import { useWebApp } from './web-app';

/**
 * axe-core on every page of every role (issue 14): no serious or critical violation. The
 * pages are the ones the navigation shows each role (so a new page is checked as soon as it
 * is linked), the forms behind them, and the login. test/e2e/a11y-*.test.ts: 375 and 1280 px.
 */
/** axe's own script, as the package ships it for injecting into a page. */
const axeSource = axe.source;
const ROLES = ['vo_worker', 'vo_planner', 'coordinator', 'municipality', 'admin'] as const;
/** Pages reached from a page rather than from the navigation. */
const EXTRA: Record<(typeof ROLES)[number], string[]> = {
  vo_worker: ['/verzoeken/nieuw'],
  vo_planner: ['/verzoeken/nieuw'],
  coordinator: [],
  municipality: ['/gemeente'],
  admin: [],
};

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }>;
}

/** Runs axe in the page; evaluated through the debugger protocol, so the CSP does not apply. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(o: object): Promise<unknown> } }).axe.run({
      resultTypes: ['violations'],
    }),
  )) as AxeResult;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
}

/** The page has its content: the live state arrived (or it is not a live page) and the map drew. */
async function settle(page: Page): Promise<void> {
  await page.locator('main').waitFor();
  await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor();
  // Late chunks and fonts; bounded, as a page that polls is never idle.
  await page.waitForLoadState('networkidle', { timeout: 1500 }).catch(() => {});
  const map = page.getByTestId('map');
  if ((await map.count()) > 0) {
    await map.scrollIntoViewIfNeeded();
    await page.getByTestId('region-marker').first().waitFor();
  }
  await page.waitForTimeout(300);
}

/**
 * The checks at one width, as a describe block of its own app and Chromium: one file per
 * width, so the two widths run side by side.
 */
export function describeAccessibility(width: number, height: number): void {
  const viewport = { width, height };
  describe.skipIf(!chromiumAvailable())('accessibility (axe-core)', () => {
    const web = useWebApp();

    describe(`at ${width} px`, () => {
      it.each(ROLES)('has no serious or critical violation on any page of %s', async (role) => {
        const { page } = await web.as(role, viewport);
        await settle(page);
        const nav = await page
          .getByTestId('nav-link')
          .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
        expect(nav.length).toBeGreaterThan(0);
        const found: string[] = [];
        for (const path of [...new Set([...nav, ...EXTRA[role]])]) {
          await page.goto(path);
          await settle(page);
          for (const v of await seriousViolations(page)) found.push(`${path}: ${v}`);
        }
        expect(found).toEqual([]);
      });

      it('has no serious or critical violation on the login page', async () => {
        const { page, context } = await web.as('vo_worker', viewport);
        await context.clearCookies();
        await page.goto('/login');
        await page.getByTestId('login-email').waitFor();
        expect(await seriousViolations(page)).toEqual([]);
      });
    });
  });
}
