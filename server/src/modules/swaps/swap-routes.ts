import { z } from 'zod';
import { ErrorResponse, SwapDecisionInput, SwapParams, SwapProposal } from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireUser } from '../../plugins/auth';

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
};

/** Ruil: proposals found among "ruil mogelijk" requests, and each party's decision. */
export const swapRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['ruil'];
  const service = () => app.services.swaps;
  app.get(
    '/swaps',
    {
      schema: {
        tags,
        summary: 'Swap proposals the viewer may see (open, or ended in the last day)',
        response: { 200: z.array(SwapProposal), ...errors },
      },
    },
    (request) => service().list(requireUser(request)),
  );
  app.get(
    '/swaps/:id',
    {
      schema: {
        tags,
        summary: 'One proposal, as the viewer may see it',
        params: SwapParams,
        response: { 200: SwapProposal, ...errors },
      },
    },
    (request) => service().get(requireUser(request), request.params.id),
  );
  app.post(
    '/swaps/:id/accept',
    {
      schema: {
        tags,
        summary: "A planner accepts for her VO's party; the last acceptance executes every move",
        params: SwapParams,
        body: SwapDecisionInput,
        response: { 200: SwapProposal, ...errors },
      },
    },
    (request) => service().accept(requireUser(request), request.params.id, request.body.version),
  );
  app.post(
    '/swaps/:id/decline',
    {
      schema: {
        tags,
        summary: 'A planner declines for her VO: the proposal falls, the rest is matched again',
        params: SwapParams,
        body: SwapDecisionInput,
        response: { 200: SwapProposal, ...errors },
      },
    },
    (request) => service().decline(requireUser(request), request.params.id, request.body.version),
  );
};
