import {
  Availability,
  ErrorResponse,
  Location,
  OwnLocation,
  Region,
  SessionResponse,
  Unit,
  UnitConflict,
  type FieldError,
  type LoginRequest,
  type SessionUser,
  type UnitPatch,
  type UnitQuery,
} from '@opvangatlas/shared';
import { z } from 'zod';

/**
 * Fetch wrapper for the same-origin /api (relative URLs only: the Fastify server serves this
 * app and the API on one origin). Every response body is parsed with the shared zod schema,
 * so a contract drift shows up as a clear error instead of undefined values in the UI.
 */

export type ApiErrorCode = ErrorResponse['error'] | 'network' | 'invalid_response';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
    /** The unit's current state, sent with a 409 conflict on a unit. */
    readonly current: Unit | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiError(err: unknown, code?: ApiErrorCode): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}

type Fetch = typeof fetch;

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

export const UnitWithLocation = z.object({ location: OwnLocation, units: z.array(Unit) });
export type UnitWithLocation = z.infer<typeof UnitWithLocation>;

async function errorFrom(res: Response): Promise<ApiError> {
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    // fall through: no JSON body
  }
  const conflict = UnitConflict.safeParse(json);
  if (res.status === 409 && conflict.success) {
    return new ApiError(409, 'conflict', conflict.data.message, [], conflict.data.current);
  }
  const err = ErrorResponse.safeParse(json);
  if (err.success) {
    return new ApiError(res.status, err.data.error, err.data.message, err.data.fields ?? []);
  }
  const code: ApiErrorCode =
    res.status === 401
      ? 'unauthorized'
      : res.status === 403
        ? 'forbidden'
        : res.status === 404
          ? 'not_found'
          : 'internal';
  return new ApiError(res.status, code, res.statusText || `HTTP ${res.status}`);
}

export function createApi(fetchFn: Fetch = (input, init) => fetch(input, init)) {
  async function send(path: string, opts: RequestOptions = {}): Promise<Response> {
    const init: RequestInit = {
      method: opts.method ?? 'GET',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
      signal: opts.signal,
    };
    if (opts.body !== undefined) {
      init.headers = { ...init.headers, 'content-type': 'application/json' };
      init.body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await fetchFn(path, init);
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  async function json<T>(schema: z.ZodType<T>, path: string, opts?: RequestOptions): Promise<T> {
    const res = await send(path, opts);
    const parsed = schema.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) {
      console.error(`Unexpected response from ${path}`, parsed.error.issues);
      throw new ApiError(res.status, 'invalid_response', `Unexpected response from ${path}`);
    }
    return parsed.data;
  }

  return {
    async login(body: LoginRequest): Promise<SessionUser> {
      return (await json(SessionResponse, '/api/session', { method: 'POST', body })).user;
    },
    /** The signed-in user, or null without a valid session. */
    async session(signal?: AbortSignal): Promise<SessionUser | null> {
      try {
        return (await json(SessionResponse, '/api/session', { signal })).user;
      } catch (err) {
        if (isApiError(err, 'unauthorized')) return null;
        throw err;
      }
    },
    async logout(): Promise<void> {
      await send('/api/session', { method: 'DELETE' });
    },
    regions: (signal?: AbortSignal) => json(z.array(Region), '/api/regions', { signal }),
    availability: (signal?: AbortSignal) => json(Availability, '/api/availability', { signal }),
    units(query: UnitQuery = {}, signal?: AbortSignal) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const qs = params.toString() ? `?${params}` : '';
      return json(z.array(Unit), `/api/units${qs}`, { signal });
    },
    ownLocations: (signal?: AbortSignal) =>
      json(z.array(OwnLocation), '/api/locations', { signal }),
    locationUnits: (id: number, signal?: AbortSignal) =>
      json(UnitWithLocation, `/api/locations/${id}/units`, { signal }),
    patchUnit: (id: number, body: UnitPatch) =>
      json(Unit, `/api/units/${id}`, { method: 'PATCH', body }),
    hold: (id: number, minutes?: number) =>
      json(Unit, `/api/units/${id}/hold`, {
        method: 'POST',
        body: minutes === undefined ? {} : { minutes },
      }),
    release: (id: number) => json(Unit, `/api/units/${id}/hold`, { method: 'DELETE' }),
    confirmLocation: (id: number) =>
      json(Location, `/api/locations/${id}/confirm`, { method: 'POST', body: {} }),
  };
}

export type Api = ReturnType<typeof createApi>;

export const api = createApi();
