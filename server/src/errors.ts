import type { ErrorResponse, FieldError } from '@opvangatlas/shared';

/** Typed errors, mapped to status codes once in plugins/error-handler.ts. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorResponse['error'],
    message: string,
    /** Sent as `Retry-After` (seconds) with 429 and 503. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(400, 'validation', message);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Niet ingelogd') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Geen toegang') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Niet gevonden') {
    super(404, 'not_found', message);
  }
}

/** 409; `current` is the state the client should continue from (e.g. the unit as it is now). */
export class ConflictError<T = unknown> extends AppError {
  constructor(
    message: string,
    readonly current?: T,
  ) {
    super(409, 'conflict', message);
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, 'rate_limited', message, retryAfterSeconds);
  }
}

/** 503: the database cannot be reached. Nothing the client did wrong; it may try again soon. */
export class ServiceUnavailableError extends AppError {
  constructor(
    message = 'De database is even niet bereikbaar. Probeer het over een halve minuut opnieuw.',
  ) {
    super(503, 'unavailable', message, 30);
  }
}

/** Socket-level failures: nothing listens, the connection dropped, or the host is unreachable. */
const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * SQLSTATE class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect
 * now) and 53300 (too many connections): the server is not there for us right now.
 */
const unavailableSqlState = /^(08...|57P0[1-3]|53300)$/;

/** Messages of node-postgres and pg-pool for a connection that never came or went away. */
const connectionMessage =
  /timeout exceeded when trying to connect|Connection terminated|connection timeout|Client has encountered a connection error/i;

/**
 * Whether `err` (or an error it wraps: drizzle puts the driver's error in `cause`) means the
 * database cannot be reached, as opposed to a bad query.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return false;
    const { code, message, errors } = e as Partial<Record<string, unknown>>;
    if (
      typeof code === 'string' &&
      (connectionErrorCodes.has(code) || unavailableSqlState.test(code))
    )
      return true;
    // Not drizzle's own message ("Failed query: ..."): it quotes the parameters, user input.
    if (
      typeof message === 'string' &&
      !message.startsWith('Failed query:') &&
      connectionMessage.test(message)
    )
      return true;
    // An AggregateError (connect to both ::1 and 127.0.0.1 refused) carries the causes.
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
