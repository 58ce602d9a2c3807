import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdmin } from '@opvangatlas/db/seed';
import { hashPassword } from '../../server/src/modules/session/password';
import { createBackend, type TestBackend } from '../support/backend';
import { findSecrets } from '../support/log-audit';
import { recordExpectedRequestId, recordSecret, type CapturedLog } from '../support/log-capture';
import { startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Canaries for the log audit (issue 12): distinctive passwords, a session token, e-mail
 * addresses and query values go through every path that could log them (login, failed and
 * unknown logins, bad bodies, queries, the websocket, logout, errors), and are recorded, so
 * test/logs/log-audit.test.ts can prove none of them is in any log of the run. The request ids
 * are recorded too: the audit must find those, or the capture did not work.
 */

let backend: TestBackend;
let instance: Instance;
const tag = randomBytes(4).toString('hex');
const email = `kanarie.${tag}@vo-test.example`;
const password = `Kanarie-Wachtwoord-${tag}`;
const wrongPassword = `Fout-Wachtwoord-${tag}`;
const unknownEmail = `onbekend.${tag}@vo-test.example`;
const queryValue = `kanarie-query-${tag}`;

beforeAll(async () => {
  backend = await createBackend();
  await ensureAdmin(backend.database.db, email, await hashPassword(password));
  instance = await startInstance(backend);
});
afterAll(async () => {
  await instance?.close();
  await backend?.close();
});

describe('log canaries', () => {
  it('sends secrets through every path and finds none of them in its own log', async () => {
    const { app } = instance;
    const ids: string[] = [];
    const send = async (opts: {
      method?: 'GET' | 'POST' | 'DELETE';
      url: string;
      headers?: Record<string, string>;
      payload?: object | string;
    }) => {
      const id = `canary-${tag}-${ids.length}`;
      ids.push(id);
      return app.inject({ ...opts, headers: { ...opts.headers, 'x-request-id': id } });
    };
    const loginBody = (e: string, p: string) => ({
      method: 'POST' as const,
      url: '/api/session',
      payload: { email: e, password: p },
    });
    expect((await send(loginBody(email, wrongPassword))).statusCode).toBe(401);
    expect((await send(loginBody(unknownEmail, password))).statusCode).toBe(401);
    expect(
      (await send({ ...loginBody(email, password), payload: { email, password, x: password } }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await send({
          method: 'POST',
          url: '/api/session',
          headers: { 'content-type': 'application/json' },
          payload: `{"email":"${email}","password":"${password}"`,
        })
      ).statusCode,
    ).toBe(400);
    const ok = await send(loginBody(email, password));
    expect(ok.statusCode).toBe(200);
    const token = ok.cookies.find((c) => c.name === 'oa_session')!.value;
    const cookie = `oa_session=${token}`;
    for (const url of [
      `/api/units?regionId=${queryValue}`,
      `/api/units?status=free&note=${queryValue}&email=${encodeURIComponent(email)}`,
      `/api/availability?kind=${queryValue}`,
      `/api/nope/${queryValue}?email=${encodeURIComponent(email)}`,
      `/api/units/${queryValue}`,
    ]) {
      expect((await send({ url, headers: { cookie } })).statusCode).toBeGreaterThanOrEqual(200);
    }
    // A cookie on an anonymous-looking request, an Authorization header: never echoed.
    await send({ url: '/api/session', headers: { cookie, authorization: `Bearer ${token}` } });
    const live = await TestLiveClient.connect(
      `${instance.wsUrl}?since=0&x=${queryValue}`,
      cookie,
    ).catch(() => null);
    await live?.close();
    const ws = await TestLiveClient.connect(instance.wsUrl, cookie);
    await ws.waitFor((c) => c.state.ready);
    ws.ws.send(JSON.stringify({ type: 'resync', email, password }));
    await ws.close();
    expect(
      (await send({ method: 'DELETE', url: '/api/session', headers: { cookie } })).statusCode,
    ).toBe(204);

    for (const [kind, value] of [
      ['password', password],
      ['password', wrongPassword],
      ['email', email],
      ['email', unknownEmail],
      ['token', token],
      ['query', queryValue],
    ] as const) {
      recordSecret(kind, value);
    }
    for (const id of ids) recordExpectedRequestId(id);

    const lines = (backend.config.logDestination as CapturedLog).lines();
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    for (const id of ids) expect(text, `request ${id} logged`).toContain(id);
    expect(
      findSecrets(text, [
        { kind: 'password', value: password },
        { kind: 'password', value: wrongPassword },
        { kind: 'email', value: email },
        { kind: 'email', value: unknownEmail },
        { kind: 'token', value: token },
        { kind: 'query', value: queryValue },
      ]),
    ).toEqual([]);
  });
});
