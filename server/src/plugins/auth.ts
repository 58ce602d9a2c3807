import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Role, SessionUser } from '@opvangatlas/shared';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { isApiPath } from './security-headers';

export const SESSION_COOKIE = 'oa_session';

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
  }
}

/** The logged-in user, or 401; with roles, 403 for anyone else. */
export function requireUser(request: FastifyRequest, roles?: readonly Role[]): SessionUser {
  if (!request.user) throw new UnauthorizedError();
  if (roles && !roles.includes(request.user.role)) throw new ForbiddenError();
  return request.user;
}

export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  expires: Date,
  secure: boolean,
) {
  // httpOnly keeps the token from scripts; SameSite=Lax blocks cross-site posts.
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    expires,
  });
}

export const authPlugin = fp(
  async (app) => {
    await app.register(cookie);
    app.decorateRequest('user', null);
    app.addHook('onRequest', async (request) => {
      // Only the API knows users: the web app's files and shell are the same for everyone,
      // and must not cost a session query each.
      if (!isApiPath(request.url)) return;
      const token = request.cookies[SESSION_COOKIE];
      if (!token) return;
      request.user = (await app.services.sessions.userFor(token)) ?? null;
    });
  },
  { name: 'auth', dependencies: ['services'] },
);
