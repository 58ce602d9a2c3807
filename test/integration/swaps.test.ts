import { count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events, placementOffers, placementRequests, swapParties, units } from '@opvangatlas/db';
import type {
  PlacementRequest,
  PlacementRequestInput,
  SwapProposal,
  Unit,
  UnitKind,
} from '@opvangatlas/shared';
import { insertProposal } from '../../server/src/modules/swaps/swap-repository';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit } from '../support/fixtures';
import { login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';
import { addPlanner, pickUnits, swapRequest } from '../support/swap-fixtures';

/**
 * Ruil through the API on two instances: requests marked "ruil mogelijk" are matched on
 * their own (debounced, once), proposed live to the VOs in the cycle and coordinators, and
 * executed all or nothing: everyone accepts, one declines, a unit changes meanwhile, two
 * proposals race for one unit.
 */
let backend: TestBackend;
let a: Instance;
let b: Instance;
let s: Awaited<ReturnType<typeof demoSessions>>;
let allUnits: Unit[];
const used = new Set<number>();
const clients: TestLiveClient[] = [];
const planners = new Map<number, string>();

beforeAll(async () => {
  backend = await createBackend({ swapDebounceMs: 30 });
  a = await startInstance(backend, { live: { catchUpMs: 200 } });
  b = await startInstance(backend, {
    database: await backend.openDatabase(),
    live: { catchUpMs: 200 },
  });
  s = await demoSessions(a.app);
  allUnits = await getUnits(a.app, s.admin);
});
let bClosed = false;
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await a?.close();
  if (!bClosed) await b?.close();
  await backend?.close();
});

async function api<T>(
  method: 'GET' | 'POST',
  url: string,
  cookie: string,
  payload?: object,
  instance = a,
) {
  const res = await instance.app.inject({ method, url, headers: { cookie }, payload });
  return { status: res.statusCode, body: res.json<T & { code?: string; fields?: unknown[] }>() };
}

async function plannerOf(organisationId: number): Promise<string> {
  let cookie = planners.get(organisationId);
  if (!cookie) {
    cookie = await login(a.app, await addPlanner(backend.database, organisationId));
    planners.set(organisationId, cookie);
  }
  return cookie;
}

