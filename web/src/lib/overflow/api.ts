import {
  MunicipalityFigures,
  NonPlacement,
  OverflowRegistration,
  PlacementRequest,
  StaffMember,
  WaitlistEntry,
  type NonPlacementInput,
  type OverflowEndInput,
  type OverflowInput,
  type WaitlistInput,
  type WaitlistToRequestInput,
} from '@opvangatlas/shared';
import { z } from 'zod';
import type { Json } from '$lib/api';

/**
 * Niet-reguliere bedden, wachtlijst and niet-plaatsing (`api.overflow`): every answer parsed
 * with its shared schema, like the rest of the API client.
 */
export function overflowApi(json: Json) {
  const post = <T>(schema: z.ZodType<T>, path: string, body: unknown = {}) =>
    json(schema, path, { method: 'POST', body });
  return {
    list: (signal?: AbortSignal) =>
      json(z.array(OverflowRegistration), '/api/overflow', { signal }),
    staff: (signal?: AbortSignal) => json(z.array(StaffMember), '/api/overflow/staff', { signal }),
    register: (body: OverflowInput) => post(OverflowRegistration, '/api/overflow', body),
    checkIn: (id: number) => post(OverflowRegistration, `/api/overflow/${id}/check-in`),
    end: (id: number, body: OverflowEndInput) =>
      post(OverflowRegistration, `/api/overflow/${id}/end`, body),
    waitlist: {
      add: (body: WaitlistInput) => post(WaitlistEntry, '/api/waitlist', body),
      placed: (id: number) => post(WaitlistEntry, `/api/waitlist/${id}/placed`),
      removed: (id: number) => post(WaitlistEntry, `/api/waitlist/${id}/removed`),
      toRequest: (id: number, body: WaitlistToRequestInput) =>
        post(
          z.object({ entry: WaitlistEntry, request: PlacementRequest }),
          `/api/waitlist/${id}/placement-request`,
          body,
        ),
    },
    nonPlacements: {
      record: (body: NonPlacementInput) => post(NonPlacement, '/api/non-placements', body),
    },
    municipality: {
      figures: (signal?: AbortSignal) =>
        json(MunicipalityFigures, '/api/municipality/figures', { signal }),
    },
  };
}

/** The CSV of the municipality's figures: a plain link, the browser downloads it. */
export const MUNICIPALITY_CSV_URL = '/api/municipality/figures.csv';
