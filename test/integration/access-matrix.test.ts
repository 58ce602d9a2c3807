import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_CLOSE_UNAUTHORIZED, type SessionUser, type Unit } from '@opvangatlas/shared';
import type { App } from '../../server/src/app';
import { createBackend, type TestBackend } from '../support/backend';
import { getUnits, sessionUser } from '../support/fixtures';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Access (issue 12): every route of the app's route table x every role (and anonymous) x
 * the subject's organisation or region being the caller's own or another's, asserting
 * allowed or denied. A route without an entry in `matrix` fails the test, so a new route
 * cannot ship without saying who may use it.
 *
 * Allowed means the request succeeds (2xx; `entry.call` prepares the subject so that it can
 * and puts back what it changed), or, for an entry marked `authorisedOnly`, that the caller
 * gets past the access check (no 401/403). Denied means 401 for anonymous callers and 403 for
 * everyone else, and nothing changes.
 */

const roles = [
  'anonymous',
  'vo_worker',
  'vo_planner',
  'coordinator',
  'municipality',
  'admin',
] as const;
type Role = (typeof roles)[number];
/** Whose subject: the caller's organisation or region, another's, or a route without one. */
type Scope = 'own' | 'other' | 'none';

interface Caller {
  role: Role;
  cookie: string;
  user: SessionUser | null;
}

interface Entry {
  /** `organisation`: the subject belongs to an organisation (unit, location); `region`: to a region. */
  subject: 'organisation' | 'region' | 'none';
  allowed(role: Role, scope: Scope): boolean;
  /** Sends the request as `caller` for a subject of `scope`; restores what it changed. */
  call(caller: Caller, scope: Scope): Promise<number>;
  /** Allowed only means "past the access check": there is no fixture to make it succeed. */
  authorisedOnly?: boolean;
  /**
   * What a denied, logged-in caller gets when it is not 403: 404 where the subject's very
   * existence is not the caller's business (a placement request not sent to it).
   */
  deniedStatus?: (role: Role, scope: Scope) => number;
}

const vo = (r: Role) => r === 'vo_worker' || r === 'vo_planner';
const loggedIn = (r: Role) => r !== 'anonymous';
const unitLevel = (r: Role) => vo(r) || r === 'coordinator' || r === 'admin';

let backend: TestBackend;
let instance: Instance;
let app: App;
const callers = new Map<Role, Caller>();
/** Units of the callers' organisation (Arosa) and of another (Moviera), and their locations. */
let arosa: Unit[];
let moviera: Unit[];
let movieraWorker: string;
let admin: string;
let rotterdam: number;
let utrecht: number;

interface Request {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  payload?: object;
}

const inject = (caller: Caller, opts: Request) =>
  app.inject({
    ...opts,
    headers: { ...opts.headers, ...(caller.cookie ? { cookie: caller.cookie } : {}) },
  });

async function current(id: number): Promise<Unit> {
  return (await getUnits(app, admin)).find((u) => u.id === id)!;
}

/** A request for a mother and child, unsafe in its own region. */
const requestInput = (region: number) => ({
  kind: 'vervolg',
  urgency: 'acuut',
  household: { adults: [{ gender: 'v' }], children: [4] },
  needs: { wheelchair: false, pets: false, largeFamily: false, languages: [] },
  originRegionId: region,
  unsafeRegionIds: [region],
  preferredRegionIds: [],
});

/** A new open request: own, of the callers' organisation; other, of Moviera (sent to Arosa). */
async function freshPlacement(scope: Scope): Promise<{ id: number }> {
  const [cookie, region] =
    scope === 'own'
      ? [callers.get('vo_planner')!.cookie, rotterdam]
      : [movieraWorker, moviera[0]!.regionId];
  const res = await app.inject({
    method: 'POST',
    url: '/api/placements',
    headers: { cookie },
    payload: requestInput(region),
  });
  expect(res.statusCode, `placement fixture: ${res.body}`).toBe(200);
  return res.json<{ id: number }>();
}
const placements = new Map<Scope, { id: number }>();
async function placement(scope: Scope) {
  if (!placements.has(scope)) placements.set(scope, await freshPlacement(scope));
  return placements.get(scope)!;
}
async function cancelPlacement(id: number, scope: Scope) {
  await app.inject({
    method: 'POST',
    url: `/api/placements/${id}/cancel`,
    headers: { cookie: scope === 'own' ? callers.get('vo_planner')!.cookie : movieraWorker },
  });
}

