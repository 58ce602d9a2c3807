import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useWebApp } from '../support/web-app';
import { DESKTOP, chromiumAvailable } from '../support/browser';

/**
 * axe-core on every page of every role, at a 375 px phone and a 1280 px desktop (issue 14):
 * no serious or critical violation. The pages are the ones the navigation shows each role
 * (so a new page is checked as soon as it is linked), the forms behind them, and the login.
 */
/** axe's own script, as the package ships it for injecting into a page. */
const axeSource = axe.source;
const ROLES = ['vo_worker', 'vo_planner', 'coordinator', 'municipality', 'admin'] as const;
const WIDTHS = [
  ['375 px', { width: 375, height: 740 }],
  ['1280 px', DESKTOP],
] as const;
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
  await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
  const map = page.getByTestId('map');
  if ((await map.count()) > 0) {
    await map.scrollIntoViewIfNeeded();
    await page.getByTestId('region-marker').first().waitFor();
  }
  await page.waitForTimeout(300);
}

describe.skipIf(!chromiumAvailable())('accessibility (axe-core)', () => {
  const web = useWebApp();

  describe.each(WIDTHS)('at %s', (_name, viewport) => {
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
