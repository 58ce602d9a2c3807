import { z } from 'zod';
import { Role } from '@opvangatlas/shared';

/**
 * Who may receive an event: every user with one of `roles`, every member of one of
 * `organisationIds`, and the region-bound viewers (municipality officers) of `regionIds`.
 * Stored in columns of `events`, so replay and resume filter without domain code.
 */
export const Audience = z.object({
  roles: z.array(Role),
  organisationIds: z.array(z.int().positive()),
  regionIds: z.array(z.int().positive()),
});
export type Audience = z.infer<typeof Audience>;

/**
 * A committed change as it travels on the bus and is replayed from the events table. `data`
 * is the domain payload, checked by the owning module's schema (live/live-module.ts); it
 * holds the full state, and the module's projector decides who sees what of it.
 */
export const LiveEvent = z.object({
  seq: z.int().positive(),
  at: z.iso.datetime({ offset: true }),
  type: z.string().min(1),
  /** Null for the system (hold expiry, escalation timers). */
  actorUserId: z.int().positive().nullable(),
  /** The organisation the subject belongs to: its members are the "own" viewers. */
  organisationId: z.int().positive().nullable(),
  regionId: z.int().positive().nullable(),
  audience: Audience,
  data: z.unknown(),
});
export type LiveEvent = z.infer<typeof LiveEvent>;

/**
 * An event before the events table has given it its seq and time. `refs` fill the indexed
 * columns the audit trail is searched by (which unit, which location).
 */
export type NewEvent = Omit<LiveEvent, 'seq' | 'at'> & {
  refs?: { unitId?: number; locationId?: number };
  /**
   * What the events table keeps, when it differs from `data`: details that must be
   * deletable later (a household's composition after the retention time) stay out of the
   * append-only log. `data` still travels on the bus; the owning module's `hydrate` puts
   * the details back when events are read from the table.
   */
  storedData?: unknown;
};

/**
 * What travels between instances: the events of one transaction together (so every
 * instance delivers them as one frame), or the sessions that ended (logout), whose sockets
 * every instance closes.
 */
export const BusMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('events'), events: z.array(LiveEvent).min(1) }),
  z.object({ kind: z.literal('sessions_ended'), sessionIds: z.array(z.string().min(1)).min(1) }),
]);
export type BusMessage = z.infer<typeof BusMessage>;
