import { z } from 'zod';

export const FieldError = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof FieldError>;

export const errorCodes = [
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  /** A service the app needs (the database) cannot be reached: try again shortly. */
  'unavailable',
  'internal',
] as const;

export const ErrorResponse = z.object({
  error: z.enum(errorCodes),
  message: z.string(),
  fields: z.array(FieldError).optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;
