import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';

/** The system Chromium; playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumAvailable = () => existsSync(CHROMIUM_PATH);

/**
 * Where end-to-end tests write screenshots: test-results/ is ignored by git, so `npm test`
 * leaves the tree clean. `npm run screenshots` runs every e2e test with "screenshots" in its
 * name and copies what they wrote here to docs/screenshots/ (shown in the README).
 */
export const SCREENSHOT_DIR = fileURLToPath(
  new URL('../../test-results/screenshots/', import.meta.url),
);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // WebGL for maplibre through the software rasteriser.
      '--enable-unsafe-swiftshader',
    ],
  });
}

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export interface UserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions in the page (not console warnings). */
  errors: Error[];
  /** Requests to any other origin (blocked: the app must work without the internet). */
  external: string[];
}

/**
 * A fresh browser context (own cookies, own websocket) that logs in through the real login
 * page, like a person would, and waits until the app has left /login.
 */
export async function loginThroughForm(
  browser: Browser,
  baseUrl: string,
  email: string,
  options: BrowserContextOptions & { password?: string } = {},
): Promise<UserSession> {
  const { password = 'demo', ...contextOptions } = options;
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: DESKTOP,
    locale: 'nl-NL',
    timezoneId: 'Europe/Amsterdam',
    ...contextOptions,
  });
  // No request may leave the machine: the map and everything else are served locally.
  const external: string[] = [];
  const origin = new URL(baseUrl).origin;
  await context.route(
    (url) => url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:',
    (route) => {
      external.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on('pageerror', (err) => errors.push(err));
  await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => url.pathname !== '/login');
  return { context, page, errors, external };
}

/**
 * The few browser globals the page.evaluate callbacks below use. The root tsconfig has no
 * DOM lib (server code must not see `window`), so callbacks cast `globalThis` to this.
 */
interface InPage {
  __e2eMark?: boolean;
  innerWidth: number;
  scrollTo(x: number, y: number): void;
  document: { documentElement: { scrollWidth: number } };
  createImageBitmap(blob: Blob): Promise<{ width: number; height: number }>;
  OffscreenCanvas: new (
    width: number,
    height: number,
  ) => {
    getContext(kind: '2d'): {
      drawImage(image: unknown, x: number, y: number): void;
      getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
    } | null;
  };
}

/** Marks the document, so a later check can tell the page was not reloaded in between. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as InPage).__e2eMark = true;
  });
}

export function documentStillMarked(page: Page): Promise<boolean> {
  return page.evaluate(() => (globalThis as unknown as InPage).__e2eMark === true);
}

/** True when the page is no wider than the viewport (nothing sticks out sideways). */
export function fitsViewportWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const w = globalThis as unknown as InPage;
    return w.document.documentElement.scrollWidth <= w.innerWidth;
  });
}

export async function scrollToTop(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as InPage).scrollTo(0, 0));
}

/** Pixel colours of the offline basemap style (web/src/lib/map/basemap.ts). */
const LAND_NL = [0xfb, 0xfb, 0xf8];
const LAND_OTHER = [0xe9, 0xeb, 0xe6];
const WATER = [0xd7, 0xe6, 0xee];

/**
 * Share of the map's pixels painted as the Netherlands, other land and water, read from a
 * screenshot of the map element (the WebGL canvas itself cannot be read back).
 */
export async function mapPaint(
  page: Page,
): Promise<{ nl: number; otherLand: number; water: number }> {
  const png = await page.getByTestId('map').screenshot();
  return page.evaluate(
    async ({ b64, colours }) => {
      const w = globalThis as unknown as InPage;
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await w.createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new w.OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      const counts = colours.map(() => 0);
      for (let i = 0; i < data.length; i += 4) {
        colours.forEach((c, k) => {
          if (
            Math.abs(data[i]! - c[0]!) <= 3 &&
            Math.abs(data[i + 1]! - c[1]!) <= 3 &&
            Math.abs(data[i + 2]! - c[2]!) <= 3
          )
            counts[k]! += 1;
        });
      }
      const total = data.length / 4;
      return { nl: counts[0]! / total, otherLand: counts[1]! / total, water: counts[2]! / total };
    },
    { b64: png.toString('base64'), colours: [LAND_NL, LAND_OTHER, WATER] },
  );
}
