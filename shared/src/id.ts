import { z } from 'zod';

/** Largest value of a Postgres `integer` (int4): every id and version column is one. */
export const MAX_INT4 = 2_147_483_647;

/**
 * A row id in a path, query or body. Coerced, because path and query values arrive as
 * strings; capped at int4, so an id of 2^31 is a 400 here instead of a database error.
 */
export const Id = z.coerce
  .number({ message: 'Moet een getal zijn' })
  .int({ message: 'Moet een geheel getal zijn' })
  .positive({ message: 'Moet groter dan 0 zijn' })
  .max(MAX_INT4, { message: `Mag hoogstens ${MAX_INT4} zijn` });
export type Id = z.infer<typeof Id>;
