import { z } from 'zod';
import { Location, Unit } from '@opvangatlas/shared';

/**
 * A committed change as it travels on the bus and is replayed from the events table.
 * It holds the full state (household included); live/frames.ts decides who sees what.
 */
const base = {
  seq: z.int().positive(),
  at: z.iso.datetime({ offset: true }),
  actorUserId: z.int().positive().nullable(),
  organisationId: z.int().positive(),
  regionId: z.int().positive(),
};

export const unitEventTypes = [
  'unit.updated',
  'unit.held',
  'unit.released',
  'unit.hold_expired',
] as const;
export const UnitEventType = z.enum(unitEventTypes);
export type UnitEventType = z.infer<typeof UnitEventType>;

export const UnitEvent = z.object({
  ...base,
  type: UnitEventType,
  unit: Unit,
  /** Status and version before the change, for the audit trail. */
  before: z.object({ status: Unit.shape.status, version: z.int() }),
});
export const LocationEvent = z.object({
  ...base,
  type: z.literal('location.confirmed'),
  location: Location,
});
export const LiveEvent = z.discriminatedUnion('type', [UnitEvent, LocationEvent]);
export type UnitEvent = z.infer<typeof UnitEvent>;
export type LocationEvent = z.infer<typeof LocationEvent>;
export type LiveEvent = z.infer<typeof LiveEvent>;
/** An event before it has been given its seq and time by the events table. */
export type NewEvent = DistributiveOmit<LiveEvent, 'seq' | 'at'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
