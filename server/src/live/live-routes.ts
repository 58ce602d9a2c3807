import websocket from '@fastify/websocket';
import fp from 'fastify-plugin';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ClientMessage, LIVE_CLOSE_UNAUTHORIZED, LiveQuery } from '@opvangatlas/shared';
import { LiveHub } from './live-hub';

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveHub;
  }
}

const liveRoute: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/live',
    {
      websocket: true,
      schema: {
        tags: ['live'],
        summary: 'Websocket: snapshot, then deltas (see shared/src/live.ts)',
        querystring: LiveQuery,
      },
    },
    (socket, request) => {
      // A browser cannot read the status of a refused upgrade (it only sees 1006), so an
      // anonymous socket is accepted and closed with a code that says "log in again".
      const user = request.user;
      if (!user) {
        socket.close(LIVE_CLOSE_UNAUTHORIZED, 'unauthorized');
        return;
      }
      socket.on('close', () => app.live.detach(socket));
      socket.on('message', (raw: Buffer) => {
        let json: unknown;
        try {
          json = JSON.parse(raw.toString());
        } catch {
          json = null;
        }
        const msg = ClientMessage.safeParse(json);
        if (!msg.success) return; // Clients only ever ask to resync; anything else is ignored.
        void app.live.resync(socket, msg.data.since).catch((err: unknown) => {
          request.log.warn({ err }, 'resync failed');
          socket.close(1011, 'resync failed');
        });
      });
      app.live.attach(socket, user, request.query.since).catch((err: unknown) => {
        request.log.warn({ err }, 'live attach failed');
        socket.close(1011, 'sync failed');
      });
    },
  );
};

/** Websocket endpoint and the hub that feeds it from the bus. */
export const livePlugin = fp<{ catchUpMs?: number; maxBufferedBytes?: number }>(
  async (app, opts) => {
    const hub = new LiveHub({
      database: app.database,
      bus: app.bus,
      availability: app.services.availability,
      log: app.log,
      ...opts,
    });
    app.decorate('live', hub);
    await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
    await app.register(liveRoute, { prefix: '/api' });
    app.addHook('onReady', () => hub.start());
    app.addHook('preClose', () => hub.stop());
  },
  { name: 'live', dependencies: ['services', 'auth'] },
);