async function post(gives: Unit, kind: UnitKind, over: Partial<PlacementRequestInput> = {}) {
  const res = await api<PlacementRequest>(
    'POST',
    '/api/placements',
    await plannerOf(gives.organisationId),
    swapRequest(gives, kind, over),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const until = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The proposal (as the coordinator sees it) with exactly these requests, once it is there. */
const proposalWith = (requestIds: number[], status: SwapProposal['status'] = 'open') =>
  eventually(
    async () => {
      const all = (await api<SwapProposal[]>('GET', '/api/swaps', s.coordinator)).body;
      return all.find(
        (p) =>
          p.status === status &&
          p.parties.length === requestIds.length &&
          requestIds.every((id) => p.parties.some((x) => x.requestId === id)),
      );
    },
    `a proposal of ${requestIds.join(', ')}`,
  );

const decide = async (
  p: SwapProposal,
  organisationId: number,
  what: 'accept' | 'decline',
  instance = a,
) => {
  const current = (await api<SwapProposal>('GET', `/api/swaps/${p.id}`, s.coordinator)).body;
  return api<SwapProposal>(
    'POST',
    `/api/swaps/${p.id}/${what}`,
    await plannerOf(organisationId),
    { version: current.version },
    instance,
  );
};

const unitRow = async (id: number) =>
  (await backend.database.db.select().from(units).where(eq(units.id, id)))[0]!;
const requestRow = async (id: number) =>
  (
    await backend.database.db.select().from(placementRequests).where(eq(placementRequests.id, id))
  )[0]!;

async function cancel(...requests: PlacementRequest[]) {
  for (const r of requests) {
    const row = await requestRow(r.id);
    if (row.status === 'open')
      await api('POST', `/api/placements/${r.id}/cancel`, await plannerOf(r.organisationId));
  }
}

describe('marking a request "ruil mogelijk"', () => {
  it('refuses a unit of another VO with a field error, and writes nothing', async () => {
    const [mine, theirs] = pickUnits(allUnits, ['crisis', 'crisis'], used);
    const before = (await backend.database.db.select({ n: count() }).from(placementRequests))[0]!;
    const res = await api<PlacementRequest>(
      'POST',
      '/api/placements',
      await plannerOf(mine!.organisationId),
      swapRequest(mine!, 'crisis', { swapUnitId: theirs!.id }),
    );
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([
      expect.objectContaining({ path: 'swapUnitId', code: 'swap_unit_not_own' }),
    ]);
    const after = (await backend.database.db.select({ n: count() }).from(placementRequests))[0]!;
    expect(after.n).toBe(before.n);
  });

  it('shows the unit to the requester only, and refuses a unit another request already gives', async () => {
    const [unit, other] = pickUnits(allUnits, ['vervolg', 'crisis'], used);
    // Nobody can swap with it: unsafe everywhere but its own region is not allowed, so the
    // other VOs' regions are simply all unsafe for this household.
    const request = await post(unit!, 'vervolg');
    expect(request.swapUnitId).toBe(unit!.id);
    const seenByOther = await api<PlacementRequest>(
      'GET',
      `/api/placements/${request.id}`,
      await plannerOf(other!.organisationId),
    );
    if (seenByOther.status === 200) expect(seenByOther.body.swapUnitId).toBeNull();
    const twice = await api(
      'POST',
      '/api/placements',
      await plannerOf(unit!.organisationId),
      swapRequest(unit!, 'vervolg'),
    );
    expect(twice.status).toBe(400);
    expect(twice.body.fields).toEqual([expect.objectContaining({ code: 'swap_unit_taken' })]);
    await cancel(request);
  });
});

describe('a swap of two VOs', () => {
  it('is proposed on its own, live to both VOs and coordinators, each seeing her part', async () => {
    const [uA, uB, uOther] = pickUnits(allUnits, ['crisis', 'crisis', 'crisis'], used);
    const otherVo = await TestLiveClient.connect(b.wsUrl, await plannerOf(uOther!.organisationId));
    const voA = await TestLiveClient.connect(b.wsUrl, await plannerOf(uA!.organisationId));
    const coordinator = await TestLiveClient.connect(a.wsUrl, s.coordinator);
    const municipality = await TestLiveClient.connect(a.wsUrl, s.municipality);
    clients.push(otherVo, voA, coordinator, municipality);
    for (const c of clients) await c.waitFor((x) => x.state.ready);
    const ra = await post(uA!, 'crisis');
    const rb = await post(uB!, 'crisis');
    const p = await proposalWith([ra.id, rb.id]);
    await voA.waitFor((c) => c.state.slice('swaps').has(p.id));
    await coordinator.waitFor((c) => c.state.slice('swaps').has(p.id));

    const mine = voA.state.slice('swaps').get(p.id)!;
    const own = mine.parties.find((x) => x.organisationId === uA!.organisationId)!;
    const theirs = mine.parties.find((x) => x.organisationId === uB!.organisationId)!;
    expect(own.receives).toMatchObject({ unitId: uB!.id, regionId: uB!.regionId, label: null });
    expect(own.gives).toMatchObject({ unitId: uA!.id, label: uA!.label });
    expect(own.incoming?.household).toEqual(rb.household);
    expect(theirs).toMatchObject({ reference: null, gives: null, receives: null, incoming: null });
    expect(JSON.stringify(mine)).not.toMatch(/street|address|adres/i);
    // A third VO, another VO's planner by URL and a municipality see nothing of it.
    expect(otherVo.state.slice('swaps').has(p.id)).toBe(false);
    for (const c of [otherVo, municipality]) {
      expect(c.state.slice('swaps').size).toBe(0);
      expect(c.frames.join('\n')).not.toContain('"slice":"swaps"');
    }
    const byUrl = await api('GET', `/api/swaps/${p.id}`, await plannerOf(uOther!.organisationId));
    expect(byUrl.status).toBe(404);
    expect((await api('GET', '/api/swaps', s.municipality)).status).toBe(403);
    // A worker of the VO sees it, but only a planner decides.
    const worker = await api('POST', `/api/swaps/${p.id}/accept`, s.worker, { version: p.version });
    expect([403, 404]).toContain(worker.status);

    // Everyone accepts: every move in one transaction.
    expect((await decide(p, uA!.organisationId, 'accept')).body.status).toBe('open');
    const done = await decide(p, uB!.organisationId, 'accept', b);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('executed');
    for (const [request, target] of [
      [ra, uB!],
      [rb, uA!],
    ] as const) {
      const row = await requestRow(request.id);
      expect(row.status).toBe('placed');
      expect(row.destinationRegionId).toBe(target.regionId);
      const unit = await unitRow(target.id);
      expect(unit).toMatchObject({
        status: 'reserved',
        placementRequestId: request.id,
        originRegionId: request.originRegionId,
      });
      const [offer] = await backend.database.db
        .select()
        .from(placementOffers)
        .where(eq(placementOffers.id, row.acceptedOfferId!));
      expect(offer).toMatchObject({
        status: 'accepted',
        unitId: target.id,
        organisationId: target.organisationId,
      });
    }
    // One transaction: the execution, both reservations and both placements share one commit.
    const trail = await backend.database.db
      .select()
      .from(events)
      .where(inArray(events.type, ['swap.executed', 'unit.reserved', 'placement.accepted']));
    const ours = trail.filter(
      (e) =>
        e.type === 'swap.executed' ||
        [uA!.id, uB!.id].includes(e.unitId ?? -1) ||
        [ra.id, rb.id].includes((e.data as { request?: { id: number } }).request?.id ?? -1),
    );
    expect(ours.map((e) => e.type).sort()).toEqual([
      'placement.accepted',
      'placement.accepted',
      'swap.executed',
      'unit.reserved',
      'unit.reserved',
    ]);
    expect(new Set(ours.map((e) => e.at.toISOString())).size).toBe(1);
    await voA.waitFor((c) => c.state.slice('swaps').get(p.id)?.status === 'executed');
    // The receiving VO confirms the arrival as for any placement.
    const arrival = await api<PlacementRequest>(
      'POST',
      `/api/placements/${rb.id}/arrival`,
      await plannerOf(uA!.organisationId),
    );
    expect(arrival.status).toBe(200);
    expect(arrival.body.outcome).toBe('placed');
  });

  it('falls when one declines; nothing moves, and the rest is matched again at once', async () => {
    const [uA, uB, uC] = pickUnits(allUnits, ['crisis', 'crisis', 'crisis'], used);
    // B and C cannot swap with each other (each unsafe in the other's region): A pairs with
    // one of them, never all three.
    const ra = await post(uA!, 'crisis');
    const rb = await post(uB!, 'crisis', { unsafeRegionIds: [uB!.regionId, uC!.regionId] });
    const rc = await post(uC!, 'crisis', { unsafeRegionIds: [uC!.regionId, uB!.regionId] });
    const first = await eventually(async () => {
      const all = (await api<SwapProposal[]>('GET', '/api/swaps', s.coordinator)).body;
      return all.find((p) => p.status === 'open' && p.parties.some((x) => x.requestId === ra.id));
    }, 'a proposal with A');
    const partner = first.parties.find((x) => x.requestId !== ra.id)!;
    const other = partner.requestId === rb.id ? rc : rb;
    const declined = await decide(first, partner.organisationId, 'decline');
    expect(declined.body).toMatchObject({ status: 'fallen', reason: 'declined' });
    for (const r of [ra, rb, rc]) expect((await requestRow(r.id)).status).toBe('open');
    for (const u of [uA!, uB!, uC!]) expect((await unitRow(u.id)).version).toBe(u.version);
    // A is proposed with the other one; the declined pair is not proposed again.
    await proposalWith([ra.id, other.id]);
    const open = (await api<SwapProposal[]>('GET', '/api/swaps', s.coordinator)).body.filter(
      (p) => p.status === 'open' && p.parties.some((x) => x.requestId === partner.requestId),
    );
    expect(open).toEqual([]);
    await cancel(ra, rb, rc);
    await proposalWith([ra.id, other.id], 'fallen');
  });

  it('falls when a unit changed meanwhile: nothing executed, parties told why', async () => {
    const [uA, uB] = pickUnits(allUnits, ['noodbed', 'noodbed'], used);
    const ra = await post(uA!, 'noodbed');
    const rb = await post(uB!, 'noodbed');
    const p = await proposalWith([ra.id, rb.id]);
    expect((await decide(p, uA!.organisationId, 'accept')).status).toBe(200);
    // B's own staff takes its unit out of service while the proposal waits.
    const current = await unitRow(uB!.id);
    const changed = await patchUnit(a.app, s.admin, current, { status: 'out_of_service' });
    expect(changed.statusCode).toBe(200);
    const last = await decide(p, uB!.organisationId, 'accept');
    // Either the last acceptance tried and failed, or the recompute saw the change first.
    if (last.status === 200) expect(last.body).toMatchObject({ status: 'fallen' });
    else expect(last.body.code).toBe('swap_not_open');
    const fallen = await proposalWith([ra.id, rb.id], 'fallen');
    expect(fallen.reason).toBe('unit_changed');
    expect(fallen.parties.find((x) => x.requestId === ra.id)?.decision).toBe('accepted');
    expect((await requestRow(ra.id)).status).toBe('open');
    expect((await requestRow(rb.id)).status).toBe('open');
    expect(await unitRow(uA!.id)).toMatchObject({ version: uA!.version, status: uA!.status });
    expect((await unitRow(uA!.id)).placementRequestId).toBeNull();
    await cancel(ra, rb);
  });

  it('falls at its deadline', async () => {
    const [uA, uB] = pickUnits(allUnits, ['vervolg', 'vervolg'], used);
    const ra = await post(uA!, 'vervolg', { urgency: 'regulier' });
    const rb = await post(uB!, 'vervolg', { urgency: 'regulier' });
    const p = await proposalWith([ra.id, rb.id]);
    const minutes = (Date.parse(p.deadline) - Date.parse(p.createdAt)) / 60_000;
    expect(minutes).toBe(backend.config.swapDeadlines.regular);
    expect(await a.app.services.swaps.expireDue(new Date(Date.now() - 60_000))).toBe(0);
    expect(
      await a.app.services.swaps.expireDue(new Date(Date.parse(p.deadline) + 1)),
    ).toBeGreaterThanOrEqual(1);
    const fallen = await proposalWith([ra.id, rb.id], 'fallen');
    expect(fallen.reason).toBe('expired');
    // The expired pair is not proposed again.
    await a.app.services.swaps.recompute();
    const again = (await api<SwapProposal[]>('GET', '/api/swaps', s.coordinator)).body.filter(
      (x) => x.status === 'open' && x.parties.some((y) => y.requestId === ra.id),
    );
    expect(again).toEqual([]);
    await cancel(ra, rb);
  });
});

describe('a three-way swap A -> B -> C -> A', () => {
  it('is found when no pair fits, and executes once all three accept', async () => {
    // Each household fits only the next VO's unit, by kind of place.
    const [uA, uB, uC] = pickUnits(allUnits, ['noodbed', 'crisis', 'vervolg'], used);
    const ra = await post(uA!, 'crisis', { urgency: 'code_rood' });
    const rb = await post(uB!, 'vervolg');
    const rc = await post(uC!, 'noodbed');
    const p = await proposalWith([ra.id, rb.id, rc.id]);
    expect((Date.parse(p.deadline) - Date.parse(p.createdAt)) / 60_000).toBe(
      backend.config.swapDeadlines.urgent,
    );
    expect((await decide(p, uA!.organisationId, 'accept')).body.status).toBe('open');
    expect((await decide(p, uB!.organisationId, 'accept', b)).body.status).toBe('open');
    expect((await decide(p, uC!.organisationId, 'accept')).body.status).toBe('executed');
    expect((await unitRow(uB!.id)).placementRequestId).toBe(ra.id);
    expect((await unitRow(uC!.id)).placementRequestId).toBe(rb.id);
    expect((await unitRow(uA!.id)).placementRequestId).toBe(rc.id);
  });
});

describe('races', () => {
  it('two instances recomputing at once never put a request in two open proposals', async () => {
    const picked = pickUnits(allUnits, ['crisis', 'crisis', 'crisis', 'crisis'], used);
    const requests = [];
    for (const u of picked) requests.push(await post(u, 'crisis'));
    await Promise.all([a.app.services.swaps.recompute(), b.app.services.swaps.recompute()]);
    const rows = await backend.database.db
      .select()
      .from(swapParties)
      .where(
        inArray(
          swapParties.requestId,
          requests.map((r) => r.id),
        ),
      );
    const open = (await api<SwapProposal[]>('GET', '/api/swaps', s.coordinator)).body.filter(
      (p) => p.status === 'open',
    );
    // Proposed as the posts came in (debounced) or by the two recomputes: either way each
    // request is in one open proposal at most, and some are matched.
    const openRows = rows.filter((r) => open.some((p) => p.id === r.proposalId));
    expect(openRows.length).toBeGreaterThanOrEqual(2);
    expect(new Set(openRows.map((r) => r.requestId)).size).toBe(openRows.length);
    await cancel(...requests);
  });

  it('of two proposals racing for one unit, at most one executes', async () => {
    const [uA, uB, uC] = pickUnits(allUnits, ['crisis', 'crisis', 'crisis'], used);
    const ra = await post(uA!, 'crisis');
    const rb = await post(uB!, 'crisis', { unsafeRegionIds: [uB!.regionId, uC!.regionId] });
    const rc = await post(uC!, 'crisis', { unsafeRegionIds: [uC!.regionId, uB!.regionId] });
    const auto = await eventually(async () => {
      const all = (await api<SwapProposal[]>('GET', '/api/swaps', s.coordinator)).body;
      return all.find((p) => p.status === 'open' && p.parties.some((x) => x.requestId === ra.id));
    }, 'a proposal with A');
    // The solver never proposes one unit twice; a second proposal for A's unit can only be
    // made outside it, which this test does to prove that execution alone is safe.
    const partner = auto.parties.find((x) => x.requestId !== ra.id)!;
    const [other, otherUnit] = partner.requestId === rb.id ? [rc, uC!] : [rb, uB!];
    const manual = await backend.database.db.transaction((tx) =>
      insertProposal(
        tx,
        {
          deadline: new Date(Date.now() + 3_600_000),
          parties: [
            {
              requestId: ra.id,
              organisationId: ra.organisationId,
              givesUnitId: uA!.id,
              givesUnitVersion: uA!.version,
              receivesUnitId: otherUnit.id,
            },
            {
              requestId: other.id,
              organisationId: other.organisationId,
              givesUnitId: otherUnit.id,
              givesUnitVersion: otherUnit.version,
              receivesUnitId: uA!.id,
            },
          ],
        },
        new Date(),
      ),
    );
    const view = async (id: number) =>
      (await api<SwapProposal>('GET', `/api/swaps/${id}`, s.coordinator)).body;
    expect((await decide(await view(auto.id), uA!.organisationId, 'accept')).status).toBe(200);
    expect((await decide(await view(manual), uA!.organisationId, 'accept')).status).toBe(200);
    const [v1, v2] = [await view(auto.id), await view(manual)];
    const results = await Promise.all([
      decide(v1, partner.organisationId, 'accept', a),
      decide(v2, other.organisationId, 'accept', b),
    ]);
    const statuses = results.map((r) => r.body.status ?? r.body.code);
    expect(statuses.filter((x) => x === 'executed')).toHaveLength(1);
    const unitA = await unitRow(uA!.id);
    expect(unitA.status).toBe('reserved');
    const winner = statuses[0] === 'executed' ? partner.requestId : other.id;
    const loser = statuses[0] === 'executed' ? other.id : partner.requestId;
    expect(unitA.placementRequestId).toBe(winner);
    expect((await requestRow(ra.id)).status).toBe('placed');
    expect((await requestRow(loser)).status).toBe('open');
    const lost = await view(statuses[0] === 'executed' ? manual : auto.id);
    expect(lost.status).toBe('fallen');
    await cancel(rb, rc);
  });
});

describe('every instance', () => {
  // Last: it stops b.
  it('matches a change committed on an instance that stops at once', async () => {
    const [uA, uB] = pickUnits(allUnits, ['crisis', 'crisis'], used);
    const posted = [];
    for (const u of [uA!, uB!]) {
      const res = await api<PlacementRequest>(
        'POST',
        '/api/placements',
        await plannerOf(u.organisationId),
        swapRequest(u, 'crisis'),
        b,
      );
      expect(res.status).toBe(200);
      posted.push(res.body);
    }
    // b's own recompute, still in its debounce, dies with it: a saw the changes on its
    // live stream and matches them.
    bClosed = true;
    await b.close();
    await proposalWith(posted.map((r) => r.id));
    await cancel(...posted);
  });
});
