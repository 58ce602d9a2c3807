import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, units } from '@opvangatlas/db';
import type { SessionUser, Unit } from '@opvangatlas/shared';
import { LIVE_CLOSE_TOO_SLOW, LIVE_CLOSE_UNAUTHORIZED } from '@opvangatlas/shared';
import { createMemoryBus } from '../../server/src/live/bus';
import { ChangeRunner } from '../../server/src/modules/events/change-runner';
import { UnitService } from '../../server/src/modules/units/unit-service';
import { transitionUnits } from '../../server/src/modules/units/unit-transitions';
import { createBackend, type TestBackend } from '../support/backend';
import { churn, demoSessions, getUnits, patchUnit, sessionUser } from '../support/fixtures';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

let backend: TestBackend;
let a: Instance;
let b: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let worker: SessionUser;
let ownUnits: Unit[];
const clients: TestLiveClient[] = [];

async function connect(instance: Instance, cookie: string) {
  const c = await TestLiveClient.connect(instance.wsUrl, cookie);
  clients.push(c);
  await c.waitFor((x) => x.state.ready);
  return c;
}

const sortedUnits = (c: TestLiveClient) => [...c.state.units.values()].sort((x, y) => x.id - y.id);

beforeAll(async () => {
  // A fast sweep, so a hold that ran out is released while the test watches.
  backend = await createBackend({ holdSweepMs: 200 });
  // Two instances on their own bus connections (Redis) or sharing the process (embedded).
  a = await startInstance(backend, { live: { catchUpMs: 200 } });
  b = await startInstance(backend, {
    database: await backend.openDatabase(),
    live: { catchUpMs: 200 },
  });
  s = await demoSessions(a.app);
  worker = await sessionUser(a.app, s.worker);
  ownUnits = (await getUnits(a.app, s.worker)).filter(
    (u) => u.organisationId === worker.organisationId,
  );
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await a?.close();
  await b?.close();
  await backend?.close();
});

