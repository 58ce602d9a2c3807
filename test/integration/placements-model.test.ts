import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fits, type PlacementRequest, type Unit } from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, sessionUser } from '../support/fixtures';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';

/**
 * Property: whatever the interleaving of offers, withdrawals, accepts, arrivals, cancels,
 * closes and expiries from several VOs on two instances, no unit is ever held, reserved or
 * occupied for two parties, and every unit's state matches the one request that has it.
 */
let backend: TestBackend;
let a: Instance;
let b: Instance;
let cookies: { requester: string; receivers: string[] };
let receiverOrgs: number[];
let origin: number;

const household = { adults: [{ gender: 'v' as const }], children: [3] };
const needs = { wheelchair: false, pets: false, largeFamily: false, languages: [] };

async function me(cookie: string) {
  return await sessionUser(a.app, cookie);
}

beforeAll(async () => {
  backend = await createBackend({ holdCaps: { perUser: 1000, perOrganisation: 1000 } });
  a = await startInstance(backend);
  b = await startInstance(backend, { database: await backend.openDatabase() });
  const s = await demoSessions(a.app);
  const receivers = await Promise.all(
    ['moviera', 'kadera', 'fier'].map((o) => login(a.app, demoEmail(`vo_worker.${o}`))),
  );
  cookies = { requester: s.worker, receivers };
  receiverOrgs = await Promise.all(receivers.map(async (c) => (await me(c)).organisationId!));
  origin = (await me(s.worker)).regionId!;
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await backend?.close();
});

type Action =
  | { kind: 'post' }
  | { kind: 'offer'; request: number; receiver: number; unit: number }
  | { kind: 'withdraw'; request: number; offer: number }
  | { kind: 'accept'; request: number; offer: number }
  | { kind: 'arrive'; request: number; receiver: number }
  | { kind: 'cancel'; request: number }
  | { kind: 'close'; request: number }
  | { kind: 'expire' };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'post' as const }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('offer' as const),
      request: fc.nat(2),
      receiver: fc.nat(2),
      unit: fc.nat(3),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('withdraw' as const),
      request: fc.nat(2),
      offer: fc.nat(3),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('accept' as const),
      request: fc.nat(2),
      offer: fc.nat(3),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('arrive' as const),
      request: fc.nat(2),
      receiver: fc.nat(2),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), request: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), request: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
);

async function run(actions: Action[][], pool: Map<number, Unit[]>) {
  const requests: PlacementRequest[] = [];
  const call = async (
    method: 'POST' | 'DELETE',
    url: string,
    cookie: string,
    payload?: object,
    i = 0,
  ) => {
    const res = await (i % 2 ? b : a).app.inject({ method, url, headers: { cookie }, payload });
    // Refusals (409, 403, 404) are expected; a 5xx never is.
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(500);
    return res.statusCode === 200 ? res.json<PlacementRequest>() : null;
  };
  const pick = <T>(list: T[], i: number) => (list.length ? list[i % list.length] : undefined);
  const refresh = (r: PlacementRequest | null) => {
    if (!r) return;
    const k = requests.findIndex((x) => x.id === r.id);
    if (k >= 0 && requests[k]!.version <= r.version) requests[k] = r;
  };
  for (const round of actions) {
    // Each round runs its actions concurrently, over both instances.
    await Promise.all(
      round.map(async (act, i) => {
        const req = 'request' in act ? pick(requests, act.request) : undefined;
        switch (act.kind) {
          case 'post': {
            const r = await call('POST', '/api/placements', cookies.requester, {
              kind: 'vervolg',
              urgency: 'acuut',
              household,
              needs,
              originRegionId: origin,
              unsafeRegionIds: [origin],
              preferredRegionIds: [],
            });
            if (r) requests.push(r);
            return;
          }
          case 'offer': {
            const unit = pick(pool.get(receiverOrgs[act.receiver]!)!, act.unit);
            if (req && unit)
              refresh(
                await call(
                  'POST',
                  `/api/placements/${req.id}/offers`,
                  cookies.receivers[act.receiver]!,
                  { unitId: unit.id },
                  i,
                ),
              );
            return;
          }
          case 'withdraw': {
            const offer = req && pick(req.offers, act.offer);
            const receiver = offer ? receiverOrgs.indexOf(offer.organisationId) : -1;
            if (offer && receiver >= 0)
              refresh(
                await call(
                  'DELETE',
                  `/api/placements/${req.id}/offers/${offer.id}`,
                  cookies.receivers[receiver]!,
                  undefined,
                  i,
                ),
              );
            return;
          }
          case 'accept': {
            // The requester sees every offer (a receiver's answer shows only its own).
            const mine =
              req &&
              (
                await a.app.inject({
                  url: `/api/placements/${req.id}`,
                  headers: { cookie: cookies.requester },
                })
              ).json<PlacementRequest>();
            const offer =
              mine &&
              pick(
                mine.offers.filter((o) => o.status === 'offered'),
                act.offer,
              );
            if (offer)
              refresh(
                await call(
                  'POST',
                  `/api/placements/${req.id}/offers/${offer.id}/accept`,
                  cookies.requester,
                  undefined,
                  i,
                ),
              );
            return;
          }
          case 'arrive':
            if (req)
              refresh(
                await call(
                  'POST',
                  `/api/placements/${req.id}/arrival`,
                  cookies.receivers[act.receiver]!,
                  undefined,
                  i,
                ),
              );
            return;
          case 'cancel':
            if (req)
              refresh(
                await call(
                  'POST',
                  `/api/placements/${req.id}/cancel`,
                  cookies.requester,
                  undefined,
                  i,
                ),
              );
            return;
          case 'close':
            if (req)
              refresh(
                await call(
                  'POST',
                  `/api/placements/${req.id}/close`,
                  cookies.requester,
                  { outcome: 'niet_plaatsing' },
                  i,
                ),
              );
            return;
          case 'expire':
            await (i % 2 ? b : a).app.services.placements.expireDue(
              new Date(Date.now() + 9 * 3_600_000),
            );
            return;
        }
      }),
    );
  }
}

