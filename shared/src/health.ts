import { z } from 'zod';

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ ok: z.boolean(), driver: z.enum(['pglite', 'postgres']) }),
  bus: z.object({ ok: z.boolean(), kind: z.enum(['memory', 'redis']) }),
  seq: z.int().min(0).nullable(),
  instance: z.string(),
});
export type Health = z.infer<typeof Health>;
