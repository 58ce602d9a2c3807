import { z } from 'zod';

export const roles = ['vo_worker', 'vo_planner', 'coordinator', 'municipality', 'admin'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

/** Roles that work with single units (nationwide, without addresses of others). */
export const unitLevelRoles: readonly Role[] = ['vo_worker', 'vo_planner', 'coordinator', 'admin'];
/** Roles that change units: a VO's own staff. */
export const voRoles: readonly Role[] = ['vo_worker', 'vo_planner'];

/** Strict, like every request body: an unknown field is a 400 that names it. */
export const LoginRequest = z.strictObject({
  email: z.email({ message: 'Vul een geldig e-mailadres in' }).max(200),
  password: z.string().min(1, { message: 'Vul je wachtwoord in' }).max(200),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const SessionUser = z.object({
  id: z.int().positive(),
  email: z.string(),
  displayName: z.string(),
  role: Role,
  organisationId: z.int().positive().nullable(),
  organisationName: z.string().nullable(),
  /** Own region: the municipality's region, or the region a VO worker mostly serves. */
  regionId: z.int().positive().nullable(),
});
export type SessionUser = z.infer<typeof SessionUser>;

export const SessionResponse = z.object({ user: SessionUser });
