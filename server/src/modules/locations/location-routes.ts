import { z } from 'zod';
import {
  ErrorResponse,
  Location,
  LocationParams,
  OwnLocation,
  Unit,
  voRoles,
} from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireUser } from '../../plugins/auth';

const errors = { 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

export const locationRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['locaties'];
  app.get(
    '/locations',
    {
      schema: {
        tags,
        summary: "The own organisation's locations, with address",
        response: { 200: z.array(OwnLocation), ...errors },
      },
    },
    (request) => app.services.locations.listOwn(requireUser(request)),
  );
  app.get(
    '/locations/:id/units',
    {
      schema: {
        tags,
        summary: 'An own location and its units',
        params: LocationParams,
        response: { 200: z.object({ location: OwnLocation, units: z.array(Unit) }), ...errors },
      },
    },
    (request) => app.services.locations.ownWithUnits(requireUser(request), request.params.id),
  );
  app.post(
    '/locations/:id/confirm',
    {
      schema: {
        tags,
        summary: '"Klopt nog": confirm the figures of an own location are still right',
        params: LocationParams,
        response: { 200: Location, ...errors },
      },
    },
    (request) =>
      app.services.locations.confirm(
        requireUser(request, [...voRoles, 'admin']),
        request.params.id,
      ),
  );
};
