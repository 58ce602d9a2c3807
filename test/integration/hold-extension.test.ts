import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '@opvangatlas/db';
import type { SessionUser, Unit } from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, sessionUser } from '../support/fixtures';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Extending a hold (issue 14): the holding VO may extend once (HOLD_MAX_EXTENSIONS, here
 * 1 of 30 minutes, the defaults), with the version it saw; every extension is an event; a
 * second one is 409 and writes nothing.
 */
let backend: TestBackend;
let instance: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let worker: SessionUser;
let moviera: string;

beforeAll(async () => {
  backend = await createBackend();
  instance = await startInstance(backend);
  s = await demoSessions(instance.app);
  moviera = await login(instance.app, demoEmail('vo_worker.moviera'));
  worker = await sessionUser(instance.app, s.worker);
});
afterAll(async () => {
  await instance?.close();
  await backend?.close();
});

const taken = new Set<number>();
async function freeNoodbed(): Promise<Unit> {
  const unit = (await getUnits(instance.app, s.worker, '?kind=noodbed&status=free')).find(
    (u) => !taken.has(u.id) && u.organisationId !== worker.organisationId,
  )!;
  taken.add(unit.id);
  return unit;
}
const hold = async (cookie: string, id: number) =>
  instance.app.inject({ method: 'POST', url: `/api/units/${id}/hold`, headers: { cookie } });
const extend = (cookie: string, id: number, payload: unknown) =>
  instance.app.inject({
    method: 'POST',
    url: `/api/units/${id}/hold/extension`,
    headers: { cookie },
    payload: payload as object,
  });

describe('hold extension', () => {
  it('extends the own hold once by 30 minutes, as an event that reaches others live', async () => {
    const unit = await freeNoodbed();
    const held = (await hold(s.worker, unit.id)).json<Unit>();
    expect(held.holdExtensions).toBe(0);
    const watcher = await TestLiveClient.connect(instance.wsUrl, moviera);
    await watcher.waitFor((c) => c.state.ready);

    const res = await extend(s.worker, unit.id, { version: held.version });
    expect(res.statusCode).toBe(200);
    const extended = res.json<Unit>();
    expect(extended.holdExtensions).toBe(1);
    expect(extended.version).toBe(held.version + 1);
    expect(new Date(extended.heldUntil!).getTime() - new Date(held.heldUntil!).getTime()).toBe(
      30 * 60_000,
    );
    const [event] = await backend.database.db
      .select()
      .from(events)
      .where(eq(events.unitId, unit.id))
      .orderBy(desc(events.seq))
      .limit(1);
    expect(event).toMatchObject({ type: 'unit.hold_extended', actorUserId: worker.id });
    await watcher.waitFor((c) => c.state.units.get(unit.id)?.heldUntil === extended.heldUntil);
    await watcher.close();

    // The second extension is refused with the limit, and nothing changes.
    const again = await extend(s.worker, unit.id, { version: extended.version });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'hold_extension_limit', params: { max: 1 } });
    const now = (await getUnits(instance.app, s.worker)).find((u) => u.id === unit.id)!;
    expect(now).toMatchObject({ version: extended.version, heldUntil: extended.heldUntil });

    // Released and held anew: a fresh hold may be extended again.
    await instance.app.inject({
      method: 'DELETE',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker },
    });
    const fresh = (await hold(s.worker, unit.id)).json<Unit>();
    expect(fresh.holdExtensions).toBe(0);
    expect((await extend(s.worker, unit.id, { version: fresh.version })).statusCode).toBe(200);
  });

  it('refuses a stale version, another organisation, a unit not held and a bad body', async () => {
    const unit = await freeNoodbed();
    const held = (await hold(s.worker, unit.id)).json<Unit>();

    const stale = await extend(s.worker, unit.id, { version: held.version - 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'version_conflict' });

    const other = await extend(moviera, unit.id, { version: held.version });
    expect(other.statusCode).toBe(403);

    for (const body of [{}, { version: 'x' }, { version: held.version, minutes: 600 }]) {
      const bad = await extend(s.worker, unit.id, body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
    }
    const unchanged = (await getUnits(instance.app, s.worker)).find((u) => u.id === unit.id)!;
    expect(unchanged).toMatchObject({ version: held.version, holdExtensions: 0 });

    await instance.app.inject({
      method: 'DELETE',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker },
    });
    const free = await freeNoodbed();
    const notHeld = await extend(s.worker, free.id, { version: free.version });
    expect(notHeld.statusCode).toBe(409);
    expect(notHeld.json()).toMatchObject({ code: 'unit_not_held' });
  });
});
