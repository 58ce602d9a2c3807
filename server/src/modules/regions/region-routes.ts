import { z } from 'zod';
import { Region } from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listRegions } from './region-repository';

/** Public reference data: the 35 regions and their monitor figures. */
export const regionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/regions',
    {
      schema: {
        tags: ['regio'],
        summary: 'The 35 centrumgemeenten',
        response: { 200: z.array(Region) },
      },
    },
    () => listRegions(app.database.db),
  );
};
