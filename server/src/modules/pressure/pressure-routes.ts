import {
  AlertRuleSet,
  AlertRulesInput,
  ErrorResponse,
  PressureBoard,
  PressureSeries,
  PressureSeriesQuery,
} from '@opvangatlas/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireUser } from '../../plugins/auth';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

/** Druk: the coordinators' national pressure dashboard (shared/src/pressure.ts). */
export const pressureRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['druk'];
  // The history is built from the log once, at start, so the first dashboard does not wait
  // for a year of events to be read; a failure here is retried by the first request.
  app.addHook('onReady', () => {
    app.services.pressure.current().catch((err: unknown) => {
      app.log.warn({ err }, 'pressure history could not be built at start');
    });
  });
  app.get(
    '/pressure',
    {
      schema: {
        tags,
        summary: 'Every region now: occupancy per kind, noodbedden, requests, overflow, freshness',
        response: { 200: PressureBoard, ...errors },
      },
    },
    (request) => app.services.pressure.board(requireUser(request)),
  );
  app.get(
    '/pressure/history',
    {
      schema: {
        tags,
        summary: 'Occupancy per region and kind over 24 h, 7 d, 30 d or 12 months',
        querystring: PressureSeriesQuery,
        response: { 200: PressureSeries, ...errors },
      },
    },
    (request) => app.services.pressure.history(requireUser(request), request.query),
  );
  app.get(
    '/pressure/alert-rules',
    {
      schema: {
        tags,
        summary: 'The signed-in coordinator’s Druk alert thresholds',
        response: { 200: AlertRuleSet, ...errors },
      },
    },
    (request) => app.services.alertRules.get(requireUser(request)),
  );
  app.put(
    '/pressure/alert-rules',
    {
      schema: {
        tags,
        summary: 'Replaces the coordinator’s alert thresholds (audited, live to their screens)',
        body: AlertRulesInput,
        response: { 200: AlertRuleSet, ...errors },
      },
    },
    (request) => app.services.alertRules.replace(requireUser(request), request.body),
  );
};
