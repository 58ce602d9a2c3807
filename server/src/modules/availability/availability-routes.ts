import {
  Availability,
  AvailabilityQuery,
  ErrorResponse,
  MunicipalityAvailability,
} from '@opvangatlas/shared';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireUser } from '../../plugins/auth';

export const availabilityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/availability',
    {
      schema: {
        tags: ['beschikbaarheid'],
        summary:
          'Free, held and occupied units per region and kind, with location freshness; a municipality gets its own region, small counts suppressed',
        querystring: AvailabilityQuery,
        response: {
          200: z.union([Availability, MunicipalityAvailability]),
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    (request) => app.services.availability.availability(requireUser(request), request.query),
  );
};
