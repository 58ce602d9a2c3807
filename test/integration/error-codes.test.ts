import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorResponse, type Unit } from '@opvangatlas/shared';
import type { App } from '../../server/src/app';
import { createBackend, type TestBackend } from '../support/backend';
import { demoSessions, getUnits, patchUnit, sessionUser } from '../support/fixtures';
import { demoEmail, startInstance, type Instance } from '../support/instance';

/**
 * Every error names what went wrong with a stable code (shared/src/errors.ts), so the web can
 * say it in the user's language; the category in `error` stays as it was.
 */
let backend: TestBackend;
let instance: Instance;
let app: App;
let s: Awaited<ReturnType<typeof demoSessions>>;
let ownUnits: Unit[];
let foreignUnits: Unit[];

beforeAll(async () => {
  backend = await createBackend();
  instance = await startInstance(backend);
  app = instance.app;
  s = await demoSessions(app);
  const me = await sessionUser(app, s.worker);
  const all = await getUnits(app, s.worker);
  ownUnits = all.filter((u) => u.organisationId === me.organisationId);
  foreignUnits = all.filter((u) => u.organisationId !== me.organisationId);
});
afterAll(async () => {
  await instance?.close();
  await backend?.close();
});

const hold = (cookie: string, unit: Unit) =>
  app.inject({ method: 'POST', url: `/api/units/${unit.id}/hold`, headers: { cookie } });
const release = (cookie: string, unit: Unit) =>
  app.inject({ method: 'DELETE', url: `/api/units/${unit.id}/hold`, headers: { cookie } });

/** The body follows the contract, and has this status, category and code. */
function expectError(
  res: { statusCode: number; json: () => unknown },
  status: number,
  expected: Record<string, unknown>,
) {
  const body = res.json();
  expect(res.statusCode, JSON.stringify(body)).toBe(status);
  expect(ErrorResponse.safeParse(body).success, JSON.stringify(body)).toBe(true);
  expect(body).toMatchObject(expected);
}

describe('error codes', () => {
  it('names a lost race for a unit unit_taken, with the unit as it is now', async () => {
    const unit = foreignUnits.find((u) => u.status === 'free')!;
    expect((await hold(s.worker, unit)).statusCode).toBe(200);
    expectError(await hold(s.planner, unit), 409, {
      error: 'conflict',
      code: 'unit_taken',
      current: { id: unit.id, status: 'held' },
    });
    expect((await release(s.worker, unit)).statusCode).toBe(200);
    // The owner may release any hold on its unit; this one has none.
    const own = ownUnits.filter((u) => u.status === 'free').at(-1)!;
    expectError(await release(s.worker, own), 409, { code: 'unit_not_held' });
  });

  it('names a stale version version_conflict and another VO’s unit not_own_organisation', async () => {
    const unit = ownUnits.find((u) => u.status === 'free')!;
    expect((await patchUnit(app, s.worker, unit, { status: 'out_of_service' })).statusCode).toBe(
      200,
    );
    expectError(await patchUnit(app, s.planner, unit, { status: 'free' }), 409, {
      error: 'conflict',
      code: 'version_conflict',
      current: { id: unit.id, status: 'out_of_service' },
    });
    expectError(
      await patchUnit(app, s.worker, foreignUnits[0]!, { status: 'out_of_service' }),
      403,
      { error: 'forbidden', code: 'not_own_organisation' },
    );
  });

  it('gives the hold limit with its numbers, for the web to fill in', async () => {
    const free = foreignUnits.filter((u) => u.status === 'free').slice(1);
    const caps = backend.config.holdCaps.perUser;
    for (const unit of free.slice(0, caps))
      expect((await hold(s.worker, unit)).statusCode).toBe(200);
    expectError(await hold(s.worker, free[caps]!), 409, {
      code: 'hold_limit_user',
      params: { held: caps, max: caps },
    });
    for (const unit of free.slice(0, caps)) await release(s.worker, unit);
  });

  it('gives every wrong field a code: zod checks, the schema’s own rules and the service’s', async () => {
    const unit = ownUnits.filter((u) => u.status === 'free')[1]!;
    expectError(await patchUnit(app, s.worker, unit, { status: 'occupied' }), 400, {
      error: 'validation',
      code: 'validation',
      fields: [{ path: 'household', code: 'household_required', message: expect.any(String) }],
    });
    expectError(
      await patchUnit(app, s.worker, unit, {
        status: 'occupied',
        household: { adults: 1, children: unit.maxPersons },
      }),
      400,
      {
        fields: [
          { path: 'household', code: 'household_too_large', params: { max: unit.maxPersons } },
        ],
      },
    );
    expectError(await patchUnit(app, s.worker, unit, { status: 'free' }), 400, {
      fields: [{ path: 'status', code: 'unchanged' }],
    });
    const login = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: 'x', password: '', extra: 1 },
    });
    expectError(login, 400, { code: 'validation' });
    const codes = Object.fromEntries(
      (login.json() as ErrorResponse).fields!.map((f) => [f.path, f.code]),
    );
    expect(codes).toEqual({
      email: 'invalid_format',
      password: 'too_small',
      extra: 'unknown_field',
    });
    const missing = await app.inject({ method: 'POST', url: '/api/session', payload: {} });
    expect((missing.json() as ErrorResponse).fields!.map((f) => f.code)).toEqual([
      'required',
      'required',
    ]);
  });

  it('codes the session, access and routing errors', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: demoEmail('coordinator'), password: 'wrong' },
    });
    expectError(wrong, 401, { error: 'unauthorized', code: 'invalid_credentials' });
    expectError(await app.inject({ url: '/api/units' }), 401, { code: 'unauthorized' });
    const officer = await sessionUser(app, s.municipality);
    const otherRegion = officer.regionId === 1 ? 2 : 1;
    expectError(
      await app.inject({
        url: `/api/availability?regionId=${otherRegion}`,
        headers: { cookie: s.municipality },
      }),
      403,
      { code: 'not_own_region' },
    );
    expectError(
      await app.inject({
        method: 'POST',
        url: `/api/units/${foreignUnits[0]!.id}/hold`,
        headers: { cookie: s.worker, origin: 'https://elders.example' },
      }),
      403,
      { code: 'origin_refused' },
    );
    expectError(await app.inject({ url: '/api/nothing-here' }), 404, { code: 'not_found' });
    expectError(
      await app.inject({
        method: 'POST',
        url: '/api/session',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":',
      }),
      400,
      { error: 'validation', code: 'bad_request' },
    );
  });
});
