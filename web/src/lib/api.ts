import {
  Availability,
  MunicipalityAvailability,
  ErrorCategory,
  ErrorCode,
  ErrorParams,
  FieldErrorCode,
  Location,
  OwnLocation,
  PlacementRequest,
  Region,
  SessionResponse,
  Unit,
  type CloseOutcome,
  type DeclineInput,
  type LoginRequest,
  type PlacementRequestInput,
  type SessionUser,
  type UnitPatch,
  type UnitQuery,
} from '@opvangatlas/shared';
import { z } from 'zod';
import { overflowApi } from './overflow/api';
import { pressureApi } from './pressure/api';
import { swapApi } from './swaps/api';

/**
 * Fetch wrapper for the same-origin /api (relative URLs only: the Fastify server serves this
 * app and the API on one origin). Every response body is parsed with the shared zod schema,
 * so a contract drift shows up as a clear error instead of undefined values in the UI.
 */

/** The server's codes (shared/src/errors.ts) and the two the client finds by itself. */
export type ApiErrorCode = ErrorCode | 'network' | 'invalid_response';
type ApiErrorCategory = ErrorCategory | 'network' | 'invalid_response';

/**
 * An error body as the web reads it: `code` and the fields' codes are optional, so a body of
 * an older server (category only) still reads; such an error is known by its category.
 */
const ErrorBody = z.object({
  error: ErrorCategory,
  code: ErrorCode.optional(),
  message: z.string(),
  params: ErrorParams.optional(),
  fields: z
    .array(
      z.object({
        path: z.string(),
        code: FieldErrorCode.optional(),
        message: z.string(),
        params: ErrorParams.optional(),
      }),
    )
    .optional(),
  current: z.unknown().optional(),
});
export type ApiFieldError = NonNullable<z.infer<typeof ErrorBody>['fields']>[number];

export class ApiError extends Error {
  /** The specific code (`unit_taken`), or the category's own when the server gave none. */
  readonly code: ApiErrorCode;
  readonly params: ErrorParams;
  readonly fields: ApiFieldError[];
  /** The unit's current state, sent with a 409 conflict on a unit. */
  readonly current: Unit | null;

  constructor(
    readonly status: number,
    readonly category: ApiErrorCategory,
    message: string,
    details: {
      code?: ApiErrorCode | undefined;
      params?: ErrorParams | undefined;
      fields?: ApiFieldError[] | undefined;
      current?: Unit | null;
    } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = details.code ?? category;
    this.params = details.params ?? {};
    this.fields = details.fields ?? [];
    this.current = details.current ?? null;
  }
}

/** An ApiError, and with `code` one of that code or of that category (`conflict`: any 409). */
export function isApiError(err: unknown, code?: ApiErrorCode): err is ApiError {
  return (
    err instanceof ApiError && (code === undefined || err.code === code || err.category === code)
  );
}

type Fetch = typeof fetch;

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
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
  const err = ErrorBody.safeParse(json);
  if (err.success) {
    const { error, code, message, params, fields, current } = err.data;
    // A 409 on a unit carries the unit as it is now; other conflicts carry other things.
    const unit = res.status === 409 ? Unit.safeParse(current) : null;
    return new ApiError(res.status, error, message, {
      code,
      params,
      fields,
      current: unit?.success ? unit.data : null,
    });
  }
  const code: ErrorCategory =
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
    /** The same endpoint as a municipality gets it: its own region, small counts hidden. */
    municipalityAvailability: (signal?: AbortSignal) =>
      json(MunicipalityAvailability, '/api/availability', { signal }),
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
    extendHold: (id: number, version: number) =>
      json(Unit, `/api/units/${id}/hold/extension`, { method: 'POST', body: { version } }),
    confirmLocation: (id: number) =>
      json(Location, `/api/locations/${id}/confirm`, { method: 'POST', body: {} }),
    placements: placementApi(json),
    overflow: overflowApi(json),
    pressure: pressureApi(json),
    swaps: swapApi(json),
  };
}

export type Api = ReturnType<typeof createApi>;

export type Json = <T>(schema: z.ZodType<T>, path: string, opts?: RequestOptions) => Promise<T>;

/** Bovenregionale plaatsing: every step answers with the request as the user may see it. */
function placementApi(json: Json) {
  const one = (path: string, body?: unknown, method: 'POST' | 'DELETE' = 'POST') =>
    json(PlacementRequest, `/api/placements${path}`, { method, body: body ?? {} });
  return {
    list: (signal?: AbortSignal) => json(z.array(PlacementRequest), '/api/placements', { signal }),
    get: (id: number, signal?: AbortSignal) =>
      json(PlacementRequest, `/api/placements/${id}`, { signal }),
    create: (body: PlacementRequestInput) => one('', body),
    seen: (id: number) => one(`/${id}/seen`),
    offer: (id: number, unitId: number) => one(`/${id}/offers`, { unitId }),
    withdraw: (id: number, offerId: number) =>
      json(PlacementRequest, `/api/placements/${id}/offers/${offerId}`, { method: 'DELETE' }),
    accept: (id: number, offerId: number) => one(`/${id}/offers/${offerId}/accept`),
    decline: (id: number, body: DeclineInput) => one(`/${id}/decline`, body),
    arrival: (id: number) => one(`/${id}/arrival`),
    departure: (id: number) => one(`/${id}/departure`),
    cancel: (id: number) => one(`/${id}/cancel`),
    close: (id: number, outcome: CloseOutcome) => one(`/${id}/close`, { outcome }),
    claim: (id: number) => one(`/${id}/claim`),
    releaseClaim: (id: number) =>
      json(PlacementRequest, `/api/placements/${id}/claim`, { method: 'DELETE' }),
  };
}

export const api = createApi();
