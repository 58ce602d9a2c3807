import { ErrorResponse, LoginRequest, SessionResponse } from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isAppError } from '../../errors';
import { requireUser, SESSION_COOKIE, setSessionCookie } from '../../plugins/auth';
import { openLoginLimiter } from './login-limiter';

export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['sessie'];
  // Failed logins per account and per address, shared by all instances through Redis.
  const limiter = await openLoginLimiter({
    redisUrl: app.config.redisUrl,
    prefix: app.config.redisChannelPrefix,
    isFailedGuess: (err) => isAppError(err, 'invalid_credentials'),
    onStoreError: (err) =>
      app.log.warn({ err }, 'login limiter: Redis unavailable; counting in this instance'),
  });
  app.addHook('onClose', () => limiter.close());

  app.post(
    '/session',
    {
      schema: {
        tags,
        summary: 'Log in with e-mail and password; sets an httpOnly session cookie',
        description:
          'Failed attempts are limited per account (10) and per client address (30) per 5 minutes; then 429 with Retry-After.',
        body: LoginRequest,
        response: {
          200: SessionResponse,
          400: ErrorResponse,
          401: ErrorResponse,
          429: ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const { token, user, expiresAt } = await limiter.run(request.body.email, request.ip, () =>
        app.services.sessions.login(request.body),
      );
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
        response: { 200: SessionResponse, 401: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request) => ({ user: requireUser(request) }),
  );
  app.delete(
    '/session',
    { schema: { tags, summary: 'Log out', response: { 204: z.null() } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await app.services.sessions.logout(token, request.user);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );
};
