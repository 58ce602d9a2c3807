import type { FastifyError, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorResponse, FieldError } from '@opvangatlas/shared';
import {
  AppError,
  ConflictError,
  ServiceUnavailableError,
  ValidationError,
  isDatabaseUnavailable,
} from '../errors';

const codeByStatus: Partial<Record<number, ErrorResponse['error']>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
};

/** drizzle's DrizzleQueryError: its message, stack and fields carry the SQL and parameters. */
const isQueryError = (e: Error) =>
  e.constructor.name === 'DrizzleQueryError' || e.message.startsWith('Failed query:');

/**
 * Values Postgres quotes back in its messages: `value "2147483648" is out of range`,
 * `invalid input syntax for type integer: "x"`, `invalid input value for enum kind: "x"`.
 */
const redactValues = (message: string) =>
  message
    .replace(/(for (?:type|enum) [\w ."]+?: )".*"/s, '$1"…"')
    .replace(/value ".*" is out of range/s, 'value "…" is out of range');

/** A log-safe error: what failed and why, no query parameters, SQL, or row details. */
export type SafeError = {
  type: string;
  message: string;
  code?: string;
  /** The call frames only, under the safe message. */
  stack: string;
  cause?: SafeError;
};
const safeMarker = Symbol('safe-error');

/**
 * Turns any error into a log-safe one. Used as the logger's `err` serializer (app.ts), so no
 * `{ err }` logged anywhere can write the e-mail addresses and ids a failed query was given.
 * Keeps the class, the message (drizzle's only when it has none of the query), the code and the
 * cause's class, message (values redacted) and code; drops `detail`, `where`, `query`, `params`.
 */
export function safeError(err: unknown, depth = 0): SafeError {
  if (typeof err === 'object' && err !== null && safeMarker in err)
    return err as unknown as SafeError;
  if (!(err instanceof Error)) {
    return { type: typeof err, message: String(err).slice(0, 200), stack: '' };
  }
  const type = err.constructor.name === 'Error' ? err.name : err.constructor.name;
  const message = isQueryError(err) ? 'database query failed' : redactValues(err.message);
  // A stack starts with the message (drizzle's: SQL and parameters): keep only the frames.
  const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const out: SafeError = { type, message, stack: [`${type}: ${message}`, ...frames].join('\n') };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  if (err.cause !== undefined && depth < 3) out.cause = safeError(err.cause, depth + 1);
  Object.defineProperty(out, safeMarker, { value: true });
  return out;
}

/** Zod's issues as fields; an unknown key becomes a field of its own ("household.name"). */
function fieldsOf(err: FastifyError & { validation: unknown[] }, context: string): FieldError[] {
  return err.validation.flatMap((raw) => {
    const v = raw as {
      keyword: string;
      instancePath: string;
      message?: string;
      params?: { keys?: unknown };
    };
    const base = [context, ...v.instancePath.split('/').filter(Boolean)].filter(
      (p) => p !== 'body',
    );
    if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params?.keys)) {
      return v.params.keys.map((key) => ({
        path: [...base, String(key)].join('.'),
        message: `Onbekend veld "${String(key)}"`,
      }));
    }
    return [{ path: base.join('.'), message: v.message ?? 'Ongeldige waarde' }];
  });
}

function sendAppError(reply: FastifyReply, err: AppError) {
  const body: ErrorResponse = { error: err.code, message: err.message };
  if (err instanceof ValidationError) body.fields = err.fields;
  if (err.retryAfterSeconds !== undefined) reply.header('retry-after', err.retryAfterSeconds);
  return reply.code(err.statusCode).send(body);
}

/** Maps typed errors to status codes once; 5xx details stay in the log, never in the response. */
export const errorHandlerPlugin = fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(err)) {
        const body: ErrorResponse = {
          error: 'validation',
          message: 'Controleer de invoer',
          fields: fieldsOf(err, err.validationContext ?? ''),
        };
        return reply.code(400).send(body);
      }
      if (err instanceof ConflictError) {
        return reply
          .code(409)
          .send({ error: 'conflict', message: err.message, current: err.current });
      }
      if (err instanceof AppError) {
        if (err.statusCode >= 500) request.log.warn({ err: safeError(err) }, err.message);
        return sendAppError(reply, err);
      }
      if (isDatabaseUnavailable(err)) {
        // Postgres down or unreachable: say so (503) instead of "something went wrong" (500).
        request.log.warn({ err: safeError(err) }, 'database unavailable');
        return sendAppError(reply, new ServiceUnavailableError());
      }
      if (err.statusCode && err.statusCode < 500) {
        // Fastify's and plugins' own 4xx (malformed JSON, body too large).
        const body: ErrorResponse = {
          error: codeByStatus[err.statusCode] ?? 'validation',
          message: err.message,
        };
        return reply.code(err.statusCode).send(body);
      }
      request.log.error({ err: safeError(err) }, 'unhandled error');
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
