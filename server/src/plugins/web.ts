import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fp from 'fastify-plugin';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const CSP = 'content-security-policy';

/**
 * The server's security headers are already on the raw response (plugins/security-headers.ts),
 * and SvelteKit keeps them, except that its own Content-Security-Policy (the hashes of its
 * inline scripts, `kit.csp` in web/svelte.config.js) would replace the server's. Send both
 * instead: a browser enforces every policy it gets, so frame-ancestors and the rest stay.
 */
function keepServerPolicy(res: ServerResponse) {
  const ours = res.getHeader(CSP);
  if (ours === undefined) return;
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) =>
    name.toLowerCase() === CSP
      ? setHeader(name, [String(ours), ...[value].flat().map(String)])
      : setHeader(name, value);
}

/**
 * Serves the built SvelteKit app (adapter-node handler) on the same origin as the API, so
 * cookies and the websocket need no CORS. Without a build the API still runs.
 */
export const webPlugin = fp<{ buildDir: string }>(
  async (app, { buildDir }) => {
    const file = resolve(buildDir, 'handler.js');
    if (!existsSync(file)) {
      app.log.warn(`no web build at ${file}; serving the API only (run npm run build)`);
      return;
    }
    const { handler } = (await import(pathToFileURL(file).href)) as { handler: NodeHandler };
    app.route({
      method: ['GET', 'HEAD'],
      url: '/*',
      schema: { hide: true },
      handler: (request, reply) => {
        if (request.url.startsWith('/api/')) return reply.callNotFound();
        reply.hijack();
        keepServerPolicy(reply.raw);
        handler(request.raw, reply.raw, () => {
          reply.raw.statusCode = 404;
          reply.raw.end('Not found');
        });
      },
    });
  },
  { name: 'web' },
);
