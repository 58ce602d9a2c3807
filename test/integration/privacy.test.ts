import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locations } from '@opvangatlas/db';
import type { Unit } from '@opvangatlas/shared';
import { createBackend, type TestBackend } from '../support/backend';
import { churn, demoSessions, getUnits, sessionUser } from '../support/fixtures';
import { demoEmail, login, startInstance, type Instance } from '../support/instance';
import { TestLiveClient } from '../support/live-client';

/**
 * Shelter addresses are secret (geheim adres): no response or websocket frame may carry
 * one to anyone outside the location's own organisation, least of all municipalities.
 */
let backend: TestBackend;
let instance: Instance;
let addresses: {
  organisationId: number;
  street: string;
  postcode: string;
  id: number;
  intakePhone: string | null;
}[];
let s: Awaited<ReturnType<typeof demoSessions>>;

beforeAll(async () => {
  backend = await createBackend();
  instance = await startInstance(backend);
  s = await demoSessions(instance.app);
  addresses = await backend.database.db
    .select({
      id: locations.id,
      organisationId: locations.organisationId,
      street: locations.street,
      postcode: locations.postcode,
      intakePhone: locations.intakePhone,
    })
    .from(locations);
});
afterAll(async () => {
  await instance?.close();
  await backend?.close();
});

/** Everything a user can read: every GET endpoint, every location, the live stream. */
async function everythingSeenBy(cookie: string): Promise<string> {
  const { app } = instance;
  const get = async (url: string) => (await app.inject({ url, headers: { cookie } })).body;
  const bodies = await Promise.all(
    [
      '/api/session',
      '/api/regions',
      '/api/availability',
      '/api/units',
      '/api/locations',
      '/api/docs',
      '/api/health',
    ].map(get),
  );
  for (const { id } of addresses) bodies.push(await get(`/api/locations/${id}/units`));

  const live = await TestLiveClient.connect(instance.wsUrl, cookie);
  await live.waitFor((c) => c.state.ready);
  // Changes in every region while connected, so deltas are in the stream too.
  const admin = s.admin;
  const units = await getUnits(app, admin);
  const perRegion = new Map<number, Unit>();
  for (const u of units)
    if (u.status === 'occupied' && !perRegion.has(u.regionId)) perRegion.set(u.regionId, u);
  for (const u of perRegion.values()) await churn(app, admin, u, 2);
  const [own] = (await app.inject({ url: '/api/locations', headers: { cookie: s.worker } })).json<
    { id: number }[]
  >();
  await app.inject({
    method: 'POST',
    url: `/api/locations/${own!.id}/confirm`,
    headers: { cookie: s.worker },
  });
  await live.waitFor((c) => c.frames.length >= 2);
  await new Promise((r) => setTimeout(r, 300));
  await live.close();
  return [...bodies, ...live.frames].join('\n');
}

function leakedAddresses(seen: string, ofOrganisationOtherThan: number | null) {
  return addresses
    .filter((a) => a.organisationId !== ofOrganisationOtherThan)
    .filter((a) => seen.includes(a.street) || seen.includes(a.postcode));
}

describe('secret addresses', () => {
  it('never reach a municipality user', async () => {
    const seen = await everythingSeenBy(s.municipality);
    expect(seen.length).toBeGreaterThan(10_000);
    expect(leakedAddresses(seen, null)).toEqual([]);
  });

  it('never reach a coordinator', async () => {
    expect(leakedAddresses(await everythingSeenBy(s.coordinator), null)).toEqual([]);
  });

  it('never reach another organisation, while the own organisation does see its own', async () => {
    const cookie = await login(instance.app, demoEmail('vo_worker.moviera'));
    const me = await sessionUser(instance.app, cookie);
    const seen = await everythingSeenBy(cookie);
    expect(leakedAddresses(seen, me.organisationId)).toEqual([]);
    // The check can fail: the own organisation's addresses are in what this user saw.
    const own = addresses.filter((a) => a.organisationId === me.organisationId);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((a) => seen.includes(a.street))).toBe(true);
  });

  it('are not in what a municipality sees of single units either: no unit-level data at all', async () => {
    const res = await instance.app.inject({
      url: '/api/units',
      headers: { cookie: s.municipality },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('intake phone numbers (issue 14)', () => {
  const phones = () => [...new Set(addresses.map((a) => a.intakePhone!))];

  it('are seeded for every location', () => {
    expect(addresses.every((a) => /^0\d{2}-\d{3} \d{2} \d{2}$/.test(a.intakePhone ?? ''))).toBe(
      true,
    );
  });

  it('never reach a municipality user', async () => {
    const seen = await everythingSeenBy(s.municipality);
    expect(seen).not.toMatch(/"intakePhone":"/);
    expect(phones().filter((p) => seen.includes(p))).toEqual([]);
  });

  it('reach VO staff of other organisations, with every location, live', async () => {
    const cookie = await login(instance.app, demoEmail('vo_worker.moviera'));
    const seen = await everythingSeenBy(cookie);
    expect(phones().filter((p) => !seen.includes(p))).toEqual([]);
  });
});
