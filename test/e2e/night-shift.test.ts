import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useWebApp } from '../support/web-app';
import { DESKTOP, chromiumAvailable } from '../support/browser';
import { demoEmail, login } from '../support/instance';

/**
 * The night shift and the map (issue 14) in Chromium, at a 375 px phone and a 1280 px
 * desktop: honest connection state, the intake phone number, ranking, the kept filter, hold
 * warnings, the map's markers and the municipality's map.
 */
const PHONE_375 = { width: 375, height: 740 } as const;
const WIDTHS = [
  ['375 px', PHONE_375],
  ['1280 px', DESKTOP],
] as const;
const poll = <T>(fn: () => Promise<T> | T, timeout = 5000) =>
  expect.poll(fn, { timeout, interval: 50 });

describe.skipIf(!chromiumAvailable())('Night shift in Chromium', () => {
  const web = useWebApp();
  const app = () => web.app;

  const badge = (page: Page) => page.getByTestId('connection-status');

  describe.each(WIDTHS)('connection state at %s', (_name, viewport) => {
    it('says within 5 s that contact is lost, marks the lists, and resyncs when back online', async () => {
      const { page, context } = await web.as('vo_worker.moviera', viewport);
      await page.goto('/noodbed');
      await page.getByTestId('result-list').waitFor();
      await poll(() => badge(page).getAttribute('data-state')).toBe('live');

      await context.setOffline(true);
      const lostAt = Date.now();
      await poll(() => badge(page).getAttribute('data-state')).not.toBe('live');
      expect(Date.now() - lostAt).toBeLessThan(5000);
      await page.getByTestId('stale-notice').waitFor();
      expect(await page.getByTestId('free-section').getAttribute('data-possibly-stale')).toBe(
        'true',
      );
      expect(await page.getByTestId('connection-data-from').textContent()).toMatch(
        /gegevens van .*\d{2}:\d{2}/,
      );

      // On a phone the badge floats: it stays in view when the page is scrolled.
      if (viewport.width < 720)
        await page.evaluate(() =>
          (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 100_000),
        );
      const box = await badge(page).boundingBox();
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);

      // Meanwhile a free noodbed is held elsewhere; back online the list shows it at once.
      const shown = await page
        .getByTestId('result-list')
        .getByTestId('noodbed-card')
        .first()
        .getAttribute('data-unit-id');
      const cookie = await login(app(), demoEmail('vo_worker'));
      const held = await app().inject({
        method: 'POST',
        url: `/api/units/${shown}/hold`,
        headers: { cookie },
      });
      expect(held.statusCode).toBe(200);
      await context.setOffline(false);
      await poll(() => badge(page).getAttribute('data-state'), 15_000).toBe('live');
      await poll(() =>
        page
          .getByTestId('result-list')
          .locator(`[data-testid="noodbed-card"][data-unit-id="${shown}"]`)
          .count(),
      ).toBe(0);
      expect(await page.getByTestId('stale-notice').count()).toBe(0);
      await app().inject({
        method: 'DELETE',
        url: `/api/units/${shown}/hold`,
        headers: { cookie },
      });
    });
  });

  describe.each(WIDTHS)('Noodbed nu at %s', (_name, viewport) => {
    it('shows the intake line as a tap-to-call link on a hold, and the card before it', async () => {
      const { page } = await web.as('vo_worker.moviera', viewport);
      await page.goto('/noodbed');
      const first = page.getByTestId('result-list').getByTestId('noodbed-card').first();
      await first.waitFor();
      const unitId = await first.getAttribute('data-unit-id');
      const href = await first.getByTestId('intake-phone').getAttribute('href');
      expect(href).toMatch(/^tel:\+3188\d{7}$/);

      await first.getByTestId('hold-button').click();
      const held = page.locator(`[data-testid="noodbed-card"][data-unit-id="${unitId}"]`);
      await held.getByTestId('hold-countdown').waitFor();
      const link = held.getByTestId('intake-phone');
      expect(await link.textContent()).toMatch(/Bel nu de intake:\s*088-\d{3} \d{2} \d{2}/);
      expect(await link.getAttribute('href')).toBe(href);
      const box = (await link.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
      await held.getByTestId('release-button').click();
      await poll(() => held.getByTestId('hold-button').count()).toBe(1);
    });

    it('ranks confirmed noodbedden above stale ones and says why a stale one is lower', async () => {
      const { page } = await web.as('vo_worker.moviera', viewport);
      await page.goto('/noodbed');
      const cards = page.getByTestId('result-list').getByTestId('noodbed-card');
      await cards.first().waitFor();
      const levels = await cards.evaluateAll((els) =>
        els.map((el) => ({
          level: el.querySelector('[data-testid="freshness"]')?.getAttribute('data-level'),
          reason: el.querySelector('[data-testid="rank-reason"]') !== null,
        })),
      );
      const firstStale = levels.findIndex((l) => l.level === 'stale');
      // The demo seed has both (15% of its locations are stale): the check can fail.
      expect(firstStale).toBeGreaterThan(0);
      expect(levels.slice(firstStale).every((l) => l.level === 'stale')).toBe(true);
      expect(levels.every((l) => l.reason === (l.level === 'stale'))).toBe(true);
    });

    it('keeps the household filter across pages, reloads and with the Kaart', async () => {
      const { page, context } = await web.as('vo_worker.moviera', viewport);
      await page.goto('/noodbed');
      await page.getByTestId('result-list').waitFor();
      await page.locator('details.filters summary').click();
      await page.getByTestId('filter-children').fill('3');
      await page.getByTestId('filter-wheelchair').check();
      await poll(() => new URL(page.url()).searchParams.get('kinderen')).toBe('3');
      expect(new URL(page.url()).searchParams.get('rolstoel')).toBe('1');

      // The Kaart, reached through the navigation (no parameters): the same household.
      await page.getByTestId('nav-link').first().click();
      await page.waitForURL((u) => u.pathname === '/');
      const filters = page.locator('details.filters');
      if (!(await filters.evaluate((d) => (d as unknown as { open: boolean }).open))) {
        await filters.locator('summary').click();
      }
      expect(await page.getByTestId('filter-children').inputValue()).toBe('3');
      expect(await page.getByTestId('filter-wheelchair').isChecked()).toBe(true);

      // Another tab on the device, later: still there.
      const again = await context.newPage();
      await again.goto('/noodbed');
      await again.getByTestId('free-section').waitFor();
      await again.locator('details.filters summary').click();
      expect(await again.getByTestId('filter-children').inputValue()).toBe('3');
      await again.close();
    });

    it('warns at 10 and 2 minutes, extends once, and focuses a hold conflict', async () => {
      const { page } = await web.as('vo_worker.moviera', viewport);
      await page.clock.install();
      await page.goto('/noodbed');
      const first = page.getByTestId('result-list').getByTestId('noodbed-card').first();
      await first.waitFor();
      const unitId = await first.getAttribute('data-unit-id');
      // A short hold (5 minutes, the shortest the API takes): at once under 10 minutes.
      const res = await page.request.post(`/api/units/${unitId}/hold`, { data: { minutes: 5 } });
      expect(res.status()).toBe(200);
      const held = page.locator(`[data-testid="noodbed-card"][data-unit-id="${unitId}"]`);
      const warning = held.getByTestId('hold-warning');
      await poll(() => warning.getAttribute('data-stage')).toBe('ten');
      expect(await held.getByTestId('hold-warning-region').getAttribute('role')).toBe('alert');

      await page.clock.fastForward('03:30');
      await poll(() => warning.getAttribute('data-stage')).toBe('two');
      expect(await warning.textContent()).toContain('minder dan 2 minuten');

      await held.getByTestId('extend-button').click();
      await poll(() => held.getByTestId('hold-warning').count()).toBe(0);
      expect(await held.getByTestId('extend-button').isDisabled()).toBe(true);
      expect(await held.getByTestId('hold-countdown').getAttribute('data-stage')).toBe('ok');
      await held.getByTestId('release-button').click();
      await poll(() => held.getByTestId('hold-button').count()).toBe(1);
    });
  });

  /** The drawn markers' boxes, numbers and accessible names, read in the page. */
  async function markerBoxes(page: Page) {
    await page.getByTestId('map').scrollIntoViewIfNeeded();
    await page.getByTestId('region-marker').first().waitFor();
    await page.waitForTimeout(500); // the layout follows the camera once per frame
    return page.getByTestId('region-marker').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        const hidden = el.querySelector('.visually-hidden')?.textContent ?? '';
        return {
          id: el.getAttribute('data-region-id'),
          left: r.left,
          top: r.top,
          right: r.right,
          bottom: r.bottom,
          total: el.querySelector('.total')?.textContent ?? '',
          name: `${el.querySelector('.total')?.textContent ?? ''} ${hidden}`,
          members: Number(el.getAttribute('data-members')),
        };
      }),
    );
  }

  describe.each(WIDTHS)('the map at %s', (_name, viewport) => {
    it('draws no marker over another at the first zoom: 44 px targets named with their numbers', async () => {
      const { page } = await web.as('coordinator', viewport);
      await page.goto('/');
      const boxes = await markerBoxes(page);
      // Every region is drawn or stands in a group.
      expect(boxes.reduce((n, b) => n + 1 + b.members, 0)).toBe(35);
      const overlaps: string[] = [];
      for (const a of boxes)
        for (const b of boxes)
          if (
            a.id! < b.id! &&
            a.left < b.right - 0.5 &&
            b.left < a.right - 0.5 &&
            a.top < b.bottom - 0.5 &&
            b.top < a.bottom - 0.5
          )
            overlaps.push(`${a.id}/${b.id}`);
      expect(overlaps).toEqual([]);
      for (const b of boxes) {
        expect(b.right - b.left, `marker ${b.id}`).toBeGreaterThanOrEqual(44);
        expect(b.bottom - b.top, `marker ${b.id}`).toBeGreaterThanOrEqual(44);
        expect(b.name, `marker ${b.id}`).toMatch(/vrij/);
        expect(b.name.startsWith(b.total), `marker ${b.id}`).toBe(true);
      }
      // All 35 central cities are named: on a full label, beside a badge (where no marker or
      // other name is in the way), or in the list under the map.
      const names = await page.evaluate(() => {
        interface El {
          getAttribute(name: string): string | null;
          getBoundingClientRect(): { left: number; right: number; top: number; bottom: number };
          classList: { contains(c: string): boolean };
          parentElement: El | null;
          querySelector(s: string): El | null;
        }
        const doc = (
          globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<El> } }
        ).document;
        const rect = (e: El) => e.getBoundingClientRect();
        const labels = [...doc.querySelectorAll('[data-testid="place-label"]')].map((l) => ({
          id: l
            .parentElement!.querySelector('[data-testid="region-marker"]')!
            .getAttribute('data-region-id'),
          box: rect(l),
        }));
        const markers = [...doc.querySelectorAll('[data-testid="region-marker"]')];
        return {
          full: markers
            .filter((m) => m.classList.contains('detailed'))
            .map((m) => m.getAttribute('data-region-id')),
          labels: labels.map((l) => l.id),
          listed: [...doc.querySelectorAll('[data-testid="map-unnamed"] button')].map((b) =>
            b.getAttribute('data-region-id'),
          ),
          covering: labels.flatMap((l) =>
            markers
              .map((m) => [m.getAttribute('data-region-id'), rect(m)] as const)
              .filter(
                ([, r]) =>
                  l.box.left < r.right - 0.5 &&
                  r.left < l.box.right - 0.5 &&
                  l.box.top < r.bottom - 0.5 &&
                  r.top < l.box.bottom - 0.5,
              )
              .map(([id]) => `${l.id} over ${id}`),
          ),
        };
      });
      expect(names.covering).toEqual([]);
      expect(new Set([...names.full, ...names.labels, ...names.listed]).size).toBe(35);
      expect(names.labels.length, 'names beside badges').toBeGreaterThan(0);

      // A coordinator's map fills every region's area by its pressure, with a legend that
      // names each class (pattern and icon too, not colour alone) and counts the regions in
      // it as the markers show them.
      await poll(() => page.getByTestId('map').getAttribute('data-pressure-areas')).toBe('35');
      const legend = await page
        .getByTestId('pressure-legend')
        .locator('li')
        .evaluateAll((items) =>
          items.map((li) => ({
            c: li.getAttribute('data-class'),
            n: Number(li.getAttribute('data-count')),
          })),
        );
      const markerClasses = await page
        .getByTestId('region-marker')
        .evaluateAll((els) => els.map((e) => /pressure-(\w+)/.exec(e.className)?.[1]));
      for (const { c, n } of legend) {
        const drawn = markerClasses.filter((m) => m === c).length;
        expect(n, `class ${c}`).toBeGreaterThanOrEqual(drawn);
      }
      expect(legend.reduce((sum, { n }) => sum + n, 0)).toBe(35);
      expect(await page.getByTestId('pressure-legend').textContent()).toMatch(/Druk per regio/);

      // Choosing a group opens its region and zooms in until its regions stand apart.
      const group = boxes.find((b) => b.members > 0);
      if (group) {
        await page
          .locator(`[data-testid="region-marker"][data-region-id="${group.id}"]`)
          .dispatchEvent('click');
        await page.locator(`[data-testid="region-panel"][data-region-id="${group.id}"]`).waitFor();
        await poll(async () => (await markerBoxes(page)).length).toBeGreaterThan(boxes.length);
      }
    });

    it("opens a municipality officer's map on her own region", async () => {
      const { page } = await web.as('municipality', viewport);
      await page.goto('/');
      const [own] = await markerBoxes(page);
      // Her own region's figures, no pressure map of the country.
      expect(await page.getByTestId('pressure-legend').count()).toBe(0);
      expect(await page.getByTestId('map').getAttribute('data-pressure-areas')).toBeNull();
      const map = (await page.getByTestId('map').boundingBox())!;
      const x = (own!.left + own!.right) / 2 - (map.x + map.width / 2);
      const y = (own!.top + own!.bottom) / 2 - (map.y + map.height / 2);
      expect(Math.abs(x)).toBeLessThan(map.width * 0.1);
      expect(Math.abs(y)).toBeLessThan(map.height * 0.1);
      // Zoomed in on the region, not the whole country: the basemap shows its province lines.
      const zoom = await page.evaluate(() =>
        Number(
          (
            globalThis as unknown as {
              document: { querySelector(s: string): { dataset: Record<string, string> } | null };
            }
          ).document.querySelector('[data-testid="map"]')?.dataset.zoom,
        ),
      );
      expect(zoom).toBeGreaterThanOrEqual(8);
    });
  });

  it('moves focus to the message after a hold conflict', async () => {
    const { page } = await web.as('vo_worker.moviera', DESKTOP);
    // Frames from the server are held back, so the page still shows a unit another VO took.
    let deliver = true;
    await page.routeWebSocket(/\/api\/live/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => {
        if (deliver) ws.send(m);
      });
    });
    await page.goto('/noodbed');
    const first = page.getByTestId('result-list').getByTestId('noodbed-card').first();
    await first.waitFor();
    const unitId = await first.getAttribute('data-unit-id');
    deliver = false;
    const other = await login(app(), demoEmail('vo_worker'));
    const taken = await app().inject({
      method: 'POST',
      url: `/api/units/${unitId}/hold`,
      headers: { cookie: other },
    });
    expect(taken.statusCode).toBe(200);
    await first.getByTestId('hold-button').click();
    const message = page.getByTestId('conflict-message');
    await message.waitFor();
    await poll(() =>
      page.evaluate(
        () =>
          (
            globalThis as unknown as {
              document: { activeElement: { dataset?: { testid?: string } } };
            }
          ).document.activeElement.dataset?.testid,
      ),
    ).toBe('conflict-message');
    await app().inject({
      method: 'DELETE',
      url: `/api/units/${unitId}/hold`,
      headers: { cookie: other },
    });
  });
});
