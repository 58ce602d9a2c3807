// `npm start`: build the web app if needed, then run the server (migrates and seeds itself).
import { spawn } from 'node:child_process';
import { ensureWebBuild } from './web-build.mjs';

ensureWebBuild();
const server = spawn(process.execPath, ['--import', 'tsx', 'server/src/server.ts'], {
  cwd: new URL('..', import.meta.url).pathname,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
