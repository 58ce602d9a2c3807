import type { AddressInfo } from 'node:net';
import { buildApp, type App } from '../../server/src/app';
import type { Bus } from '../../server/src/live/bus';
import type { LiveOptions } from '../../server/src/live/live-routes';
import type { Database } from '@opvangatlas/db';
import type { TestBackend } from './backend';

export interface Instance {
  app: App;
  baseUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** A real listening server instance on a free loopback port. */
export async function startInstance(
  backend: TestBackend,
  opts: {
    database?: Database;
    bus?: Bus;
    live?: LiveOptions;
  } = {},
): Promise<Instance> {
  const app = await buildApp({
    config: backend.config,
    database: opts.database ?? backend.database,
    bus: opts.bus ?? (await backend.openBus()),
    live: opts.live,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/api/live`,
    close: () => app.close(),
  };
}

export const demoEmail = (local: string) => `${local}@demo.opvangatlas.nl`;

/** Logs in through the API and returns the Cookie header value. */
export async function login(app: App, email: string, password = 'demo'): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`login ${email}: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'oa_session');
  return `oa_session=${cookie!.value}`;
}