/** The invariants, read straight from the database. */
async function checkInvariants(unitIds: number[]) {
  const db = backend.database.db;
  const ids = sql.raw(unitIds.join(','));
  const rows = (
    (await db.execute(sql`
      select u.id, u.status, u.held_for_request_id as held_for, u.placement_request_id as placed_for,
        (select count(*)::int from placement_offers o where o.unit_id = u.id and o.status = 'offered') as active_offers,
        (select count(*)::int from placement_offers o join placement_requests r on r.accepted_offer_id = o.id
           where o.unit_id = u.id and r.status in ('placed', 'arrived') and o.status = 'accepted'
             and (u.placement_request_id is null or r.id = u.placement_request_id)) as holders,
        (select r.status from placement_requests r where r.id = coalesce(u.held_for_request_id, u.placement_request_id)) as request_status
      from units u where u.id in (${ids})`)) as unknown as { rows: unknown[] }
  ).rows as Array<{
    id: number;
    status: Unit['status'];
    held_for: number | null;
    placed_for: number | null;
    active_offers: number;
    holders: number;
    request_status: string | null;
  }>;
  for (const u of rows) {
    expect(u.active_offers, `unit ${u.id}`).toBeLessThanOrEqual(1);
    if (u.held_for !== null) {
      expect(u.status).toBe('held');
      expect(u.active_offers).toBe(1);
      expect(u.request_status).toBe('open');
    } else {
      expect(u.active_offers, `unit ${u.id} offered but not held`).toBe(0);
    }
    if (u.status === 'reserved' && u.placed_for !== null) expect(u.request_status).toBe('placed');
    if (u.status === 'free') expect([u.held_for, u.placed_for]).toEqual([null, null]);
    expect(u.holders, `unit ${u.id} placed for two requests`).toBeLessThanOrEqual(1);
  }
}

describe('placement workflow, random interleavings', () => {
  it('never holds, reserves or occupies a unit for two parties', async () => {
    const all = await getUnits(a.app, cookies.requester);
    const pool = new Map<number, Unit[]>();
    for (const org of receiverOrgs) {
      pool.set(
        org,
        all
          .filter(
            (u) =>
              u.organisationId === org &&
              u.status === 'free' &&
              fits({ kind: 'vervolg', household, needs }, u),
          )
          .slice(0, 4),
      );
    }
    const unitIds = [...pool.values()].flat().map((u) => u.id);
    expect(unitIds.length).toBeGreaterThan(3);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(action, { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 8 }),
        async (rounds) => {
          runs += 1;
          await run([[{ kind: 'post' }, { kind: 'post' }], ...rounds], pool);
          await checkInvariants(unitIds);
        },
      ),
      { numRuns: backend.kind === 'real' ? 12 : 20 },
    );
    console.info(`${runs} random interleavings checked on ${backend.kind}`);
  });
});