/** A free vervolg unit that fits the fixture household, of the offering organisation. */
async function fittingUnit(offerer: 'arosa' | 'moviera' = 'arosa'): Promise<Unit> {
  const pool = offerer === 'arosa' ? arosa : moviera;
  const units = await getUnits(app, admin);
  const fitting = units.filter(
    (u) =>
      pool.some((p) => p.id === u.id) &&
      u.kind === 'vervolg' &&
      u.maxPersons >= 2 &&
      !u.mannenopvang,
  );
  const free = fitting.find((u) => u.status === 'free');
  if (free) return free;
  // Earlier cells used them up: the admin frees an occupied one.
  const occupied = fitting.find((u) => u.status === 'occupied');
  if (!occupied) throw new Error(`no fitting unit of ${offerer}`);
  const res = await app.inject({
    method: 'PATCH',
    url: `/api/units/${occupied.id}`,
    headers: { cookie: admin },
    payload: { version: occupied.version, status: 'free' },
  });
  expect(res.statusCode).toBe(200);
  return res.json<Unit>();
}

/**
 * A request with one offer: on the other organisation's request Arosa offers (so Arosa
 * withdraws); on the own request Moviera offers (so Arosa accepts).
 */
async function offered(scope: Scope) {
  const request = await freshPlacement(scope);
  const [cookie, unit] =
    scope === 'own'
      ? [movieraWorker, await fittingUnit('moviera')]
      : [callers.get('vo_planner')!.cookie, await fittingUnit('arosa')];
  const res = await app.inject({
    method: 'POST',
    url: `/api/placements/${request.id}/offers`,
    headers: { cookie },
    payload: { unitId: unit.id },
  });
  expect(res.statusCode, `offer fixture: ${res.body}`).toBe(200);
  return { request, offerId: res.json<{ offers: { id: number }[] }>().offers[0]!.id };
}

/** A request whose offer was accepted: the household is on its way. */
async function placed(scope: Scope) {
  const { request, offerId } = await offered(scope);
  const requester = scope === 'own' ? callers.get('vo_planner')!.cookie : movieraWorker;
  const res = await app.inject({
    method: 'POST',
    url: `/api/placements/${request.id}/offers/${offerId}/accept`,
    headers: { cookie: requester },
  });
  expect(res.statusCode, `accept fixture: ${res.body}`).toBe(200);
  return request;
}

/** A unit of the scope's organisation in the given status (made so by the admin). */
async function unitIn(scope: Scope, status: 'free' | 'occupied'): Promise<Unit> {
  const pool = scope === 'own' ? arosa : moviera;
  const units = await getUnits(app, admin);
  const found = units.find((u) => pool.some((p) => p.id === u.id) && u.status === status);
  if (found) return found;
  throw new Error(`no ${status} unit of the ${scope} organisation`);
}

async function releaseIfHeld(id: number) {
  const u = await current(id);
  if (u.status === 'held') {
    await app.inject({
      method: 'DELETE',
      url: `/api/units/${id}/hold`,
      headers: { cookie: admin },
    });
  }
}

