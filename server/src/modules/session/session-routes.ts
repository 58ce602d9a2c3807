import rateLimit from '@fastify/rate-limit';
import { ErrorResponse, LoginRequest, SessionResponse } from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser, SESSION_COOKIE, setSessionCookie } from '../../plugins/auth';

/** Guessing passwords: 10 attempts per address and e-mail per 5 minutes. */
const LOGIN_LIMIT = { max: 10, timeWindow: '5 minutes' };

export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['sessie'];
  // preHandler: the key needs the parsed e-mail, so one account's lock-out spares the others.
  await app.register(rateLimit, { global: false, hook: 'preHandler' });
  app.post(
    '/session',
    {
      config: {
        rateLimit: {
          ...LOGIN_LIMIT,
          keyGenerator: (request) => {
            const email = (request.body as { email?: unknown } | undefined)?.email;
            return `${request.ip}|${typeof email === 'string' ? email.toLowerCase() : ''}`;
          },
          errorResponseBuilder: (_request, context) => ({
            statusCode: 429,
            error: 'rate_limited',
            message: `Te veel inlogpogingen; probeer het over ${Math.ceil(context.ttl / 60_000)} minuten opnieuw`,
          }),
        },
      },
      schema: {
        tags,
        summary: 'Log in with e-mail and password; sets an httpOnly session cookie',
        body: LoginRequest,
        response: {
          200: SessionResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          429: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const { token, user, expiresAt } = await app.services.sessions.login(request.body);
      setSessionCookie(reply, token, expiresAt, app.config.cookieSecure);
      return { user };
    },
  );
  app.get(
    '/session',
    {
      schema: {
        tags,
        summary: 'The logged-in user',
        response: { 200: SessionResponse, 401: ErrorResponse },
      },
    },
    async (request) => ({ user: requireUser(request) }),
  );
  app.delete(
    '/session',
    { schema: { tags, summary: 'Log out', response: { 204: z.null() } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await app.services.sessions.logout(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );
};
