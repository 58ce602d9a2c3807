import { describe, expect, it } from 'vitest';
import type { PlacementRequest, Unit } from '@opvangatlas/shared';
import { SCREENSHOT_DIR, chromiumAvailable } from '../support/browser';
import { demoEmail, login } from '../support/instance';
import { addPlanner, pickUnits, plannerLocal, swapRequest } from '../support/swap-fixtures';
import { useWebApp } from '../support/web-app';

/**
 * Ruil in Chromium, as the planners of three VOs in three browsers: A marks its request
 * "ruil mogelijk" through the form, B and C post theirs; no pair fits, so the app proposes
 * the ring A -> B -> C -> A. Each planner sees her own part live, accepts after a
 * confirmation, and all three see the swap executed.
 */
const LIVE_MS = 10_000;
const poll = <T>(fn: () => Promise<T> | T, timeout = LIVE_MS) =>
  expect.poll(fn, { timeout, interval: 50 });

describe.skipIf(!chromiumAvailable())('Ruil in Chromium', () => {
  const web = useWebApp({ swapDebounceMs: 50 });

  it('closes a three-way swap A -> B -> C -> A in three browsers (screenshots)', async () => {
    const admin = await login(web.app, demoEmail('admin'));
    const units = (await web.app.inject({ url: '/api/units', headers: { cookie: admin } })).json<
      Unit[]
    >();
    // Each household fits only the next VO's unit, by kind of place.
    const [uA, uB, uC] = pickUnits(units, ['noodbed', 'crisis', 'vervolg'], new Set());
    for (const u of [uA!, uB!, uC!])
      await addPlanner(web.backend.database, u.organisationId, u.regionId);
    const [a, b, c] = [
      await web.as(plannerLocal(uA!.organisationId)),
      await web.as(plannerLocal(uB!.organisationId)),
      await web.as(plannerLocal(uC!.organisationId)),
    ];
    for (const p of [b, c]) await p.page.goto('/verzoeken?tab=ruil');

    // A: the form, with "ruil mogelijk" and a unit of its own VO.
    await a.page.goto('/verzoeken/nieuw');
    await a.page.getByTestId('request-form').waitFor();
    await a.page.getByTestId('form-kind').selectOption('crisis');
    await a.page.getByTestId('urgency-code_rood').check();
    await a.page.getByTestId('form-swap-possible').check();
    await a.page.getByTestId('form-swap-unit').selectOption(String(uA!.id));
    await a.page.getByTestId('form-submit').click();
    await a.page.waitForURL(/\/verzoeken\/\d+$/);
    const ra = Number(a.page.url().split('/').at(-1));
    const request = (
      await web.app.inject({ url: `/api/placements/${ra}`, headers: { cookie: admin } })
    ).json<PlacementRequest>();
    expect(request.swapUnitId).toBe(uA!.id);

    // B and C post theirs through the API of their own sessions.
    for (const [p, unit, kind] of [
      [b, uB!, 'vervolg'],
      [c, uC!, 'noodbed'],
    ] as const) {
      const res = await p.page.request.post('/api/placements', {
        data: swapRequest(unit, kind),
      });
      expect(res.status()).toBe(200);
    }

    // The ring is proposed and shows up live for all three, each with her own part.
    await a.page.goto('/verzoeken?tab=ruil');
    for (const p of [a, b, c]) {
      const card = p.page.getByTestId('swap-card').first();
      await card.waitFor({ timeout: LIVE_MS });
      await poll(() => card.getByTestId('swap-party').count()).toBe(3);
      await poll(() => card.getByTestId('swap-incoming').count()).toBe(1);
      expect(await card.getByTestId('swap-receives').textContent()).not.toMatch(/straat|weg \d/i);
    }
    await a.page.screenshot({
      path: `${SCREENSHOT_DIR}/ruil-proposal-desktop.png`,
      fullPage: true,
    });

    // Each accepts after a confirmation; the last acceptance executes the ring.
    for (const p of [a, b, c]) {
      const card = p.page.getByTestId('swap-card').first();
      await card.getByTestId('swap-accept').click();
      await p.page.getByTestId('dialog-confirm').click();
      // Decided (or, for the last one, executed): the buttons are gone.
      await poll(() => card.getByTestId('swap-accept').count()).toBe(0);
    }
    for (const p of [a, b, c]) {
      await poll(() => p.page.getByTestId('swap-card').first().getAttribute('data-status')).toBe(
        'executed',
      );
    }
    await c.page.screenshot({
      path: `${SCREENSHOT_DIR}/ruil-executed-desktop.png`,
      fullPage: true,
    });
    const unitA = (await web.app.inject({ url: '/api/units', headers: { cookie: admin } }))
      .json<Unit[]>()
      .find((u) => u.id === uA!.id)!;
    expect(unitA.status).toBe('reserved');
  });
});