const matrix: Record<string, Entry> = {
  'GET /api/health': {
    subject: 'none',
    allowed: () => true,
    call: async (c) => (await inject(c, { url: '/api/health' })).statusCode,
  },
  'GET /api/ready': {
    subject: 'none',
    allowed: () => true,
    call: async (c) => (await inject(c, { url: '/api/ready' })).statusCode,
  },
  // Who may read metrics is decided by where the request comes from, not by role
  // (test/integration/operations.test.ts): from this machine, everyone.
  'GET /metrics': {
    subject: 'none',
    allowed: () => true,
    call: async (c) => (await inject(c, { url: '/metrics' })).statusCode,
  },
  'GET /api/docs': {
    subject: 'none',
    allowed: () => true,
    call: async (c) => (await inject(c, { url: '/api/docs' })).statusCode,
  },
  'GET /api/regions': {
    subject: 'none',
    allowed: () => true,
    call: async (c) => (await inject(c, { url: '/api/regions' })).statusCode,
  },
  'POST /api/session': {
    subject: 'none',
    allowed: () => true,
    call: async (c) =>
      (
        await inject(c, {
          method: 'POST',
          url: '/api/session',
          payload: { email: demoEmail('vo_worker'), password: 'demo' },
        })
      ).statusCode,
  },
  'GET /api/session': {
    subject: 'none',
    allowed: loggedIn,
    call: async (c) => (await inject(c, { url: '/api/session' })).statusCode,
  },
  // Logging out ends the session: done with a fresh one of the same role.
  'DELETE /api/session': {
    subject: 'none',
    allowed: () => true,
    call: async (c) => {
      const cookie = c.user ? await login(app, c.user.email) : '';
      return (await inject({ ...c, cookie }, { method: 'DELETE', url: '/api/session' })).statusCode;
    },
  },
  'GET /api/live': {
    subject: 'none',
    allowed: loggedIn,
    call: async (c) => {
      const client = await TestLiveClient.connect(instance.wsUrl, c.cookie);
      await client.waitFor((x) => x.state.ready || x.closeCode !== null);
      const code = client.closeCode;
      await client.close();
      return code === LIVE_CLOSE_UNAUTHORIZED ? 401 : code === null ? 200 : code;
    },
  },
  'GET /api/availability': {
    subject: 'region',
    allowed: (r, scope) => loggedIn(r) && (r !== 'municipality' || scope !== 'other'),
    call: async (c, scope) => {
      const query = scope === 'none' ? '' : `?regionId=${scope === 'own' ? rotterdam : utrecht}`;
      return (await inject(c, { url: `/api/availability${query}` })).statusCode;
    },
  },
  'GET /api/units': {
    subject: 'none',
    allowed: unitLevel,
    call: async (c) => (await inject(c, { url: '/api/units' })).statusCode,
  },
  'PATCH /api/units/:id': {
    subject: 'organisation',
    allowed: (r, scope) => r === 'admin' || (vo(r) && scope === 'own'),
    call: async (c, scope) => {
      const unit = await unitIn(scope === 'own' ? 'own' : 'other', 'free');
      const res = await inject(c, {
        method: 'PATCH',
        url: `/api/units/${unit.id}`,
        payload: { version: unit.version, status: 'out_of_service' },
      });
      const now = await current(unit.id);
      if (now.status !== 'free') {
        await app.inject({
          method: 'PATCH',
          url: `/api/units/${unit.id}`,
          headers: { cookie: admin },
          payload: { version: now.version, status: 'free' },
        });
      }
      return res.statusCode;
    },
  },
  'POST /api/units/:id/hold': {
    subject: 'organisation',
    allowed: (r) => vo(r),
    call: async (c, scope) => {
      const unit = await unitIn(scope === 'own' ? 'own' : 'other', 'free');
      const res = await inject(c, { method: 'POST', url: `/api/units/${unit.id}/hold` });
      await releaseIfHeld(unit.id);
      return res.statusCode;
    },
  },
  // Own: a hold by the caller's organisation; other: another organisation's hold on its unit.
  'DELETE /api/units/:id/hold': {
    subject: 'organisation',
    allowed: (r, scope) => r === 'admin' || (vo(r) && scope === 'own'),
    call: async (c, scope) => {
      const unit = await unitIn(scope === 'own' ? 'own' : 'other', 'free');
      const holder = scope === 'own' ? callers.get('vo_planner')!.cookie : movieraWorker;
      const held = await app.inject({
        method: 'POST',
        url: `/api/units/${unit.id}/hold`,
        headers: { cookie: holder },
      });
      expect(held.statusCode, 'hold for the release cell').toBe(200);
      const res = await inject(c, { method: 'DELETE', url: `/api/units/${unit.id}/hold` });
      await releaseIfHeld(unit.id);
      return res.statusCode;
    },
  },
  // Own: a hold by the caller's organisation; other: another organisation's hold. Only the
  // holding VO extends it (an admin releases, never extends).
  'POST /api/units/:id/hold/extension': {
    subject: 'organisation',
    allowed: (r, scope) => vo(r) && scope === 'own',
    call: async (c, scope) => {
      const unit = await unitIn(scope === 'own' ? 'own' : 'other', 'free');
      const holder = scope === 'own' ? callers.get('vo_planner')!.cookie : movieraWorker;
      const held = await app.inject({
        method: 'POST',
        url: `/api/units/${unit.id}/hold`,
        headers: { cookie: holder },
      });
      expect(held.statusCode, 'hold for the extension cell').toBe(200);
      const res = await inject(c, {
        method: 'POST',
        url: `/api/units/${unit.id}/hold/extension`,
        payload: { version: held.json<Unit>().version },
      });
      await releaseIfHeld(unit.id);
      return res.statusCode;
    },
  },
  'GET /api/locations': {
    subject: 'none',
    allowed: loggedIn,
    call: async (c) => (await inject(c, { url: '/api/locations' })).statusCode,
  },
  'GET /api/locations/:id/units': {
    subject: 'organisation',
    allowed: (r, scope) => vo(r) && scope === 'own',
    call: async (c, scope) => {
      const id = (scope === 'own' ? arosa : moviera)[0]!.locationId;
      return (await inject(c, { url: `/api/locations/${id}/units` })).statusCode;
    },
  },
  'POST /api/locations/:id/confirm': {
    subject: 'organisation',
    allowed: (r, scope) => r === 'admin' || (vo(r) && scope === 'own'),
    call: async (c, scope) => {
      const id = (scope === 'own' ? arosa : moviera)[0]!.locationId;
      return (await inject(c, { method: 'POST', url: `/api/locations/${id}/confirm` })).statusCode;
    },
  },
  // Placement requests. Own: a request of the caller's organisation (Arosa, Rotterdam unsafe);
  // other: one of Moviera sent to the caller's organisation. Municipalities never see one.
  'GET /api/placements': {
    subject: 'none',
    allowed: (r) => loggedIn(r) && r !== 'municipality',
    call: async (c) => (await inject(c, { url: '/api/placements' })).statusCode,
  },
  'POST /api/placements': {
    subject: 'none',
    allowed: vo,
    call: async (c) =>
      (
        await inject(c, {
          method: 'POST',
          url: '/api/placements',
          payload: requestInput(rotterdam),
        })
      ).statusCode,
  },
  'GET /api/placements/:id': {
    subject: 'organisation',
    allowed: (r) => loggedIn(r) && r !== 'municipality',
    deniedStatus: () => 404,
    call: async (c, scope) =>
      (await inject(c, { url: `/api/placements/${(await placement(scope)).id}` })).statusCode,
  },
  // Answering is for the VOs the request was sent to: the other organisation's request.
  'POST /api/placements/:id/seen': {
    subject: 'organisation',
    allowed: (r, scope) => vo(r) && scope === 'other',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) =>
      (
        await inject(c, {
          method: 'POST',
          url: `/api/placements/${(await placement(scope)).id}/seen`,
        })
      ).statusCode,
  },
  'POST /api/placements/:id/offers': {
    subject: 'organisation',
    allowed: (r, scope) => vo(r) && scope === 'other',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const request = await freshPlacement(scope);
      const unit = await fittingUnit();
      const res = await inject(c, {
        method: 'POST',
        url: `/api/placements/${request.id}/offers`,
        payload: { unitId: unit.id },
      });
      await cancelPlacement(request.id, scope);
      return res.statusCode;
    },
  },
  'DELETE /api/placements/:id/offers/:offerId': {
    subject: 'organisation',
    allowed: (r, scope) => (vo(r) && scope === 'other') || r === 'admin',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const { request, offerId } = await offered(scope);
      const res = await inject(c, {
        method: 'DELETE',
        url: `/api/placements/${request.id}/offers/${offerId}`,
      });
      await cancelPlacement(request.id, scope);
      return res.statusCode;
    },
  },
  'POST /api/placements/:id/offers/:offerId/accept': {
    subject: 'organisation',
    allowed: (r, scope) => vo(r) && scope === 'own',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const { request, offerId } = await offered(scope);
      const res = await inject(c, {
        method: 'POST',
        url: `/api/placements/${request.id}/offers/${offerId}/accept`,
      });
      await cancelPlacement(request.id, scope);
      return res.statusCode;
    },
  },
  'POST /api/placements/:id/decline': {
    subject: 'organisation',
    allowed: (r, scope) => vo(r) && scope === 'other',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const request = await freshPlacement(scope);
      const res = await inject(c, {
        method: 'POST',
        url: `/api/placements/${request.id}/decline`,
        payload: { reason: 'full' },
      });
      await cancelPlacement(request.id, scope);
      return res.statusCode;
    },
  },
  // Arrival is confirmed by the receiving VO: the caller's organisation received the other's request.
  'POST /api/placements/:id/arrival': {
    subject: 'organisation',
    allowed: (r, scope) => (vo(r) && scope === 'other') || r === 'admin',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const request = await placed(scope);
      return (await inject(c, { method: 'POST', url: `/api/placements/${request.id}/arrival` }))
        .statusCode;
    },
  },
  'POST /api/placements/:id/departure': {
    subject: 'organisation',
    allowed: (r, scope) => vo(r) && scope === 'own',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const request = await placed(scope);
      const res = await inject(c, {
        method: 'POST',
        url: `/api/placements/${request.id}/departure`,
      });
      await cancelPlacement(request.id, scope);
      return res.statusCode;
    },
  },
  'POST /api/placements/:id/cancel': {
    subject: 'organisation',
    allowed: (r, scope) => (vo(r) && scope === 'own') || r === 'coordinator' || r === 'admin',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const request = await freshPlacement(scope);
      const res = await inject(c, { method: 'POST', url: `/api/placements/${request.id}/cancel` });
      await cancelPlacement(request.id, scope);
      return res.statusCode;
    },
  },
  'POST /api/placements/:id/close': {
    subject: 'organisation',
    allowed: (r, scope) => (vo(r) && scope === 'own') || r === 'coordinator' || r === 'admin',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const request = await freshPlacement(scope);
      const res = await inject(c, {
        method: 'POST',
        url: `/api/placements/${request.id}/close`,
        payload: { outcome: 'not_needed' },
      });
      await cancelPlacement(request.id, scope);
      return res.statusCode;
    },
  },
  'POST /api/placements/:id/claim': {
    subject: 'organisation',
    allowed: (r) => r === 'coordinator' || r === 'admin',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const request = await freshPlacement(scope);
      const res = await inject(c, { method: 'POST', url: `/api/placements/${request.id}/claim` });
      await cancelPlacement(request.id, scope);
      return res.statusCode;
    },
  },
  'DELETE /api/placements/:id/claim': {
    subject: 'organisation',
    allowed: (r) => r === 'coordinator' || r === 'admin',
    deniedStatus: (r) => (r === 'municipality' ? 404 : 403),
    call: async (c, scope) => {
      const request = await freshPlacement(scope);
      // Claimed by the caller when it may claim, by the coordinator otherwise.
      const claimer = c.role === 'admin' ? c.cookie : callers.get('coordinator')!.cookie;
      await app.inject({
        method: 'POST',
        url: `/api/placements/${request.id}/claim`,
        headers: { cookie: claimer },
      });
      const res = await inject(c, { method: 'DELETE', url: `/api/placements/${request.id}/claim` });
      await cancelPlacement(request.id, scope);
      return res.statusCode;
    },
  },
  'PUT /api/regions/:id/quota': {
    subject: 'none',
    allowed: (r) => r === 'coordinator' || r === 'admin',
    call: async (c) =>
      (
        await inject(c, {
          method: 'PUT',
          url: `/api/regions/${utrecht}/quota`,
          payload: { maxOutOfRegionPercent: null, mode: 'warn' },
        })
      ).statusCode,
  },
  // -- placement entries (end) --
  // Niet-reguliere bedden, waitlist, niet-plaatsing and the municipality's figures. Own: a
  // stay / waitlist entry of the caller's organisation (Arosa), other: one of Moviera, each
  // made afresh for its cell and ended / taken off the list by the admin afterwards. Another
  // VO's record, and any record for a municipality, reads as not there (404): a municipality
  // only ever gets its region's suppressed figures.
  ...((): Record<string, Entry> => {
    /** A date `n` days back: never in the future in the Netherlands for n >= 1. */
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
    const post = (cookie: string, url: string, payload?: object) =>
      app.inject({ method: 'POST', url, headers: { cookie }, payload });
    const voOf = (scope: Scope) =>
      scope === 'own' ? callers.get('vo_worker')!.cookie : movieraWorker;
    const regionOf = (scope: Scope) => (scope === 'own' ? rotterdam : utrecht);
    const stayInput = (regionId: number) => ({
      type: 'hotel',
      regionId,
      startDate: daysAgo(2),
      adults: 1,
      children: 1,
    });
    const waitInput = (regionId: number) => ({
      kind: 'noodbed',
      urgency: 'regulier',
      household: { adults: [{ gender: 'v' }], children: [4] },
      regionId,
    });
    /** A lasting stay of the scope's organisation, registered by its worker. */
    async function stay(scope: Scope): Promise<number> {
      const res = await post(voOf(scope), '/api/overflow', stayInput(regionOf(scope)));
      expect(res.statusCode, `a stay of the ${scope} organisation`).toBe(200);
      return res.json<{ id: number }>().id;
    }
    /** Ends the stay unless it has ended (then 409, harmless). */
    const endStay = (id: number) =>
      post(admin, `/api/overflow/${id}/end`, { outcome: 'returned_home' });
    /** A household waiting on the scope's organisation's list. */
    async function waiting(scope: Scope): Promise<number> {
      const res = await post(voOf(scope), '/api/waitlist', waitInput(regionOf(scope)));
      expect(res.statusCode, `a waitlist entry of the ${scope} organisation`).toBe(200);
      return res.json<{ id: number }>().id;
    }
    /** Takes the entry off the list unless it has left it (then 409, harmless). */
    const removeEntry = (id: number) => post(admin, `/api/waitlist/${id}/removed`);
    /** A step on a fresh stay of the scope's organisation. */
    const onStay =
      (method: 'GET' | 'POST', path: string, payload?: object) =>
      async (c: Caller, scope: Scope) => {
        const id = await stay(scope);
        const res = await inject(c, { method, url: `/api/overflow/${id}${path}`, payload });
        await endStay(id);
        return res.statusCode;
      };
    /** A household leaving a fresh waitlist entry of the scope's organisation. */
    const onEntry = (path: string) => async (c: Caller, scope: Scope) => {
      const id = await waiting(scope);
      const res = await inject(c, { method: 'POST', url: `/api/waitlist/${id}${path}` });
      await removeEntry(id);
      return res.statusCode;
    };
    const oversees = (r: Role) => r === 'coordinator' || r === 'admin';
    /** Lists: the own VO's records, coordinators and admins all; never a municipality. */
    const list = (url: string): Entry => ({
      subject: 'none',
      allowed: (r) => loggedIn(r) && r !== 'municipality',
      call: async (c) => (await inject(c, { url })).statusCode,
    });
    /** A step on a record: its own VO and the admin; coordinators see it but may not act. */
    const step = (call: Entry['call']): Entry => ({
      subject: 'organisation',
      allowed: (r, scope) => r === 'admin' || (vo(r) && scope === 'own'),
      deniedStatus: (r) => (r === 'coordinator' ? 403 : 404),
      call,
    });
    // Own region; coordinators and admins have none, so without a regionId they are asked for
    // one (400); VO staff never see the figures.
    const figures = (url: string): Entry => ({
      subject: 'region',
      allowed: (r, scope) =>
        (r === 'municipality' && scope !== 'other') || (oversees(r) && scope !== 'none'),
      deniedStatus: (r, scope) => (oversees(r) && scope === 'none' ? 400 : 403),
      call: async (c, scope) => {
        const query = scope === 'none' ? '' : `?regionId=${regionOf(scope)}`;
        return (await inject(c, { url: `${url}${query}` })).statusCode;
      },
    });
    return {
      'GET /api/overflow': list('/api/overflow'),
      // Registered for the caller's own VO, in any region; ended again by the admin.
      'POST /api/overflow': {
        subject: 'none',
        allowed: vo,
        call: async (c) => {
          const res = await inject(c, {
            method: 'POST',
            url: '/api/overflow',
            payload: stayInput(rotterdam),
          });
          if (res.statusCode === 200) await endStay(res.json<{ id: number }>().id);
          return res.statusCode;
        },
      },
      'GET /api/overflow/staff': {
        subject: 'none',
        allowed: vo,
        call: async (c) => (await inject(c, { url: '/api/overflow/staff' })).statusCode,
      },
      'GET /api/overflow/:id': {
        subject: 'organisation',
        allowed: (r, scope) => oversees(r) || (vo(r) && scope === 'own'),
        deniedStatus: () => 404,
        call: onStay('GET', ''),
      },
      'POST /api/overflow/:id/check-in': step(onStay('POST', '/check-in')),
      'POST /api/overflow/:id/end': step(onStay('POST', '/end', { outcome: 'returned_home' })),
      'GET /api/waitlist': list('/api/waitlist'),
      'POST /api/waitlist': {
        subject: 'none',
        allowed: vo,
        call: async (c) => {
          const res = await inject(c, {
            method: 'POST',
            url: '/api/waitlist',
            payload: waitInput(rotterdam),
          });
          if (res.statusCode === 200) await removeEntry(res.json<{ id: number }>().id);
          return res.statusCode;
        },
      },
      'POST /api/waitlist/:id/placed': step(onEntry('/placed')),
      'POST /api/waitlist/:id/removed': step(onEntry('/removed')),
      // Posts a placement request for the own VO: VO staff only, not even the admin (403
      // before the entry is looked up); another VO's entry reads as not there. The request
      // made is cancelled again.
      'POST /api/waitlist/:id/placement-request': {
        subject: 'organisation',
        allowed: (r, scope) => vo(r) && scope === 'own',
        deniedStatus: (r) => (vo(r) ? 404 : 403),
        call: async (c, scope) => {
          const id = await waiting(scope);
          const res = await inject(c, {
            method: 'POST',
            url: `/api/waitlist/${id}/placement-request`,
            payload: {
              unsafeRegionIds: [rotterdam],
              needs: { wheelchair: false, pets: false, largeFamily: false, languages: [] },
            },
          });
          if (res.statusCode === 200) {
            const request = res.json<{ request: { id: number } }>().request;
            const cancelled = await post(c.cookie, `/api/placements/${request.id}/cancel`);
            expect(cancelled.statusCode, 'cancel the request made from the waitlist').toBe(200);
          }
          await removeEntry(id);
          return res.statusCode;
        },
      },
      'GET /api/non-placements': list('/api/non-placements'),
      // A niet-plaatsing cannot be taken back: recorded 60 days ago, so it is on no screen
      // (VO lists: four weeks; the municipality: this month).
      'POST /api/non-placements': {
        subject: 'none',
        allowed: vo,
        call: async (c) =>
          (
            await inject(c, {
              method: 'POST',
              url: '/api/non-placements',
              payload: {
                kind: 'noodbed',
                urgency: 'regulier',
                regionId: rotterdam,
                reason: 'full',
                date: daysAgo(60),
              },
            })
          ).statusCode,
      },
      'GET /api/municipality/figures': figures('/api/municipality/figures'),
      'GET /api/municipality/figures.csv': figures('/api/municipality/figures.csv'),
    };
  })(),
  // -- overflow entries (end) --
  // Druk (issue 11): coordinators and admins only.
  ...(() => {
    const overseer = (r: Role) => r === 'coordinator' || r === 'admin';
    const get = (url: string): Entry => ({
      subject: 'none',
      allowed: overseer,
      call: async (c) => (await inject(c, { url })).statusCode,
    });
    return {
      'GET /api/pressure': get('/api/pressure'),
      'GET /api/pressure/history': get('/api/pressure/history?range=24h'),
      // A coordinator's own alert thresholds: coordinators only; the PUT puts back what it read.
      'GET /api/pressure/alert-rules': {
        subject: 'none',
        allowed: (r: Role) => r === 'coordinator',
        call: async (c: Caller) =>
          (await inject(c, { url: '/api/pressure/alert-rules' })).statusCode,
      } satisfies Entry,
      'PUT /api/pressure/alert-rules': {
        subject: 'none',
        allowed: (r: Role) => r === 'coordinator',
        call: async (c: Caller) => {
          const mine = await inject(c, { url: '/api/pressure/alert-rules' });
          const rules = mine.statusCode === 200 ? mine.json<{ rules: unknown[] }>().rules : [];
          return (
            await inject(c, {
              method: 'PUT',
              url: '/api/pressure/alert-rules',
              payload: { rules },
            })
          ).statusCode;
        },
      } satisfies Entry,
      // The monitor: coordinators and admins any region, a municipality its own (suppressed).
      ...Object.fromEntries(
        ['/api/monitor', '/api/monitor.csv'].map((url) => [
          `GET ${url}`,
          {
            subject: 'region',
            allowed: (r: Role, scope: Scope) =>
              overseer(r) || (r === 'municipality' && scope !== 'other'),
            call: async (c: Caller, scope: Scope) =>
              (
                await inject(c, {
                  url: `${url}?year=2026${scope === 'none' ? '' : `&regionId=${scope === 'own' ? rotterdam : utrecht}`}`,
                })
              ).statusCode,
          } satisfies Entry,
        ]),
      ),
    };
  })(),
  // -- pressure entries (end) --
  // Ruil (issue 9). Own: a proposal between the callers' organisation (Arosa) and Moviera;
  // other: one between Moviera and Kadera. Only a planner of a VO in it decides; a VO outside
  // it and municipalities do not learn it exists.
  ...(() => {
    /** Units the shared proposals give: another request may not name them too. */
    const given = new Set<number>();
    const swapUnits = async (organisationId: number, exclude?: Unit) => {
      const units = await getUnits(app, admin);
      const unit = units.find(
        (u) =>
          u.organisationId === organisationId &&
          !given.has(u.id) &&
          u.kind === (exclude?.kind ?? 'crisis') &&
          u.regionId !== exclude?.regionId &&
          u.maxPersons >= 2 &&
          (u.status === 'free' || u.status === 'occupied') &&
          u.heldForRequestId === null &&
          !u.mannenopvang,
      );
      if (!unit) throw new Error(`no swap unit of organisation ${organisationId}`);
      return unit;
    };
    let kaderaWorker: string | undefined;
    const cookieOf = async (organisationId: number) => {
      if (organisationId === arosa[0]!.organisationId) return callers.get('vo_planner')!.cookie;
      if (organisationId === moviera[0]!.organisationId) return movieraWorker;
      return (kaderaWorker ??= await login(app, demoEmail('vo_worker.kadera')));
    };
    const swapPost = async (unit: Unit) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/placements',
        headers: { cookie: await cookieOf(unit.organisationId) },
        payload: { ...requestInput(unit.regionId), kind: unit.kind, swapUnitId: unit.id },
      });
      expect(res.statusCode, `swap request fixture: ${res.body}`).toBe(200);
      return res.json<{ id: number; organisationId: number }>();
    };
    /** A fresh open proposal of the scope, found by the recompute; `done` cancels its requests. */
    const freshSwap = async (scope: Scope) => {
      const kadera = async () => {
        const cookie = await cookieOf(-1);
        return (await sessionUser(app, cookie)).organisationId!;
      };
      const first = await swapUnits(
        scope === 'own' ? arosa[0]!.organisationId : moviera[0]!.organisationId,
      );
      const second = await swapUnits(
        scope === 'own' ? moviera[0]!.organisationId : await kadera(),
        first,
      );
      const requests = [await swapPost(first), await swapPost(second)];
      const until = Date.now() + 10_000;
      for (;;) {
        const all = (await app.inject({ url: '/api/swaps', headers: { cookie: admin } })).json<
          { id: number; version: number; status: string; parties: { requestId: number }[] }[]
        >();
        const found = all.find(
          (p) =>
            p.status === 'open' &&
            requests.every((r) => p.parties.some((x) => x.requestId === r.id)),
        );
        if (found) {
          const done = async () => {
            for (const r of requests)
              await app.inject({
                method: 'POST',
                url: `/api/placements/${r.id}/cancel`,
                headers: { cookie: await cookieOf(r.organisationId) },
              });
          };
          return { ...found, done };
        }
        if (Date.now() > until) throw new Error('swap fixture: no proposal');
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    /**
     * One open proposal per scope for the cells that read it or are to be refused: a refused
     * call changes nothing, so they share it (a call let through by mistake still fails its
     * own cell). Only a decision that is let through gets a proposal of its own.
     */
    const shared = new Map<Scope, ReturnType<typeof freshSwap>>();
    const sharedSwap = (scope: Scope) => {
      let swap = shared.get(scope);
      if (!swap) {
        swap = freshSwap(scope).then(async (found) => {
          const full = (
            await app.inject({ url: `/api/swaps/${found.id}`, headers: { cookie: admin } })
          ).json<{ parties: { gives: { unitId: number } }[] }>();
          for (const p of full.parties) given.add(p.gives.unitId);
          return found;
        });
        shared.set(scope, swap);
      }
      return swap;
    };
    const partyVo = (r: Role, scope: Scope) => vo(r) && scope === 'own';
    const decide = (what: 'accept' | 'decline'): Entry => {
      const allowed = (r: Role, scope: Scope) => r === 'vo_planner' && scope === 'own';
      return {
        subject: 'organisation',
        allowed,
        deniedStatus: (r, scope) =>
          r === 'municipality' || (vo(r) && scope === 'other') ? 404 : 403,
        call: async (c, scope) => {
          const own = allowed(c.role, scope);
          const swap = own ? await freshSwap(scope) : await sharedSwap(scope);
          const res = await inject(c, {
            method: 'POST',
            url: `/api/swaps/${swap.id}/${what}`,
            payload: { version: swap.version },
          });
          if (own) await swap.done();
          return res.statusCode;
        },
      };
    };
    return {
      'GET /api/swaps': {
        subject: 'none',
        allowed: (r) => loggedIn(r) && r !== 'municipality',
        call: async (c) => (await inject(c, { url: '/api/swaps' })).statusCode,
      },
      'GET /api/swaps/:id': {
        subject: 'organisation',
        allowed: (r, scope) => r === 'coordinator' || r === 'admin' || partyVo(r, scope),
        deniedStatus: () => 404,
        call: async (c, scope) => {
          const swap = await sharedSwap(scope);
          return (await inject(c, { url: `/api/swaps/${swap.id}` })).statusCode;
        },
      },
      'POST /api/swaps/:id/accept': decide('accept'),
      'POST /api/swaps/:id/decline': decide('decline'),
    } satisfies Record<string, Entry>;
  })(),
  // -- swap entries (end) --
};

