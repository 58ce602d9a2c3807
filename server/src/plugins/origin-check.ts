import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `https://host:port` as browsers write it in Origin; null when `value` is no origin. */
function normalise(value: string): string | null {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** The request's own origin: its scheme and Host (X-Forwarded-* only with TRUST_PROXY). */
const ownOrigin = (request: FastifyRequest) => normalise(`${request.protocol}://${request.host}`);

/**
 * Cross-site request forgery and cross-site websocket hijacking: the session cookie is sent
 * with any request the browser makes, so SameSite alone must not be what protects a hold,
 * a confirmation or the live feed (issue 6, item 3). Every state-changing request and every
 * websocket upgrade (`/api/live`) that carries an Origin must come from the app itself:
 * a configured PUBLIC_ORIGIN, or without one the request's own scheme and Host.
 * `Origin: null` (sandboxed frames, data: URLs, some redirects) is refused. Without Origin
 * the request is not from a current browser's cross-site context (curl, app.inject), unless
 * Sec-Fetch-Site says cross-site.
 */
export const originCheckPlugin = fp<{ publicOrigins: readonly string[]; production: boolean }>(
  async (app, { publicOrigins, production }) => {
    const allowed = new Set(publicOrigins);
    if (production && allowed.size === 0) {
      // Behind a TLS proxy the request looks like http:// while the browser says https://.
      app.log.warn(
        'PUBLIC_ORIGIN is not set: only requests whose Origin is their own scheme and Host are accepted',
      );
    }
    app.addHook('onRequest', async (request, reply) => {
      const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
      if (upgrade) {
        // An upgrade answered with a status (this 403, a 503 from auth) instead of 101 leaves
        // the raw socket open (@fastify/websocket only closes it when its own hook ran): close
        // it once the answer is out, so refused clients cannot hold connections.
        reply.raw.once('finish', () => request.raw.socket?.destroy());
      }
      if (safeMethods.has(request.method) && !upgrade) return;
      const header = request.headers.origin;
      if (header === undefined) {
        if (request.headers['sec-fetch-site'] === 'cross-site') {
          throw refused(request, 'cross-site', 'dit verzoek komt van een andere website');
        }
        return;
      }
      const origin = normalise(header);
      if (origin === null) {
        throw refused(request, header, `onbekende herkomst (Origin: ${header.slice(0, 100)})`);
      }
      const ok = allowed.size > 0 ? allowed.has(origin) : origin === ownOrigin(request);
      if (!ok) throw refused(request, origin, `${origin} is niet de herkomst van deze app`);
    });
  },
  { name: 'origin-check' },
);

function refused(request: FastifyRequest, origin: string, why: string): AppError {
  request.log.info({ origin: origin.slice(0, 100) }, 'refused a request from another origin');
  return new AppError('origin_refused', `Verzoek geweigerd: ${why}.`);
}
