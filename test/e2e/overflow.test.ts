import { and, eq, sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { overflowRegistrations } from '@opvangatlas/db';
import { dutchDate, type OverflowRegistration, type PlacementRequest } from '@opvangatlas/shared';
import { sessionUser } from '../support/fixtures';
import { useWebApp } from '../support/web-app';
import { SCREENSHOT_DIR, PHONE, chromiumAvailable, fitsViewportWidth } from '../support/browser';
import { demoEmail, login } from '../support/instance';

/**
 * Niet-reguliere bedden in Chromium: a night-shift worker registers a hotel stay through the
 * form while the municipality's dashboard is open in another browser (the new placement is
 * there within a second), checks in with one tap, sees the late check-in flagged live and
 * ends the stay; a request closed as hotel leads to the form, filled in from it.
 */
const SCREENSHOTS = SCREENSHOT_DIR;
const LIVE_MS = 5000;
const poll = <T>(fn: () => Promise<T> | T, timeout = LIVE_MS) =>
  expect.poll(fn, { timeout, interval: 25 });

describe.skipIf(!chromiumAvailable())('Niet-reguliere bedden and Gemeente in Chromium', () => {
  const web = useWebApp();
  const app = () => web.app;
  const backend = () => web.backend;
  const as = web.as;
  let worker: string;
  let rotterdam: number;
  beforeAll(async () => {
    worker = await login(app(), demoEmail('vo_worker'));
    rotterdam = (await sessionUser(app(), worker)).regionId!;
  });

  const activeHotels = async () =>
    (
      await backend()
        .database.db.select({ n: sql<number>`count(*)::int` })
        .from(overflowRegistrations)
        .where(
          and(
            eq(overflowRegistrations.regionId, rotterdam),
            eq(overflowRegistrations.type, 'hotel'),
            sql`${overflowRegistrations.endedAt} is null`,
          ),
        )
    )[0]!.n;

  const register = (body: object) =>
    app().inject({
      method: 'POST',
      url: '/api/overflow',
      headers: { cookie: worker },
      payload: {
        type: 'hotel',
        regionId: rotterdam,
        startDate: dutchDate(new Date()),
        adults: 1,
        children: 1,
        ...body,
      },
    });

  async function openDashboard(page: Page) {
    await page.goto('/');
    await page.getByTestId('municipality-link').click();
    await page.waitForURL((url) => url.pathname === '/gemeente');
    await page.getByTestId('municipality-tiles').waitFor();
  }

  it('registers, checks in, flags a late check-in live and ends; the dashboard has the new hotel stay within a second', async () => {
    // At least five households in Rotterdam hotels, so one more is a visible number, not "<5"
    // (contact every three days: not late when the stay below is).
    while ((await activeHotels()) < 5)
      expect((await register({ checkInIntervalHours: 72 })).statusCode).toBe(200);
    const before = await activeHotels();

    const officer = await as('municipality');
    await openDashboard(officer.page);
    const hotelCell = officer.page.getByTestId('overflow-row-hotel').locator('td').first();
    await poll(() => hotelCell.textContent()).toBe(String(before));

    const vo = await as('vo_worker');
    await vo.page.goto('/niet-regulier/nieuw');
    await vo.page.getByTestId('stay-form').waitFor();
    expect(await vo.page.getByTestId('type-hotel').isChecked()).toBe(true);
    expect(await vo.page.getByTestId('stay-region').inputValue()).toBe(String(rotterdam));
    await vo.page.getByTestId('stay-children').fill('2');
    const sent = Date.now();
    await vo.page.getByTestId('stay-submit').click();
    await poll(() => hotelCell.textContent(), 1000).toBe(String(before + 1));
    console.info(
      `new hotel placement on the municipality's dashboard ${Date.now() - sent} ms after registering`,
    );
    await officer.page.screenshot({ path: `${SCREENSHOTS}gemeente-desktop.png`, fullPage: true });

    // The worker's list: the new stay, one-tap check-in.
    await vo.page.waitForURL((url) => url.pathname === '/niet-regulier');
    const rows = await app().inject({ url: '/api/overflow', headers: { cookie: worker } });
    const stay = rows
      .json<OverflowRegistration[]>()
      .filter((r) => r.status === 'active')
      .sort((a, b) => b.id - a.id)[0]!;
    const card = vo.page.locator(`[data-testid="stay-card"][data-stay-id="${stay.id}"]`);
    await card.waitFor();
    await card.getByTestId('check-in-button').click();
    await poll(() => vo.page.getByTestId('stay-message').textContent()).toContain(stay.reference);

    // A day later (the contact moved back 25 hours): the sweep flags it, the card shows it live.
    await backend()
      .database.db.update(overflowRegistrations)
      .set({
        lastCheckInAt: sql`${overflowRegistrations.lastCheckInAt} - interval '25 hours'`,
        nextCheckInAt: sql`${overflowRegistrations.nextCheckInAt} - interval '25 hours'`,
      })
      .where(eq(overflowRegistrations.id, stay.id));
    const swept = Date.now();
    expect(await app().services.overflow.flagOverdue()).toBe(1);
    await poll(() => card.getAttribute('data-overdue'), 1000).toBe('1');
    console.info(
      `late check-in flagged on the worker's screen ${Date.now() - swept} ms after the sweep`,
    );
    await card.getByTestId('stay-overdue').waitFor();
    await vo.page.screenshot({ path: `${SCREENSHOTS}niet-regulier-desktop.png`, fullPage: true });

    // Ending: back home; the card moves to the ended ones, the dashboard counts one less.
    await card.getByTestId('end-button').click();
    await vo.page.getByTestId('outcome-returned_home').check();
    await vo.page.getByTestId('dialog-confirm').click();
    await poll(() => card.getByTestId('stay-ended').count()).toBe(1);
    await poll(() => hotelCell.textContent()).toBe(String(before));
  });

  it('goes from a request closed as hotel to the form, filled in from the request', async () => {
    const posted = await app().inject({
      method: 'POST',
      url: '/api/placements',
      headers: { cookie: worker },
      payload: {
        kind: 'noodbed',
        urgency: 'acuut',
        household: { adults: [{ gender: 'v' }], children: [3, 6, 9] },
        needs: { wheelchair: false, pets: false, largeFamily: false, languages: [] },
        originRegionId: rotterdam,
        unsafeRegionIds: [rotterdam],
        preferredRegionIds: [],
      },
    });
    const request = posted.json<PlacementRequest>();
    const vo = await as('vo_worker');
    await vo.page.goto(`/verzoeken/${request.id}`);
    await vo.page.getByTestId('close-button').click();
    await vo.page.locator('input[name="outcome"][value="vakantiepark"]').check();
    await vo.page.getByTestId('dialog-confirm').click();
    await vo.page.waitForURL((url) => url.pathname === '/niet-regulier/nieuw');
    await poll(() => vo.page.getByTestId('stay-form-origin').textContent()).toContain(
      request.reference,
    );
    expect(await vo.page.getByTestId('type-vakantiepark').isChecked()).toBe(true);
    expect(await vo.page.getByTestId('stay-children').inputValue()).toBe('3');
    await vo.page.getByTestId('stay-submit').click();
    await vo.page.waitForURL((url) => url.pathname === '/niet-regulier');
    const mine = (await app().inject({ url: '/api/overflow', headers: { cookie: worker } })).json<
      OverflowRegistration[]
    >();
    expect(mine.find((r) => r.placementRequestId === request.id)).toMatchObject({
      type: 'vakantiepark',
      children: 3,
    });
  });

  it('renders the worker’s list and the municipality dashboard on a phone (docs/screenshots)', async () => {
    const vo = await as('vo_worker', PHONE);
    await vo.page.goto('/niet-regulier');
    await vo.page.getByTestId('stay-card').first().waitFor();
    await vo.page.screenshot({ path: `${SCREENSHOTS}niet-regulier-phone.png` });
    expect(await fitsViewportWidth(vo.page)).toBe(true);

    const officer = await as('municipality', PHONE);
    await openDashboard(officer.page);
    await officer.page.getByTestId('figure-chart').first().waitFor();
    await officer.page.screenshot({ path: `${SCREENSHOTS}gemeente-phone.png`, fullPage: true });
    expect(await fitsViewportWidth(officer.page)).toBe(true);
    // Aggregates only: no reference of a single stay anywhere on the page.
    expect(await officer.page.content()).not.toMatch(/NR-\d{4}-\d{4}/);
  });
});
