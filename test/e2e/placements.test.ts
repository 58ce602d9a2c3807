import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fits, type SessionUser, type Unit } from '@opvangatlas/shared';
import { useWebApp } from '../support/web-app';
import { SCREENSHOT_DIR, PHONE, chromiumAvailable, fitsViewportWidth } from '../support/browser';
import { demoEmail, login } from '../support/instance';

/**
 * Verzoeken in Chromium, as two night-shift workers in two browsers: one posts a request
 * for a mother and child through the form, the other sees it arrive live, offers a unit;
 * the first accepts, the second confirms the arrival.
 */
const SCREENSHOTS = SCREENSHOT_DIR;
const LIVE_MS = 5000;
const poll = <T>(fn: () => Promise<T> | T, timeout = LIVE_MS) =>
  expect.poll(fn, { timeout, interval: 50 });

describe.skipIf(!chromiumAvailable())('Verzoeken in Chromium', () => {
  const web = useWebApp();
  const app = () => web.app;
  const as = web.as;

  /** A free noodbed of the organisation that fits a mother and one child, freed if need be. */
  async function ensureFittingNoodbed(organisationId: number): Promise<void> {
    const admin = await login(app(), demoEmail('admin'));
    const units = (
      await app().inject({ url: '/api/units?kind=noodbed', headers: { cookie: admin } })
    ).json<Unit[]>();
    const household = { adults: [{ gender: 'v' as const }], children: [4] };
    const candidates = units.filter(
      (u) =>
        u.organisationId === organisationId &&
        fits({ kind: 'noodbed', household, needs: { wheelchair: false, largeFamily: false } }, u),
    );
    if (candidates.some((u) => u.status === 'free')) return;
    const unit = candidates.find((u) => u.status === 'occupied')!;
    const res = await app().inject({
      method: 'PATCH',
      url: `/api/units/${unit.id}`,
      headers: { cookie: admin },
      payload: { version: unit.version, status: 'free' },
    });
    expect(res.statusCode).toBe(200);
  }

  const userOf = async (page: Page) =>
    ((await (await page.request.get('/api/session')).json()) as { user: SessionUser }).user;

  it('posts a request, sees it arrive live elsewhere, offers, accepts and confirms arrival (screenshots)', async () => {
    const requester = await as('vo_worker');
    const receiver = await as('vo_worker.moviera');
    await ensureFittingNoodbed((await userOf(receiver.page)).organisationId!);

    await receiver.page.goto('/verzoeken');
    await receiver.page.getByTestId('requests-inbox').waitFor();

    // The form: the own region is ticked as unsafe; a note with a phone number is refused
    // before anything is sent.
    await requester.page.goto('/verzoeken/nieuw');
    const form = requester.page.getByTestId('request-form');
    await form.waitFor();
    const ownRegion = (await userOf(requester.page)).regionId!;
    expect(await requester.page.getByTestId(`unsafe-${ownRegion}`).isChecked()).toBe(true);
    await requester.page.getByTestId('urgency-code_rood').check();
    await requester.page.getByTestId('add-child').click();
    await requester.page.getByTestId('child-age').fill('4');
    await requester.page.getByTestId('form-note').fill('bel 06-12345678');
    await poll(() => requester.page.locator('#note-error').textContent()).toContain(
      'telefoonnummer',
    );
    await requester.page.getByTestId('form-note').fill('Spreekt Arabisch, komt met de politie');
    await requester.page.screenshot({
      path: `${SCREENSHOTS}verzoek-form-desktop.png`,
      fullPage: true,
    });
    const posted = Date.now();
    await requester.page.getByTestId('form-submit').click();
    await requester.page.waitForURL(/\/verzoeken\/\d+$/);
    const reference = (await requester.page.getByTestId('request-reference').textContent())!.trim();
    expect(reference).toMatch(/^PV-\d{4}-\d{4}$/);

    // Live on the other browser: a toast, the badge and a card in the inbox.
    const card = receiver.page.getByTestId('request-card').filter({ hasText: reference });
    await card.waitFor({ timeout: LIVE_MS });
    console.info(`request in the other browser's inbox ${Date.now() - posted} ms after sending`);
    await poll(() =>
      receiver.page.getByTestId('request-toast').filter({ hasText: reference }).count(),
    ).toBe(1);
    await poll(() => receiver.page.getByTestId('nav-badge').textContent()).toMatch(/[1-9]/);
    expect(await card.getByTestId('fitting-count').textContent()).not.toContain('Geen');
    await receiver.page.screenshot({ path: `${SCREENSHOTS}verzoeken-inbox-desktop.png` });

    // Offer the first fitting unit.
    await card.getByTestId('request-link').click();
    await receiver.page.getByTestId('fitting-unit').first().waitFor();
    await receiver.page.getByTestId('offer-button').first().click();
    await receiver.page.getByTestId('dialog-confirm').click();
    await receiver.page.getByTestId('request-message').waitFor();
    await receiver.page.getByTestId('withdraw-offer').waitFor();

    // The requester's open page shows the offer live; accept it.
    const offer = requester.page.getByTestId('offer').filter({ hasText: 'Moviera' });
    await offer.waitFor({ timeout: LIVE_MS });
    await requester.page.screenshot({
      path: `${SCREENSHOTS}verzoeken-outbox-desktop.png`,
      fullPage: true,
    });
    await offer.getByTestId('accept-button').click();
    await requester.page.getByTestId('dialog-confirm').click();
    await requester.page.getByTestId('placed-with').waitFor();

    // The receiver confirms the arrival; both screens converge.
    await receiver.page.getByTestId('arrival-button').waitFor({ timeout: LIVE_MS });
    await receiver.page.getByTestId('arrival-button').click();
    await receiver.page.getByTestId('dialog-confirm').click();
    await poll(() =>
      requester.page.getByTestId('request-card').getAttribute('data-request-id'),
    ).not.toBeNull();
    await poll(() => requester.page.locator('[data-status="arrived"]').count()).toBe(1);
  });

  it('renders the inbox, the outbox and the form on a phone (docs/screenshots)', async () => {
    const requester = await as('vo_worker', PHONE);
    const region = (await userOf(requester.page)).regionId!;
    // One open request of Arosa (in its outbox, in Moviera's inbox), posted through the API.
    const worker = await login(app(), demoEmail('vo_worker'));
    const posted = await app().inject({
      method: 'POST',
      url: '/api/placements',
      headers: { cookie: worker },
      payload: {
        kind: 'crisis',
        urgency: 'acuut',
        household: { adults: [{ gender: 'v' }], children: [7, 11] },
        needs: { wheelchair: false, pets: true, largeFamily: false, languages: ['Tigrinya'] },
        originRegionId: region,
        unsafeRegionIds: [region],
        preferredRegionIds: [],
      },
    });
    expect(posted.statusCode).toBe(200);
    await requester.page.goto('/verzoeken?tab=outbox');
    await requester.page.getByTestId('request-card').first().waitFor();
    await requester.page.screenshot({ path: `${SCREENSHOTS}verzoeken-outbox-phone.png` });
    await requester.page.goto('/verzoeken/nieuw');
    await requester.page.getByTestId('request-form').waitFor();
    await requester.page.screenshot({ path: `${SCREENSHOTS}verzoek-form-phone.png` });
    // Nothing wider than the phone: no sideways scrolling of the page.
    expect(await fitsViewportWidth(requester.page)).toBe(true);

    const receiver = await as('vo_worker.moviera', PHONE);
    await receiver.page.goto('/verzoeken');
    await receiver.page.getByTestId('request-card').first().waitFor();
    await receiver.page.getByTestId('requests-inbox').waitFor();
    await receiver.page.screenshot({ path: `${SCREENSHOTS}verzoeken-inbox-phone.png` });
  });
});
