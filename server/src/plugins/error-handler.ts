import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  errorCatalog,
  fieldErrorCodes,
  type ErrorCode,
  type ErrorResponse,
  type FieldError,
  type FieldErrorCode,
} from '@opvangatlas/shared';
import {
  AppError,
  ServiceUnavailableError,
  ValidationError,
  isDatabaseUnavailable,
} from '../errors';

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

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown> & { keys?: unknown; params?: { code?: unknown } };
}

const isFieldCode = (code: unknown): code is FieldErrorCode =>
  fieldErrorCodes.includes(code as FieldErrorCode);

/** The field code and parameters of one zod issue (fastify-type-provider-zod keeps zod's issue in `params`). */
function fieldCodeOf(v: ValidationIssue, value: unknown): Pick<FieldError, 'code' | 'params'> {
  const p = v.params ?? {};
  switch (v.keyword) {
    case 'invalid_type':
      return { code: value === undefined || value === null ? 'required' : 'invalid_type' };
    case 'too_small':
      return typeof p.minimum === 'number' || typeof p.minimum === 'bigint'
        ? { code: 'too_small', params: { min: Number(p.minimum) } }
        : { code: 'too_small' };
    case 'too_big':
      return typeof p.maximum === 'number' || typeof p.maximum === 'bigint'
        ? { code: 'too_big', params: { max: Number(p.maximum) } }
        : { code: 'too_big' };
    case 'invalid_format':
      return { code: 'invalid_format' };
    case 'invalid_value':
    case 'invalid_union':
      return { code: 'invalid_value' };
    case 'custom':
      return { code: isFieldCode(p.params?.code) ? p.params.code : 'invalid' };
    default:
      return { code: 'invalid' };
  }
}

/** The value at a zod issue's path in the validated input (zod does not report it). */
function valueAt(input: unknown, path: string[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Zod's issues as fields; an unknown key becomes a field of its own ("household.name"). */
function fieldsOf(
  err: FastifyError & { validation: unknown[] },
  context: string,
  request: FastifyRequest,
): FieldError[] {
  const input: unknown =
    context === 'body' || context === 'querystring' || context === 'params' || context === 'headers'
      ? request[context === 'querystring' ? 'query' : context]
      : undefined;
  return err.validation.flatMap((raw): FieldError[] => {
    const v = raw as ValidationIssue;
    const segments = v.instancePath.split('/').filter(Boolean);
    const base = [context, ...segments].filter((p) => p !== 'body');
    if (v.keyword === 'unrecognized_keys' && Array.isArray(v.params?.keys)) {
      return v.params.keys.map((key) => ({
        path: [...base, String(key)].join('.'),
        code: 'unknown_field',
        message: `Onbekend veld "${String(key)}"`,
      }));
    }
    return [
      {
        path: base.join('.'),
        ...fieldCodeOf(v, valueAt(input, segments)),
        message: v.message ?? 'Ongeldige waarde',
      },
    ];
  });
}

function bodyOf(err: AppError): ErrorResponse & { current?: unknown } {
  const body: ErrorResponse & { current?: unknown } = {
    error: err.category,
    code: err.code,
    message: err.message,
  };
  if (err.params) body.params = err.params;
  if (err.category === 'validation') body.fields = err.fields;
  if (err.current !== undefined) body.current = err.current;
  return body;
}

function sendAppError(reply: FastifyReply, err: AppError) {
  if (err.retryAfterSeconds !== undefined) reply.header('retry-after', err.retryAfterSeconds);
  return reply.code(err.statusCode).send(bodyOf(err));
}

/** Fastify's and plugins' own 4xx (malformed JSON, body too large), by status. */
const codeByStatus: Partial<Record<number, ErrorCode>> = {
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
        const fields = fieldsOf(err, err.validationContext ?? '', request);
        return sendAppError(reply, new ValidationError('Controleer de invoer', fields));
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
        const code = codeByStatus[err.statusCode] ?? 'bad_request';
        const body: ErrorResponse = { error: errorCatalog[code], code, message: err.message };
        return reply.code(err.statusCode).send(body);
      }
      request.log.error({ err: safeError(err) }, 'unhandled error');
      const body: ErrorResponse = {
        error: 'internal',
        code: 'internal',
        message: 'Er ging iets mis aan onze kant',
      };
      return reply.code(500).send(body);
    });
    app.setNotFoundHandler((request, reply) => {
      const body: ErrorResponse = {
        error: 'not_found',
        code: 'not_found',
        message: `Geen route voor ${request.method} ${request.url}`,
      };
      return reply.code(404).send(body);
    });
  },
  { name: 'error-handler' },
);
