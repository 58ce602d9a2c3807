import { z } from 'zod';
import {
  CloseInput,
  DeclineInput,
  ErrorResponse,
  Id,
  OfferInput,
  OfferParams,
  PlacementParams,
  PlacementRequest,
  PlacementRequestInput,
  RegionQuota,
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
const one = { 200: PlacementRequest, ...errors };

/** Bovenregionale plaatsing: every step of the workflow (docs in shared/src/placement.ts). */
export const placementRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['plaatsingsverzoeken'];
  const service = () => app.services.placements;
  app.get(
    '/placements',
    {
      schema: {
        tags,
        summary: 'Requests the viewer may see (in play, or ended in the last week)',
        response: { 200: z.array(PlacementRequest), ...errors },
      },
    },
    (request) => service().list(requireUser(request)),
  );
  app.post(
    '/placements',
    {
      schema: {
        tags,
        summary: 'Post a request for a household (composition and needs only) to other regions',
        body: PlacementRequestInput,
        response: one,
      },
    },
    (request) => service().create(requireUser(request), request.body),
  );
  app.get(
    '/placements/:id',
    {
      schema: {
        tags,
        summary: 'One request, as the viewer may see it',
        params: PlacementParams,
        response: one,
      },
    },
    (request) => service().get(requireUser(request), request.params.id),
  );
  const step = (
    url: string,
    summary: string,
    run: (user: ReturnType<typeof requireUser>, id: number) => Promise<PlacementRequest>,
  ) =>
    app.post(
      url,
      { schema: { tags, summary, params: PlacementParams, response: one } },
      (request) => run(requireUser(request), request.params.id),
    );
  step('/placements/:id/seen', 'A receiving VO saw the request', (u, id) => service().seen(u, id));
  step('/placements/:id/arrival', 'The receiving VO confirms the household arrived', (u, id) =>
    service().confirmArrival(u, id),
  );
  step(
    '/placements/:id/departure',
    'The requester confirms the household left its region',
    (u, id) => service().confirmDeparture(u, id),
  );
  step('/placements/:id/cancel', 'Cancel the request; every held unit is released', (u, id) =>
    service().cancel(u, id),
  );
  step('/placements/:id/claim', 'A coordinator takes the request on (one at a time)', (u, id) =>
    service().claim(u, id),
  );
  app.delete(
    '/placements/:id/claim',
    { schema: { tags, summary: 'Release a claim', params: PlacementParams, response: one } },
    (request) => service().releaseClaim(requireUser(request), request.params.id),
  );
  app.post(
    '/placements/:id/offers',
    {
      schema: {
        tags,
        summary: 'Offer a fitting free unit of the own organisation; it is held for the request',
        params: PlacementParams,
        body: OfferInput,
        response: one,
      },
    },
    (request) => service().offer(requireUser(request), request.params.id, request.body.unitId),
  );
  app.delete(
    '/placements/:id/offers/:offerId',
    {
      schema: {
        tags,
        summary: 'Withdraw an offer; the unit is free again',
        params: OfferParams,
        response: one,
      },
    },
    (request) =>
      service().withdraw(requireUser(request), request.params.id, request.params.offerId),
  );
  app.post(
    '/placements/:id/offers/:offerId/accept',
    {
      schema: {
        tags,
        summary: 'Accept an offer: its unit is reserved, every other offer released',
        params: OfferParams,
        response: one,
      },
    },
    (request) => service().accept(requireUser(request), request.params.id, request.params.offerId),
  );
  app.post(
    '/placements/:id/decline',
    {
      schema: {
        tags,
        summary: 'Decline with a reason',
        params: PlacementParams,
        body: DeclineInput,
        response: one,
      },
    },
    (request) => service().decline(requireUser(request), request.params.id, request.body),
  );
  app.post(
    '/placements/:id/close',
    {
      schema: {
        tags,
        summary: 'Close without a placement, recording the outcome (hotel, niet-plaatsing, ...)',
        params: PlacementParams,
        body: CloseInput,
        response: one,
      },
    },
    (request) => service().close(requireUser(request), request.params.id, request.body.outcome),
  );
  app.put(
    '/regions/:id/quota',
    {
      schema: {
        tags,
        summary: "A region's quota for clients from other regions (coordinators, admins)",
        params: z.object({ id: Id }),
        body: RegionQuota,
        response: { 200: RegionQuota, ...errors },
      },
    },
    (request) => service().setQuota(requireUser(request), request.params.id, request.body),
  );
};
