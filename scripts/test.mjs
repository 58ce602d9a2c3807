// `npm test`: every vitest project. The end-to-end tests need the built web app.
import { spawnSync } from 'node:child_process';
import { ensureWebBuild } from './web-build.mjs';

ensureWebBuild();
const r = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
  cwd: new URL('..', import.meta.url).pathname,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
