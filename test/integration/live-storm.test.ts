import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LIVE_CLOSE_UNAUTHORIZED } from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Connect storms (issue 15): a restart reconnects every screen at once, many of them on one
 * session. One session lookup answers them all, every socket gets the one shared snapshot,
 * and a logout anywhere still refuses the session's next upgrade at once.
 */

let backend: TestBackend;
let a: Instance;
let b: Instance;
const clients: TestLiveClient[] = [];

beforeAll(async () => {
  backend = await createBackend({ liveMaxSocketsPerUser: 100 });
  a = await startInstance(backend);
  b = await startInstance(backend, { database: await backend.openDatabase() });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await a?.close();
  await b?.close();
  await backend?.close();
});

describe('a storm of upgrades', () => {
  it('looks the session up once and gives every socket the same snapshot', async () => {
    const cookie = await login(a.app, demoEmail('coordinator'));
    // The query behind userFor (private: its cache is what this checks).
    const sessions = b.app.services.sessions as unknown as { lookup(id: string): Promise<unknown> };
    const lookups = vi.spyOn(sessions, 'lookup');
    const storm = await Promise.all(
      Array.from({ length: 40 }, () => TestLiveClient.connect(b.wsUrl, cookie)),
    );
    clients.push(...storm);
    await Promise.all(storm.map((c) => c.waitFor((x) => x.state.ready, 20_000)));
    expect(lookups).toHaveBeenCalledTimes(1);
    lookups.mockRestore();
    // One rendering per seq (a sweep may commit in between): equal frames at equal seqs.
    const bySeq = new Map(storm.map((c) => [c.state.seq, c.frames[0]]));
    for (const c of storm) expect(c.frames[0]).toBe(bySeq.get(c.state.seq));
    expect(storm[0]!.state.units.size).toBeGreaterThan(1000);
  });

  it('refuses the next upgrade of a session that logged out on another instance', async () => {
    const cookie = await login(a.app, demoEmail('vo_planner'));
    const first = await TestLiveClient.connect(b.wsUrl, cookie);
    clients.push(first);
    await first.waitFor((c) => c.state.ready);
    const res = await a.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie } });
    expect(res.statusCode).toBe(204);
    // Closed on B: B has heard of the logout, and its cached lookup with it.
    await first.waitFor((c) => c.closeCode !== null, 5000);
    const again = await TestLiveClient.connect(b.wsUrl, cookie);
    clients.push(again);
    await again.waitFor((c) => c.closeCode !== null, 5000);
    expect(again.closeCode).toBe(LIVE_CLOSE_UNAUTHORIZED);
    expect(again.frames).toEqual([]);
  });
});