beforeAll(async () => {
  backend = await createBackend();
  instance = await startInstance(backend);
  app = instance.app;
  callers.set('anonymous', { role: 'anonymous', cookie: '', user: null });
  for (const role of roles.slice(1)) {
    const cookie = await login(app, demoEmail(role));
    const user = await sessionUser(app, cookie);
    callers.set(role, { role, cookie, user });
  }
  admin = callers.get('admin')!.cookie;
  movieraWorker = await login(app, demoEmail('vo_worker.moviera'));
  const own = callers.get('vo_worker')!.user!;
  const moviUser = await sessionUser(app, movieraWorker);
  const all = await getUnits(app, admin);
  arosa = all.filter((u) => u.organisationId === own.organisationId);
  moviera = all.filter((u) => u.organisationId === moviUser.organisationId);
  rotterdam = callers.get('municipality')!.user!.regionId!;
  utrecht = all.find((u) => u.regionId !== rotterdam)!.regionId;
});
afterAll(async () => {
  await instance?.close();
  await backend?.close();
});

/** The scopes a role has for a subject: `own` only when it has an organisation / region. */
function scopesFor(entry: Entry, caller: Caller): Scope[] {
  if (entry.subject === 'none') return ['none'];
  const own =
    entry.subject === 'organisation'
      ? caller.user?.organisationId != null
      : caller.user?.regionId != null;
  const scopes: Scope[] = own ? ['own', 'other'] : ['other'];
  // A region filter is optional: without it is a cell of its own.
  return entry.subject === 'region' ? ['none', ...scopes] : scopes;
}

