// Builds the web app when its build is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const shell = join(root, 'web/build/index.html');

function newest(dir) {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

export function ensureWebBuild() {
  const sources = ['web/src', 'web/scripts', 'shared/src']
    .map((d) => join(root, d))
    .filter(existsSync);
  const upToDate = existsSync(shell) && statSync(shell).mtimeMs >= Math.max(...sources.map(newest));
  if (upToDate) return;
  console.log('Building the web app (once, and again after changes)…');
  const r = spawnSync('npm', ['run', 'build', '--workspace', 'web'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
