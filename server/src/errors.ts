import type { FieldError } from '@opvangatlas/shared';

/** Typed errors, mapped to status codes once in plugins/error-handler.ts. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: 'validation' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict',
    message: string,
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
