import { z } from 'zod';
import {
  ErrorResponse,
  MunicipalityFigures,
  MunicipalityQuery,
  NonPlacement,
  NonPlacementInput,
  OverflowEndInput,
  OverflowInput,
  OverflowParams,
  OverflowRegistration,
  PlacementRequest,
  StaffMember,
  WaitlistEntry,
  WaitlistInput,
  WaitlistToRequestInput,
} from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireUser } from '../../plugins/auth';

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
};

/** Niet-reguliere bedden: register, check in, end (shared/src/overflow.ts). */
export const overflowRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['niet-reguliere bedden'];
  const service = () => app.services.overflow;
  const one = { 200: OverflowRegistration, ...errors };
  app.get(
    '/overflow',
    {
      schema: {
        tags,
        summary: 'Overflow stays the viewer may see (lasting, or ended in the last week)',
        response: { 200: z.array(OverflowRegistration), ...errors },
      },
    },
    (request) => service().list(requireUser(request)),
  );
  app.post(
    '/overflow',
    {
      schema: {
        tags,
        summary:
          'Register a household in a hotel, holiday park, ... (counts only, never the place itself)',
        body: OverflowInput,
        response: one,
      },
    },
    (request) => service().register(requireUser(request), request.body),
  );
  app.get(
    '/overflow/staff',
    {
      schema: {
        tags,
        summary: 'Workers of the own VO who can be responsible for a stay',
        response: { 200: z.array(StaffMember), ...errors },
      },
    },
    (request) => service().staff(requireUser(request)),
  );
  app.get(
    '/overflow/:id',
    { schema: { tags, summary: 'One stay', params: OverflowParams, response: one } },
    (request) => service().get(requireUser(request), request.params.id),
  );
  app.post(
    '/overflow/:id/check-in',
    {
      schema: {
        tags,
        summary: 'Safety check-in ("contact gehad, veilig"); the next is due one interval later',
        params: OverflowParams,
        response: one,
      },
    },
    (request) => service().checkIn(requireUser(request), request.params.id),
  );
  app.post(
    '/overflow/:id/end',
    {
      schema: {
        tags,
        summary: 'End the stay with its outcome (a regular place: which kind, which region)',
        params: OverflowParams,
        body: OverflowEndInput,
        response: one,
      },
    },
    (request) => service().end(requireUser(request), request.params.id, request.body),
  );
};

/** Wachtlijst and niet-plaatsing (shared/src/waitlist.ts). */
export const waitlistRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['wachtlijst'];
  const service = () => app.services.waitlist;
  const one = { 200: WaitlistEntry, ...errors };
  app.get(
    '/waitlist',
    {
      schema: {
        tags,
        summary: 'Households waiting (own VO; coordinators all), and who left in the last week',
        response: { 200: z.array(WaitlistEntry), ...errors },
      },
    },
    (request) => service().list(requireUser(request)),
  );
  app.post(
    '/waitlist',
    {
      schema: {
        tags,
        summary: 'Put a household on the waitlist (composition and urgency only)',
        body: WaitlistInput,
        response: one,
      },
    },
    (request) => service().add(requireUser(request), request.body),
  );
  const leave = (url: string, summary: string, run: 'placed' | 'removed') =>
    app.post(url, { schema: { tags, summary, params: OverflowParams, response: one } }, (request) =>
      service()[run](requireUser(request), request.params.id),
    );
  leave(
    '/waitlist/:id/placed',
    'Placed in a regular place: the days waited are recorded',
    'placed',
  );
  leave('/waitlist/:id/removed', 'No longer waiting (not placed)', 'removed');
  app.post(
    '/waitlist/:id/placement-request',
    {
      schema: {
        tags,
        summary: 'Move the household to a placement request to other regions',
        params: OverflowParams,
        body: WaitlistToRequestInput,
        response: {
          200: z.object({ entry: WaitlistEntry, request: PlacementRequest }),
          ...errors,
        },
      },
    },
    (request) =>
      service().toPlacementRequest(requireUser(request), request.params.id, request.body),
  );
  app.get(
    '/non-placements',
    {
      schema: {
        tags,
        summary: 'Niet-plaatsingen of the last four weeks (own VO; coordinators all)',
        response: { 200: z.array(NonPlacement), ...errors },
      },
    },
    (request) => service().listNonPlacements(requireUser(request)),
  );
  app.post(
    '/non-placements',
    {
      schema: {
        tags,
        summary: 'Record a niet-plaatsing: kind, urgency, region, reason; nothing else',
        body: NonPlacementInput,
        response: { 200: NonPlacement, ...errors },
      },
    },
    (request) => service().recordNonPlacement(requireUser(request), request.body),
  );
};

/** Gemeente: a region's suppressed figures (shared/src/municipality.ts), as JSON and CSV. */
export const municipalityRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['gemeente'];
  app.get(
    '/municipality/figures',
    {
      schema: {
        tags,
        summary:
          "The region's figures, every figure from fewer than 5 households suppressed (own region; coordinators any)",
        querystring: MunicipalityQuery,
        response: { 200: MunicipalityFigures, ...errors },
      },
    },
    (request) => app.services.municipality.figures(requireUser(request), request.query.regionId),
  );
  app.get(
    '/municipality/figures.csv',
    {
      schema: {
        tags,
        summary: 'The same figures as CSV, suppressed the same way',
        querystring: MunicipalityQuery,
        response: { 200: z.string(), ...errors },
      },
    },
    async (request, reply) => {
      const { filename, body } = await app.services.municipality.csv(
        requireUser(request),
        request.query.regionId,
      );
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(body);
    },
  );
};
