import { z } from 'zod';
import type { LiveModule } from '../../live/live-module';
import type { NewEvent } from '../../live/live-event';

/**
 * Logins, failed logins and logouts in the audit trail (the events table), so responsibility
 * can be traced (DOMAIN.md: every change records who did it and when). They change nothing a
 * screen shows: their audience is nobody, and this module only tells the hub the types exist.
 */
export const sessionEventTypes = [
  'session.login',
  'session.login_failed',
  'session.logout',
] as const;
export type SessionEventType = (typeof sessionEventTypes)[number];

/**
 * Never the password, the token or the e-mail address: the account is the event's actor (the
 * user id; null for an e-mail that has no account). `session` is the first 12 hex digits of
 * the session id (itself a SHA-256 of the token), enough to pair a login with its logout.
 */
export const SessionEventData = z.strictObject({
  session: z
    .string()
    .regex(/^[0-9a-f]{12}$/)
    .optional(),
  reason: z.enum(['unknown_account', 'wrong_password']).optional(),
});
export type SessionEventData = z.infer<typeof SessionEventData>;

const nobody = { roles: [], organisationIds: [], regionIds: [] };

export function sessionEvent(
  type: SessionEventType,
  user: { id: number; organisationId: number | null; regionId: number | null } | null,
  data: SessionEventData,
): NewEvent {
  return {
    type,
    actorUserId: user?.id ?? null,
    organisationId: user?.organisationId ?? null,
    regionId: user?.regionId ?? null,
    audience: nobody,
    data,
  };
}

export function sessionLiveModule(): LiveModule {
  return {
    name: 'sessions',
    events: Object.fromEntries(sessionEventTypes.map((t) => [t, SessionEventData])),
    async load() {},
    apply() {},
    project: () => [],
    snapshot: () => ({}),
  };
}
