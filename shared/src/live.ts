import { z } from 'zod';
import { RegionSummary } from './availability';
import { Location } from './location';
import { Unit } from './unit';

/**
 * Websocket contract of /api/live.
 *
 * Every delta carries its event sequence number `seq` and `prev`, the seq of the previous
 * message in the same stream. A client that holds state at seq S applies a delta when
 * `prev <= S < seq`; `prev > S` means it missed something and must resync (send
 * `{type:'resync', since:S}`), which the server answers with the missed deltas or a fresh
 * snapshot. Streams are filtered per role (a municipality sees only its own region), so
 * seq numbers are not contiguous; `prev` is what makes gaps detectable.
 */
export const Snapshot = z.object({
  type: z.literal('snapshot'),
  seq: z.int().min(0),
  /** `units` for VO staff, coordinators and admins; `aggregates` for municipalities. */
  scope: z.enum(['units', 'aggregates']),
  units: z.array(Unit),
  locations: z.array(Location),
  regions: z.array(RegionSummary),
});
export type Snapshot = z.infer<typeof Snapshot>;

const delta = {
  seq: z.int().positive(),
  prev: z.int().min(0),
  at: z.iso.datetime({ offset: true }),
};

export const UnitDelta = z.object({ type: z.literal('unit'), ...delta, unit: Unit });
export const LocationDelta = z.object({
  type: z.literal('location'),
  ...delta,
  location: Location,
});
export const RegionDelta = z.object({ type: z.literal('region'), ...delta, region: RegionSummary });
export type UnitDelta = z.infer<typeof UnitDelta>;
export type LocationDelta = z.infer<typeof LocationDelta>;
export type RegionDelta = z.infer<typeof RegionDelta>;

export const Delta = z.discriminatedUnion('type', [UnitDelta, LocationDelta, RegionDelta]);
export type Delta = z.infer<typeof Delta>;

export const ServerMessage = z.discriminatedUnion('type', [
  Snapshot,
  UnitDelta,
  LocationDelta,
  RegionDelta,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

export const ResyncRequest = z.object({
  type: z.literal('resync'),
  /** Last seq the client holds; omit for a fresh snapshot. */
  since: z.int().min(0).optional(),
});
export const ClientMessage = z.discriminatedUnion('type', [ResyncRequest]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const LiveQuery = z.object({ since: z.coerce.number().int().min(0).optional() });

/** Close codes the server uses; the client reconnects with its last seq after each. */
export const LIVE_CLOSE_TOO_SLOW = 4008;
export const LIVE_CLOSE_UNAUTHORIZED = 4401;

/** Whether a delta continues the state a client holds at `seq` (see the contract above). */
export function deltaFits(
  clientSeq: number,
  d: Pick<Delta, 'seq' | 'prev'>,
): 'apply' | 'skip' | 'gap' {
  if (d.seq <= clientSeq) return 'skip';
  return d.prev <= clientSeq ? 'apply' : 'gap';
}