describe('live websocket', () => {
  it('closes an anonymous socket with 4401 and sends it nothing', async () => {
    const anonymous = await TestLiveClient.connect(a.wsUrl, '');
    await anonymous.waitFor((c) => c.closeCode !== null);
    expect(anonymous.closeCode).toBe(LIVE_CLOSE_UNAUTHORIZED);
    expect(anonymous.frames).toEqual([]);
  });

  it('sends a snapshot, then each change as a delta filtered by organisation', async () => {
    const own = await connect(a, s.worker);
    const coordinator = await connect(a, s.coordinator);
    expect(own.state.scope).toBe('units');
    expect(own.state.units.size).toBe(1024);
    expect(own.state.locations.size).toBeGreaterThanOrEqual(35);

    const unit = ownUnits.find((u) => u.status === 'free' && u.maxPersons >= 4)!;
    const res = await patchUnit(a.app, s.worker, unit, {
      status: 'occupied',
      household: { adults: 1, children: 3 },
    });
    expect(res.statusCode).toBe(200);
    const changed = res.json<Unit>();
    await own.waitFor((c) => c.state.units.get(unit.id)?.version === changed.version);
    await coordinator.waitFor((c) => c.state.units.get(unit.id)?.version === changed.version);
    expect(own.state.units.get(unit.id)!.household).toEqual({ adults: 1, children: 3 });
    expect(coordinator.state.units.get(unit.id)!.household).toBeNull();
    expect(own.state.seq).toBe(coordinator.state.seq);
  });

  it('gives a municipality only its own region, as aggregates', async () => {
    const muni = await connect(a, s.municipality);
    expect(muni.state.scope).toBe('aggregates');
    expect(muni.state.units.size).toBe(0);
    const [region] = [...muni.state.regions.values()];
    expect(region!.regionId).toBe(worker.regionId);
    const framesBefore = muni.frames.length;

    const elsewhere = (await getUnits(a.app, s.admin)).find(
      (u) => u.regionId !== worker.regionId && u.status === 'free',
    )!;
    const otherWorker = await login(a.app, demoEmail('vo_worker.moviera'));
    await a.app.inject({
      method: 'POST',
      url: `/api/units/${elsewhere.id}/hold`,
      headers: { cookie: otherWorker },
    });
    const unit = ownUnits.find((u) => u.status === 'free' && u.id !== elsewhere.id)!;
    const current = (await getUnits(a.app, s.worker)).find((u) => u.id === unit.id)!;
    await patchUnit(a.app, s.worker, current, { status: 'out_of_service' });
    await muni.waitFor((c) => c.messages(framesBefore).length > 0);
    // The hold in another region is not in its audience: one batch, its own region's figures
    // (and its municipality figures, whose capacity follows the unit: overflow-live.ts).
    await new Promise((r) => setTimeout(r, 100));
    const frames = muni.messages(framesBefore);
    expect(frames.map((f) => f.type)).toEqual(['batch']);
    expect(frames[0]!.changes!.map((c) => c.slice)).toEqual(['regions', 'municipality']);
    expect([...muni.state.regions.keys()]).toEqual([worker.regionId]);
    expect(muni.gaps).toBe(0);
    // A unit out of service: one place fewer in service, the same number of places.
    const after = muni.state.regions.get(worker.regionId!)!;
    expect(after.total.inService).toBe(Number(region!.total.inService) - 1);
    expect(after.total.places).toBe(region!.total.places);
  });

  it('resumes a client that was offline for 20 changes from its last seq', async () => {
    const first = await connect(a, s.worker);
    const kept = first.keep();
    await first.close();

    const unit = ownUnits.find((u) => u.status === 'occupied')!;
    const current = (await getUnits(a.app, s.worker)).find((u) => u.id === unit.id)!;
    await churn(a.app, s.worker, current, 20);

    const resumed = await TestLiveClient.connect(b.wsUrl, s.worker, kept);
    clients.push(resumed);
    const fresh = await connect(b, s.worker);
    await resumed.waitForSeq(fresh.state.seq);
    // Only what it missed, as one batch: 20 changes of one unit are its latest state.
    const frames = resumed.messages();
    expect(frames.map((f) => f.type)).toEqual(['batch']);
    expect(frames[0]!.changes).toHaveLength(1);
    expect(resumed.gaps).toBe(0);
    expect(sortedUnits(resumed)).toEqual(sortedUnits(fresh));
  });

  it('sends a fresh snapshot to a client too far behind or from another database', async () => {
    const c = await TestLiveClient.connect(a.wsUrl, s.worker, {
      ...(await connect(a, s.worker)).keep(),
      seq: 10_000_000,
    });
    clients.push(c);
    await c.waitFor((x) => x.frames.length > 0);
    expect(JSON.parse(c.frames[0]!).type).toBe('snapshot');
  });

  it('delivers a change whose bus message was lost, from the events table', async () => {
    const watcher = await connect(b, s.worker);
    // A writer whose messages reach nobody: as if Redis dropped them.
    const lossy = new UnitService({
      database: backend.database,
      changes: new ChangeRunner(backend.database, createMemoryBus()),
      holdMinutes: 60,
      holdCaps: backend.config.holdCaps,
    });
    const unit = ownUnits.find((u) => u.status === 'free')!;
    const current = watcher.state.units.get(unit.id)!;
    const changed = await lossy.patch({ ...worker }, unit.id, {
      version: current.version,
      status: 'reserved',
    });
    await watcher.waitFor((c) => c.state.units.get(unit.id)?.version === changed.version);
    expect(watcher.state.units.get(unit.id)!.status).toBe('reserved');
    expect(watcher.gaps).toBe(0);
  });

  it('fans a change on one instance out to clients of the other', async () => {
    const onB = await connect(b, s.coordinator);
    const unit = ownUnits.find((u) => u.status === 'occupied')!;
    const current = onB.state.units.get(unit.id)!;
    const res = await patchUnit(a.app, s.worker, current, { status: 'free' });
    expect(res.statusCode).toBe(200);
    await onB.waitFor((c) => c.state.units.get(unit.id)?.status === 'free');
  });
});

describe('hold expiry', () => {
  it('releases a hold that ran out by itself and pushes the release to every client', async () => {
    const watcher = await connect(b, s.coordinator);
    const unit = [...watcher.state.units.values()].find(
      (u) => u.status === 'free' && u.organisationId !== worker.organisationId,
    )!;
    const held = await a.app.inject({
      method: 'POST',
      url: `/api/units/${unit.id}/hold`,
      headers: { cookie: s.worker },
    });
    expect(held.statusCode).toBe(200);
    await watcher.waitFor((c) => c.state.units.get(unit.id)?.status === 'held');
    // Let the hold run out, as if its 60 minutes had passed.
    await backend.database.db
      .update(units)
      .set({ heldUntil: new Date(Date.now() - 1000) })
      .where(eq(units.id, unit.id));
    await watcher.waitFor((c) => c.state.units.get(unit.id)?.status === 'free');
    const audit = await backend.database.db.select().from(events).where(eq(events.unitId, unit.id));
    expect(audit.filter((e) => e.type === 'unit.hold_expired')).toHaveLength(1);
  });
});

