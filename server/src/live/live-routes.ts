import websocket from '@fastify/websocket';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ClientMessage, LIVE_CLOSE_UNAUTHORIZED, LiveQuery } from '@opvangatlas/shared';
import { liveModules } from '../modules/live-modules';
import { sessionIdOf } from '../modules/session/session-service';
import { SESSION_COOKIE } from '../plugins/auth';
import { negotiateDeflate, releaseInflate } from './deflated-frame';
import { LiveHub, type LiveHubOptions } from './live-hub';
import type { LiveModuleFactory } from './live-module';

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveHub;
  }
}

/** Tuning and extra modules for tests; everything else comes from the app. */
export type LiveOptions = Partial<
  Pick<
    LiveHubOptions,
    | 'catchUpMs'
    | 'maxBufferedBytes'
    | 'heartbeatMs'
    | 'sessionCheckMs'
    | 'maxSocketsPerUser'
    | 'ringSize'
    | 'replayLimit'
    | 'flushMs'
  >
> & { extraModules?: LiveModuleFactory[] };

const liveRoute: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/live',
    {
      websocket: true,
      schema: {
        tags: ['live'],
        summary: 'Websocket: snapshot, then batches of changes (see shared/src/live.ts)',
        querystring: LiveQuery,
      },
    },
    (socket, request) => {
      // A browser cannot read the status of a refused upgrade (it only sees 1006), so an
      // anonymous socket is accepted and closed with a code that says "log in again".
      const user = request.user;
      const token = request.cookies[SESSION_COOKIE];
      if (!user || !token) {
        socket.close(LIVE_CLOSE_UNAUTHORIZED, 'unauthorized');
        return;
      }
      const sessionId = sessionIdOf(token);
      // One resync at a time per socket: a flood of requests costs one session check and
      // one answer, not one each.
      let resyncing = false;
      socket.on('close', () => app.live.detach(socket));
      socket.on('message', (raw: Buffer) => {
        releaseInflate(socket);
        let json: unknown;
        try {
          json = JSON.parse(raw.toString());
        } catch {
          json = null;
        }
        const msg = ClientMessage.safeParse(json);
        // Clients only ever ask to resync; anything else is ignored.
        if (!msg.success || resyncing) return;
        resyncing = true;
        // A resync hands out a full snapshot: the session must still be there.
        void app.services.sessions
          .activeSessions([sessionId])
          .then((active) => {
            if (!active.has(sessionId)) app.live.endSessions([sessionId]);
            else return app.live.resync(socket, msg.data.since);
          })
          .catch((err: unknown) => {
            request.log.warn({ err: (err as Error).message }, 'resync failed');
            socket.close(1011, 'resync failed');
          })
          .finally(() => {
            resyncing = false;
          });
      });
      app.live
        .attach(socket, user, { sessionId, since: request.query.since })
        .catch((err: unknown) => {
          request.log.warn({ err: (err as Error).message }, 'live attach failed');
          socket.close(1011, 'sync failed');
        });
    },
  );
};

/** Websocket endpoint and the hub that feeds it from the bus. */
export const livePlugin = fp<LiveOptions>(
  async (app, { extraModules = [], ...tuning }) => {
    const hub = new LiveHub({
      database: app.database,
      bus: app.bus,
      modules: [...liveModules, ...extraModules].map((make) => make(app)),
      log: app.log,
      activeSessions: (ids) => app.services.sessions.activeSessions(ids),
      maxSocketsPerUser: app.config.liveMaxSocketsPerUser,
      ...tuning,
    });
    app.decorate('live', hub);
    // Before @fastify/websocket's own preClose, which closes every socket without a code: the
    // hub closes them first with 1012, "reconnect now" (to an instance still running).
    app.addHook('preClose', () => hub.stop());
    // permessage-deflate is negotiated (a snapshot goes out deflated, ~4x smaller) but ws
    // compresses nothing itself: the hub deflates each shared frame once (deflated-frame.ts).
    await app.register(websocket, {
      options: { maxPayload: 64 * 1024, perMessageDeflate: negotiateDeflate },
    });
    await app.register(liveRoute, { prefix: '/api' });
    app.addHook('onReady', () => hub.start());
  },
  { name: 'live', dependencies: ['services', 'auth'] },
);
