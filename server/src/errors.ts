import {
  categoryOf,
  type ErrorCategory,
  type ErrorCode,
  type ErrorParams,
  type FieldError,
} from '@opvangatlas/shared';

/*
 * How a service raises an error
 * -----------------------------
 * Throw an AppError with a code from `errorCatalog` (shared/src/errors.ts). The code's
 * category gives the status (conflict -> 409, forbidden -> 403, ...), and the error handler
 * (plugins/error-handler.ts) turns it into `{ error, code, message, params?, current? }`:
 *
 *   throw new AppError('unit_taken', 'Deze ruimte is niet meer vrij', {
 *     current: visibleUnit(actor, unit), // 409: the state to continue from, as the actor may see it
 *   });
 *   throw new AppError('hold_limit_user', `Je houdt al ${held} ruimtes vast`, {
 *     params: { held, max }, // filled into the web's translation: "{held}", "{max}"
 *   });
 *
 * A new code is one line in `errorCatalog` plus its text in web/src/lib/i18n/nl.ts and en.ts
 * (`error.code.<code>`; the typecheck fails until both have it). `message` is Dutch, for the
 * log, curl and scripts; the web shows its own translation of `code`, never `message`.
 * Field errors of a 400: `new ValidationError(message, [{ path, code, message, params }])`
 * with a code from `fieldErrorCodes`. The classes below raise the generic code of their
 * category (`new ForbiddenError()` is `forbidden`); `instanceof ConflictError` is true of
 * every 409, however it was raised. Test a code with `isAppError(err, 'unit_taken')`.
 */

export interface AppErrorOptions {
  params?: ErrorParams;
  /** 409: the state the client should continue from (e.g. the unit as it is now). */
  current?: unknown;
  /** 400: what is wrong with which field. */
  fields?: FieldError[];
  /** Sent as `Retry-After` (seconds) with 429 and 503. */
  retryAfterSeconds?: number;
}

const statusOf: Record<ErrorCategory, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** Typed errors with a stable code, mapped to status and body once in plugins/error-handler.ts. */
export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  readonly category: ErrorCategory;
  readonly statusCode: number;
  readonly params: ErrorParams | undefined;
  readonly current: unknown;
  readonly fields: FieldError[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: C,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.category = categoryOf(code);
    this.statusCode = statusOf[this.category];
    this.params = options.params;
    this.current = options.current;
    this.fields = options.fields ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Whether `err` is an AppError, with one of `codes` when given. */
export function isAppError(err: unknown, ...codes: ErrorCode[]): err is AppError {
  return err instanceof AppError && (codes.length === 0 || codes.includes(err.code));
}

/** `instanceof` for the category classes: every AppError of the category, whatever its code. */
const ofCategory = (value: unknown, category: ErrorCategory) =>
  value instanceof AppError && value.category === category;

export class ValidationError extends AppError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return ofCategory(value, 'validation');
  }
  constructor(message: string, fields: FieldError[] = []) {
    super('validation', message, { fields });
  }
}

export class UnauthorizedError extends AppError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return ofCategory(value, 'unauthorized');
  }
  constructor(message = 'Niet ingelogd') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return ofCategory(value, 'forbidden');
  }
  constructor(message = 'Geen toegang') {
    super('forbidden', message);
  }
}

export class NotFoundError extends AppError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return ofCategory(value, 'not_found');
  }
  constructor(message = 'Niet gevonden') {
    super('not_found', message);
  }
}

/** 409; `current` is the state the client should continue from (e.g. the unit as it is now). */
export class ConflictError<T = unknown> extends AppError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return ofCategory(value, 'conflict');
  }
  declare readonly current: T | undefined;
  constructor(message: string, current?: T) {
    super('conflict', message, { current });
  }
}

export class RateLimitedError extends AppError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return ofCategory(value, 'rate_limited');
  }
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message, { retryAfterSeconds });
  }
}

/** 503: the database cannot be reached. Nothing the client did wrong; it may try again soon. */
export class ServiceUnavailableError extends AppError {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return ofCategory(value, 'unavailable');
  }
  constructor(
    message = 'De database is even niet bereikbaar. Probeer het over een halve minuut opnieuw.',
  ) {
    super('unavailable', message, { retryAfterSeconds: 30 });
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
