import { describe, expect, it, vi } from 'vitest';
import { makeUnit } from '$lib/testing/fixtures';
import { ApiError, createApi, isApiError } from './api';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('api', () => {
  it('sends JSON to relative same-origin URLs and parses the response', async () => {
    const unit = makeUnit({ id: 7, status: 'held', heldUntil: '2025-03-03T03:15:00Z' });
    const fetchFn = vi.fn(async () => json(200, unit));
    const api = createApi(fetchFn);
    await expect(api.hold(7)).resolves.toEqual(unit);
    expect(fetchFn).toHaveBeenCalledWith(
      '/api/units/7/hold',
      expect.objectContaining({ method: 'POST', body: '{}', credentials: 'same-origin' }),
    );
  });

  it('turns a 409 on a unit into a conflict error with the current unit', async () => {
    const current = makeUnit({ id: 7, status: 'occupied', version: 4 });
    const api = createApi(async () =>
      json(409, { error: 'conflict', message: 'Versie verouderd', current }),
    );
    const err = await api.patchUnit(7, { version: 3, status: 'free' }).catch((e: unknown) => e);
    expect(isApiError(err, 'conflict')).toBe(true);
    expect((err as ApiError).current).toEqual(current);
  });

  it('keeps field errors of a validation error', async () => {
    const api = createApi(async () =>
      json(400, {
        error: 'validation',
        message: 'Ongeldige invoer',
        fields: [{ path: 'email', message: 'Vul een geldig e-mailadres in' }],
      }),
    );
    const err = await api.login({ email: 'x@y.nl', password: 'p' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).fields).toEqual([
      { path: 'email', message: 'Vul een geldig e-mailadres in' },
    ]);
  });

  it('returns null for the session when not logged in', async () => {
    const api = createApi(async () =>
      json(401, { error: 'unauthorized', message: 'Niet ingelogd' }),
    );
    await expect(api.session()).resolves.toBeNull();
  });

  it('reports a network failure and a response outside the contract', async () => {
    const offline = createApi(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(offline.regions()).rejects.toMatchObject({ code: 'network' });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const drifted = createApi(async () => json(200, [{ id: 'one' }]));
    await expect(drifted.regions()).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('builds the units query string', async () => {
    const fetchFn = vi.fn(async () => json(200, []));
    await createApi(fetchFn).units({ kind: 'noodbed', status: 'free' });
    expect(fetchFn).toHaveBeenCalledWith('/api/units?kind=noodbed&status=free', expect.anything());
  });
});
