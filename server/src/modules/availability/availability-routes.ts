import { Availability, AvailabilityQuery, ErrorResponse } from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireUser } from '../../plugins/auth';

export const availabilityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/availability',
    {
      schema: {
        tags: ['beschikbaarheid'],
        summary: 'Free, held and occupied units per region and kind, with location freshness',
        querystring: AvailabilityQuery,
        response: { 200: Availability, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    (request) => app.services.availability.availability(requireUser(request), request.query),
  );
};
