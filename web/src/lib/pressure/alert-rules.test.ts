import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlertRule, AlertRuleSet } from '@opvangatlas/shared';
import { alertRules } from './alert-rules.svelte';

/**
 * The coordinator's rule store against a scripted server (fetch is the network, answered
 * here per request): a failed first read is read again, and rules this device kept before
 * they moved to the server are sent once, forgotten when refused, kept when not delivered.
 */
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const setOf = (userId: number, rules: AlertRule[], version: number): AlertRuleSet => ({
  userId,
  rules,
  version,
  updatedAt: version === 0 ? null : '2026-11-24T03:00:00.000Z',
});
const rule: AlertRule = { id: 'r1', type: 'acute_short', regionId: 3 };
const legacyKey = (userId: number) => `opvangatlas.pressureAlerts.${userId}`;

/** Answers GETs with the saved set and PUTs with `put`; counts the PUTs. */
function server(userId: number, put: () => Response | Promise<Response>, getFails = 0) {
  const calls = { get: 0, put: 0 };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_path: string, init: RequestInit) => {
      if (init.method === 'PUT') {
        calls.put++;
        return put();
      }
      calls.get++;
      if (calls.get <= getFails) throw new TypeError('Failed to fetch');
      return json(200, setOf(userId, [], 0));
    }),
  );
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe('alert rule store', () => {
  it('reads the rules again after a failed first read, telling the form meanwhile', async () => {
    server(101, () => json(500, {}), 1);
    await alertRules.load(101);
    expect(alertRules.loaded).toBe(false);
    expect(alertRules.loadError).not.toBeNull();
    await alertRules.load(101);
    expect(alertRules.loaded).toBe(true);
    expect(alertRules.loadError).toBeNull();
  });

  it('forgets the device’s old rules when the server refuses them', async () => {
    localStorage.setItem(legacyKey(102), JSON.stringify([rule]));
    const calls = server(102, () =>
      json(400, { error: 'validation', message: 'Onbekende regio', fields: [] }),
    );
    await alertRules.load(102);
    expect(calls.put).toBe(1);
    expect(localStorage.getItem(legacyKey(102))).toBeNull();
    await alertRules.load(102);
    expect(calls.put).toBe(1);
  });

  it('keeps them for the next try when the save did not get through, sends them then', async () => {
    localStorage.setItem(legacyKey(103), JSON.stringify([rule]));
    let answer: () => Response = () => json(503, { error: 'unavailable', message: 'Even niet' });
    const calls = server(103, () => answer());
    await alertRules.load(103);
    expect(localStorage.getItem(legacyKey(103))).not.toBeNull();
    answer = () => json(200, setOf(103, [rule], 1));
    await alertRules.load(103);
    expect(calls.put).toBe(2);
    expect(localStorage.getItem(legacyKey(103))).toBeNull();
    expect(alertRules.rules).toEqual([rule]);
  });

  it('sends only the rules of regions that still exist', async () => {
    localStorage.setItem(
      legacyKey(104),
      JSON.stringify([rule, { ...rule, id: 'gone', regionId: 999 }]),
    );
    const sent: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_path: string, init: RequestInit) => {
        if (init.method !== 'PUT') return json(200, setOf(104, [], 0));
        sent.push(JSON.parse(init.body as string));
        return json(200, setOf(104, [rule], 1));
      }),
    );
    await alertRules.load(104, [3]);
    expect(sent).toEqual([{ rules: [rule] }]);
  });
});
