import { z } from 'zod';
import {
  ErrorResponse,
  HoldExtension,
  HoldRequest,
  Unit,
  UnitConflict,
  UnitParams,
  UnitPatch,
  UnitQuery,
  voRoles,
} from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireUser } from '../../plugins/auth';

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: UnitConflict,
};

export const unitRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['ruimtes'];
  app.get(
    '/units',
    {
      schema: {
        tags,
        summary: 'Units nationwide (no addresses; household only for the own organisation)',
        querystring: UnitQuery,
        response: { 200: z.array(Unit), 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    (request) => app.services.units.list(requireUser(request), request.query),
  );
  app.patch(
    '/units/:id',
    {
      schema: {
        tags,
        summary: 'Change status or household of an own unit (optimistic concurrency on version)',
        params: UnitParams,
        body: UnitPatch,
        response: { 200: Unit, ...errors },
      },
    },
    (request) => app.services.units.patch(requireUser(request), request.params.id, request.body),
  );
  app.post(
    '/units/:id/hold',
    {
      schema: {
        tags,
        summary: 'Hold a free unit for a placement (expires by itself)',
        params: UnitParams,
        // An empty POST is the usual case: Fastify hands it over as null.
        body: HoldRequest.nullish(),
        response: { 200: Unit, ...errors },
      },
    },
    (request) =>
      app.services.units.hold(
        requireUser(request, voRoles),
        request.params.id,
        request.body?.minutes,
      ),
  );
  app.post(
    '/units/:id/hold/extension',
    {
      schema: {
        tags,
        summary:
          'Extend the own hold once more (HOLD_MAX_EXTENSIONS); 409 hold_extension_limit after that',
        params: UnitParams,
        body: HoldExtension,
        response: { 200: Unit, ...errors },
      },
    },
    (request) =>
      app.services.units.extendHold(
        requireUser(request, voRoles),
        request.params.id,
        request.body.version,
      ),
  );
  app.delete(
    '/units/:id/hold',
    {
      schema: {
        tags,
        summary: 'Release a hold',
        params: UnitParams,
        response: { 200: Unit, ...errors },
      },
    },
    (request) => app.services.units.release(requireUser(request), request.params.id),
  );
};