describe('concurrency', () => {
  it('lets exactly one of 50 parallel holds on the last free noodbed of a region win', async () => {
    // Make one noodbed the region's last free one by occupying the others (as their owner).
    const regionId = worker.regionId!;
    const noodbedden = (
      await getUnits(a.app, s.admin, `?regionId=${regionId}&kind=noodbed`)
    ).filter((u) => u.status === 'free');
    const [last, ...others] =
      noodbedden.length > 0
        ? noodbedden
        : [(await getUnits(a.app, s.admin, `?regionId=${regionId}&kind=noodbed`))[0]!];
    if (last!.status !== 'free') await patchUnit(a.app, s.admin, last!, { status: 'free' });
    for (const u of others)
      await patchUnit(a.app, s.admin, u, {
        status: 'occupied',
        household: { adults: 1, children: 0 },
      });

    const watchers = await Promise.all([
      connect(a, s.worker),
      connect(b, s.coordinator),
      connect(b, s.planner),
    ]);
    const emails = [
      'vo_worker',
      'vo_planner',
      ...['moviera', 'kadera', 'wender', 'fier', 'blijf-groep', 'safe-group', 'kwintes'].map(
        (o) => `vo_worker.${o}`,
      ),
    ];
    const cookies = await Promise.all(emails.map((e) => login(a.app, demoEmail(e))));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${(i % 2 ? b : a).baseUrl}/api/units/${last!.id}/hold`, {
          method: 'POST',
          headers: { cookie: cookies[i % cookies.length]! },
        }).then((r) => r.status),
      ),
    );
    expect(results.filter((st) => st === 200)).toHaveLength(1);
    expect(results.filter((st) => st === 409)).toHaveLength(49);

    const final = (await getUnits(a.app, s.admin)).find((u) => u.id === last!.id)!;
    expect(final.status).toBe('held');
    for (const w of watchers)
      await w.waitFor((c) => c.state.units.get(last!.id)?.version === final.version);
    const reference = JSON.stringify(sortedUnits(watchers[1]!));
    for (const w of watchers) {
      expect(JSON.stringify(sortedUnits(w).map((u) => ({ ...u, household: null })))).toBe(
        reference,
      );
    }
  });
});

describe('composed transitions', () => {
  it('changes three units of three organisations in one transaction, seen as one frame', async () => {
    const watcher = await connect(b, s.coordinator);
    const free = [...watcher.state.units.values()].filter((u) => u.status === 'free');
    const trio = [...new Map(free.map((u) => [u.organisationId, u])).values()].slice(0, 3);
    const from = watcher.frames.length;
    const reserve = () => ({
      expect: { status: 'free' as const },
      changes: { status: 'reserved' as const },
    });
    await a.app.changes.run((ctx) =>
      transitionUnits(
        ctx,
        null,
        trio.map((u) => ({ id: u.id, type: 'unit.updated' as const, plan: reserve })),
      ),
    );
    await watcher.waitFor((c) => trio.every((u) => c.state.units.get(u.id)?.status === 'reserved'));
    const frames = watcher.messages(from);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.changes!.map((c) => c.slice)).toEqual(['units', 'units', 'units']);
  });

  it('never deadlocks when multi-unit changes take the same units in any order', async () => {
    const units = (await getUnits(a.app, s.admin)).filter((u) => u.status === 'free').slice(0, 4);
    const toggle = (u: Unit) => ({
      expect: { status: u.status },
      changes: { status: u.status === 'free' ? ('reserved' as const) : ('free' as const) },
    });
    const orders = Array.from({ length: 12 }, (_, i) =>
      i % 2 ? [...units].reverse() : [units[2]!, units[0]!, units[3]!, units[1]!],
    );
    const results = await Promise.allSettled(
      orders.map((order, i) =>
        (i % 2 ? a : b).app.changes.run((ctx) =>
          transitionUnits(
            ctx,
            null,
            order.map((u) => ({ id: u.id, type: 'unit.updated' as const, plan: toggle })),
          ),
        ),
      ),
    );
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(errors.filter((e) => /deadlock/i.test(e))).toEqual([]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(12);
  });
});

describe('slow clients', () => {
  it('drops a client whose socket keeps buffering, so memory stays bounded', async () => {
    const closed: number[] = [];
    const socket = {
      readyState: 1,
      bufferedAmount: 0,
      send: () => {},
      close: (code?: number) => void closed.push(code ?? 0),
    };
    await a.app.live.attach(socket, worker);
    const before = a.app.live.clientCount;
    // It got its snapshot, then stopped reading.
    socket.bufferedAmount = 50_000_000;
    const unit = ownUnits.find((u) => u.status === 'occupied')!;
    await churn(
      a.app,
      s.worker,
      (await getUnits(a.app, s.worker)).find((u) => u.id === unit.id)!,
      1,
    );
    await expect.poll(() => closed).toEqual([LIVE_CLOSE_TOO_SLOW]);
    expect(a.app.live.clientCount).toBe(before - 1);
  });
});
