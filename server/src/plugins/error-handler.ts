import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorResponse, FieldError } from '@opvangatlas/shared';
import { AppError, ConflictError, ValidationError } from '../errors';

const codeByStatus: Partial<Record<number, ErrorResponse['error']>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
};

/** Maps typed errors to status codes once; 5xx details stay in the log, never in the response. */
export const errorHandlerPlugin = fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(err)) {
        const fields: FieldError[] = err.validation.map((v) => ({
          path: [err.validationContext, ...v.instancePath.split('/').filter(Boolean)]
            .filter((p) => p !== 'body')
            .join('.'),
          message: v.message ?? 'Ongeldige waarde',
        }));
        const body: ErrorResponse = {
          error: 'validation',
          message: 'Controleer de invoer',
          fields,
        };
        return reply.code(400).send(body);
      }
      if (err instanceof ConflictError) {
        return reply
          .code(409)
          .send({ error: 'conflict', message: err.message, current: err.current });
      }
      if (err instanceof AppError) {
        const body: ErrorResponse = { error: err.code, message: err.message };
        if (err instanceof ValidationError) body.fields = err.fields;
        return reply.code(err.statusCode).send(body);
      }
      if (err.statusCode && err.statusCode < 500) {
        // Fastify's and plugins' own 4xx (malformed JSON, body too large, rate limit).
        const body: ErrorResponse = {
          error: codeByStatus[err.statusCode] ?? 'validation',
          message: err.message,
        };
        return reply.code(err.statusCode).send(body);
      }
      request.log.error({ err }, 'unhandled error');
      const body: ErrorResponse = { error: 'internal', message: 'Er ging iets mis aan onze kant' };
      return reply.code(500).send(body);
    });
    app.setNotFoundHandler((request, reply) => {
      const body: ErrorResponse = {
        error: 'not_found',
        message: `Geen route voor ${request.method} ${request.url}`,
      };
      return reply.code(404).send(body);
    });
  },
  { name: 'error-handler' },
);
