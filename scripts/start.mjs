// `npm start`: build the web app if needed, then run the server (migrates and seeds itself).
// SKIP_WEB_BUILD=true serves whatever build there is (the fault tests, which never build).
import { spawn } from 'node:child_process';
import { ensureWebBuild } from './web-build.mjs';

if (process.env.SKIP_WEB_BUILD !== 'true') ensureWebBuild();
const server = spawn(process.execPath, ['--import', 'tsx', 'server/src/server.ts'], {
  cwd: new URL('..', import.meta.url).pathname,
  stdio: 'inherit',
});

// Handed on once: the server finishes its requests and closes its websockets, then exits,
// and so do we. (Ctrl-C in a terminal reaches the server too; it ignores the repeat.)
let forwarded = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (forwarded) return;
    forwarded = true;
    server.kill(signal);
  });
}
// A clean shutdown after a forwarded signal is exit 0; a crash keeps its code.
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
