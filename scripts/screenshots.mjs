// `npm run screenshots`: runs every end-to-end test with "screenshots" in its name (they render
// the screens on desktop and phone) and copies what they wrote to test-results/screenshots/
// (test/support/browser.ts, SCREENSHOT_DIR) to docs/screenshots/, which the README shows.
// `npm test` writes them to test-results/ only, so it leaves the tree clean.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWebBuild } from './web-build.mjs';

const root = new URL('..', import.meta.url).pathname;
const from = join(root, 'test-results/screenshots');
const to = join(root, 'docs/screenshots');

ensureWebBuild();
rmSync(from, { recursive: true, force: true });
const r = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', '-t', 'screenshots'], {
  cwd: root,
  stdio: 'inherit',
  // Tests that still take their folder from the environment write there too.
  env: { ...process.env, SCREENSHOT_DIR: `${from}/` },
});
if (r.status !== 0) process.exit(r.status ?? 1);
let files = [];
try {
  files = readdirSync(from).filter((f) => f.endsWith('.png'));
} catch {
  // no folder: the test was skipped
}
if (files.length === 0) {
  console.error('No screenshots were written: is Chromium installed (see README)?');
  process.exit(1);
}
mkdirSync(to, { recursive: true });
for (const f of files) copyFileSync(join(from, f), join(to, f));
console.log(`docs/screenshots/: ${files.join(', ')}`);