describe('authorisation matrix', () => {
  it('has an entry for every route in the route table, and none for a route that is gone', () => {
    const routes = new Set(
      app.routeTable.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`),
    );
    expect(
      [...routes].filter((r) => !(r in matrix)),
      'routes without an entry in `matrix` (say who may use them, own and other)',
    ).toEqual([]);
    expect(
      Object.keys(matrix).filter((k) => !routes.has(k)),
      'entries without a route',
    ).toEqual([]);
  });

  it('allows and denies every route x role x own/other subject as the entry says', async () => {
    const cells: string[] = [];
    const wrong: string[] = [];
    for (const [key, entry] of Object.entries(matrix)) {
      for (const caller of callers.values()) {
        for (const scope of scopesFor(entry, caller)) {
          const allowed = entry.allowed(caller.role, scope);
          const status = await entry.call(caller, scope);
          const ok = allowed
            ? entry.authorisedOnly
              ? status !== 401 && status !== 403 && status < 500
              : status >= 200 && status < 300
            : status ===
              (caller.role === 'anonymous'
                ? 401
                : (entry.deniedStatus?.(caller.role, scope) ?? 403));
          cells.push(`${key} ${caller.role} ${scope}: ${allowed ? 'allowed' : 'denied'} ${status}`);
          if (!ok) wrong.push(cells.at(-1)!);
        }
      }
    }
    console.info(
      `authorisation matrix: ${cells.length} cells over ${Object.keys(matrix).length} routes x ${roles.length} roles x own/other`,
    );
    expect(wrong).toEqual([]);
  }, 120_000);
});
