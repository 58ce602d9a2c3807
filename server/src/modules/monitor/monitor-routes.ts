import { z } from 'zod';
import { ErrorResponse, MonitorFigures, MonitorQuery, monitorCsv } from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireUser } from '../../plugins/auth';
import { listRegions } from '../regions/region-repository';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

/** The yearly Monitor Veilige Opvang figures (shared/src/monitor.ts). */
export const monitorRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['monitor'];
  app.get(
    '/monitor',
    {
      schema: {
        tags,
        summary: 'A year of monitor figures for a region or all, from the platform’s own log',
        querystring: MonitorQuery,
        response: { 200: MonitorFigures, ...errors },
      },
    },
    (request) =>
      app.services.monitor.figures(requireUser(request), request.query, { export: false }),
  );
  app.get(
    '/monitor.csv',
    {
      schema: {
        tags,
        summary: 'The same figures as CSV in the monitor’s layout, small numbers hidden',
        querystring: MonitorQuery,
        response: { 200: z.string(), ...errors },
      },
    },
    async (request, reply) => {
      const figures = await app.services.monitor.figures(requireUser(request), request.query, {
        export: true,
      });
      const region =
        figures.regionId === null
          ? 'alle regio’s'
          : ((await listRegions(app.database.db)).find((r) => r.id === figures.regionId)?.name ??
            String(figures.regionId));
      const slug = region.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="monitor-${figures.year}-${slug}.csv"`)
        .send(monitorCsv(figures, region));
    },
  );
};
