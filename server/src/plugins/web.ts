import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { isApiPath } from './security-headers';

const CSP = 'content-security-policy';
/** The one HTML file of the build: SvelteKit's shell, sent for every page path. */
const SHELL = 'index.html';
/** Hashed file names: a changed file gets a new name, so these never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Every file of the build as a URL path (`/_app/immutable/...`), read once at start. */
function filesOf(dir: string): Set<string> {
  const files = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name));
    files.add(`/${path.split(sep).join('/')}`);
  }
  return files;
}

/**
 * The shell, and SvelteKit's script policy (`kit.csp` in web/svelte.config.js: 'self' and the
 * hash of its inline bootstrap script). A static build writes the policy into the shell as a
 * <meta> tag; it is moved into a header, as SvelteKit's own server sends it: a header can also
 * say frame-ancestors (a <meta> policy cannot, SvelteKit leaves it out there), and one script
 * policy instead of two identical ones reports a blocked script once.
 */
function readShell(file: string): { html: string; kitPolicy: string | null } {
  const shell = readFileSync(file, 'utf8');
  const meta = /<meta http-equiv="content-security-policy" content="([^"]*)">\s*/i.exec(shell);
  if (!meta?.[1]) return { html: shell, kitPolicy: null };
  const policy = meta[1]
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&');
  return {
    html: shell.replace(meta[0], ''),
    kitPolicy: /frame-ancestors/.test(policy) ? policy : `${policy}; frame-ancestors 'none'`,
  };
}

/**
 * Serves the built web app (adapter-static, web/build) on the same origin as the API, so
 * cookies and the websocket need no CORS. Files as they are, with long cache headers for
 * SvelteKit's hashed assets (/_app/immutable) and revalidation for everything else; any
 * other path outside /api gets the shell (SPA fallback), whose router shows the page or its
 * 404. A missing /_app file is a 404, not the shell: a tab of an older build must not get
 * HTML for a script. Without a build the API still runs.
 */
export const webPlugin = fp<{ buildDir: string }>(
  async (app, { buildDir }) => {
    const root = resolve(buildDir);
    const shellFile = join(root, SHELL);
    if (!existsSync(shellFile)) {
      app.log.warn(`no web build at ${root}; serving the API only (run npm run build)`);
      return;
    }
    const files = filesOf(root);
    const { html, kitPolicy } = readShell(shellFile);
    const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;

    await app.register(fastifyStatic, {
      root,
      serve: false,
      // Set per file below; @fastify/static's default (max-age=0) would undo them.
      cacheControl: false,
      // The build's .br/.gz files (adapter precompress, best ratio), not compressed per request.
      preCompressed: true,
      index: false,
    });

    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      const path = request.url.split('?', 1)[0]!;
      if (isApiPath(path)) return reply.callNotFound();
      if (files.has(path) && path !== `/${SHELL}`) {
        const immutable = path.startsWith('/_app/immutable/');
        return (
          reply
            .header('cache-control', immutable ? IMMUTABLE : 'no-cache')
            // The same URL is brotli, gzip or plain by the request: caches must keep them apart.
            .header('vary', 'accept-encoding')
            .sendFile(path.slice(1))
        );
      }
      if (path.startsWith('/_app/')) return reply.callNotFound();
      // The shell: the server's policy (plugins/security-headers.ts, already on the raw
      // response) and SvelteKit's, as two headers a browser enforces together.
      const ours = reply.raw.getHeader(CSP);
      if (kitPolicy && ours !== undefined) reply.raw.setHeader(CSP, [String(ours), kitPolicy]);
      reply.header('cache-control', 'no-cache').header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('text/html; charset=utf-8').send(html);
    });
  },
  { name: 'web' },
);
