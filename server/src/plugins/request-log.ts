import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  LogController,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import type { AppConfig } from '../config/env';

/**
 * Structured logs: one JSON line per event (pretty in a terminal), every line of a request
 * with its `reqId`, one line per API request when it completes, none per static asset.
 * Passwords, tokens, e-mail addresses and query parameters never reach the log:
 * request lines carry the path without its query, the session cookie and Authorization
 * header are never logged, and the redact list below is the safety net for a careless
 * `log.info({ body })`. test/logs/log-audit.test.ts greps the whole suite's logs for them.
 */

/** An X-Request-Id from a proxy is kept when it is a plain token; otherwise a new id. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** A URL's path without its query string. */
export const pathOf = (url: string) => url.split('?', 1)[0] ?? '';

const REDACT = [
  'password',
  '*.password',
  'token',
  '*.token',
  'email',
  '*.email',
  'cookie',
  '*.cookie',
  'headers.cookie',
  'headers.authorization',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
];

/** pino options for the app: level, redaction, where the lines go, pretty or JSON. */
export function loggerOptions(
  config: Pick<AppConfig, 'logLevel' | 'logDestination'>,
  { pretty = false }: { pretty?: boolean } = {},
): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  return {
    level: config.logLevel,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      // Only what identifies the request; never headers (cookie) or the query string.
      req: (req: { method?: string; url?: string; id?: string }) => ({
        method: req.method,
        path: pathOf(req.url ?? ''),
      }),
    },
    ...(config.logDestination
      ? { stream: config.logDestination }
      : pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: {
                translateTime: 'SYS:HH:MM:ss.l',
                ignore: 'pid,hostname',
                singleLine: true,
              },
            },
          }
        : {}),
  };
}

/** Probes and scrapes every few seconds: at debug, so they do not fill the log. */
const QUIET = new Set(['/api/health', '/api/ready', '/metrics']);

/**
 * Fastify's per-request log lines, replaced: no "incoming request" line, and on completion one
 * line for an API request (method, route template, path without query, status, ms), none for
 * the web app's pages and assets unless they fail.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const path = pathOf(request.url);
    const failed = reply.statusCode >= 500 || Boolean(error);
    if (!path.startsWith('/api/') && !QUIET.has(path) && !failed) return;
    const route = request.routeOptions.url ?? null;
    const line = {
      method: request.method,
      route,
      // An unknown path is whatever the client sent; only known routes are logged by path.
      path: route ? path : undefined,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      ...(error ? { err: error } : {}),
    };
    if (failed) reply.log.warn(line, 'request');
    else if (QUIET.has(path) && reply.statusCode < 400) reply.log.debug(line, 'request');
    else reply.log.info(line, 'request');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.info({ method: request.method }, 'route not found');
  }
}

/** Every response says its request id, so a user's report can be found in the log. */
export const requestLogPlugin = fp(
  async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
  },
  { name: 'request-log' },
);
