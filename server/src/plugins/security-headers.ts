import fp from 'fastify-plugin';

type Directives = Record<string, string[]>;

const policy = (directives: Directives) =>
  Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');

/** JSON and the websocket only: nothing in an API response may load, run or be framed. */
export const API_CSP = policy({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] });

/**
 * The app's policy as the server sends it, on the HTML and on every asset. Scripts are left
 * to SvelteKit's own policy (web/svelte.config.js, `kit.csp`), which hashes its inline
 * bootstrap script and arrives as a second header with the HTML: a browser enforces both, so
 * neither may restrict what the other allows. Hence no `default-src` and no `script-src` here.
 * Everything else is same-origin and offline; the map (maplibre) needs blob: workers and
 * data:/blob: images. Styles allow 'unsafe-inline' for style attributes (app.html, the map);
 * that cannot run script.
 */
export function appCsp(mapStyleUrl?: string): string {
  const map = mapStyleUrl ? [new URL(mapStyleUrl).origin] : [];
  return policy({
    'connect-src': ["'self'", ...map],
    'img-src': ["'self'", 'data:', 'blob:', ...map],
    'style-src': ["'self'", "'unsafe-inline'"],
    'font-src': ["'self'"],
    'media-src': ["'none'"],
    'manifest-src': ["'self'"],
    'worker-src': ["'self'", 'blob:'],
    'child-src': ["'self'", 'blob:'],
    'frame-src': ["'none'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  });
}

export interface SecurityHeadersOptions {
  /** HSTS only in production: a development server on http://localhost must stay reachable. */
  production: boolean;
  mapStyleUrl?: string | undefined;
}

export function securityHeaders({ production, mapStyleUrl }: SecurityHeadersOptions) {
  const common: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    // Older browsers' frame-ancestors: the hold and confirm buttons cannot be clickjacked.
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
  if (production) common['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  return {
    api: { ...common, 'content-security-policy': API_CSP },
    app: { ...common, 'content-security-policy': appCsp(mapStyleUrl) },
  };
}

/** Whether a request URL (path and query) is the API's rather than the web app's. */
export const isApiPath = (url: string) =>
  url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/**
 * Security headers on every response, API and app, in every mode (issue 6, item 4). Set on
 * the raw response in onRequest, so they are also there on errors and on files streamed by
 * @fastify/static (plugins/web.ts adds SvelteKit's policy to the shell's).
 */
export const securityHeadersPlugin = fp<SecurityHeadersOptions>(
  async (app, options) => {
    const headers = securityHeaders(options);
    app.addHook('onRequest', async (request, reply) => {
      for (const [name, value] of Object.entries(
        isApiPath(request.url) ? headers.api : headers.app,
      )) {
        reply.raw.setHeader(name, value);
      }
    });
  },
  { name: 'security-headers' },
);
