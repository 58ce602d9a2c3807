import { z } from 'zod';
import { ColumnarSlice, decodeSlice } from './live-columns';
import {
  isSliceName,
  specOf,
  type SliceArrays,
  type SliceKey,
  type SliceName,
  type SliceValue,
} from './live-slices';
import { unitLevelRoles, type Role } from './session';

export { ColumnarSlice, decodeSlice, encodeSlice } from './live-columns';

/**
 * Websocket contract of /api/live.
 *
 * The server first sends a `snapshot` of every slice the viewer may see, at event seq `seq`.
 * After that it sends `batch` frames: all changes of one or more committed transactions,
 * applied together (a swap of three units never shows half done). A batch carries the seq
 * of its last event and `prev`, the seq of the previous frame sent to this client. The
 * stream is filtered per viewer, so seqs are not contiguous; a client holding state at S
 * applies a batch when `prev <= S < seq`, skips it when `seq <= S`, and on `prev > S` has
 * missed something and sends `{type:'resync', since:S}`, answered with one batch of what it
 * missed or a fresh snapshot. `heartbeat` frames prove the connection is alive.
 */
export const liveScopes = ['units', 'aggregates'] as const;
export type LiveScope = (typeof liveScopes)[number];
export const scopeOf = (role: Role): LiveScope =>
  unitLevelRoles.includes(role) ? 'units' : 'aggregates';

const SliceKeySchema = z.union([z.int(), z.string()]);

/** The wire shape before the slices are checked against their schemas (see parseServerMessage). */
const RawSnapshot = z.object({
  type: z.literal('snapshot'),
  seq: z.int().min(0),
  /** `units` for VO staff, coordinators and admins; `aggregates` for municipalities. */
  scope: z.enum(liveScopes),
  /** Per slice its values, or for a big one the same values column by column (live-columns.ts). */
  slices: z.record(z.string(), z.union([z.array(z.unknown()), ColumnarSlice])),
});
const RawChange = z.union([
  z.object({ slice: z.string(), value: z.unknown() }),
  z.object({ slice: z.string(), remove: SliceKeySchema }),
]);
const RawBatch = z.object({
  type: z.literal('batch'),
  seq: z.int().positive(),
  prev: z.int().min(0),
  at: z.iso.datetime({ offset: true }),
  changes: z.array(RawChange),
});
export const Heartbeat = z.object({
  type: z.literal('heartbeat'),
  at: z.iso.datetime({ offset: true }),
  /**
   * `database_unavailable`: the server cannot reach its database, so no change can be made
   * and the state shown may be behind; sent at once when it changes, `ok` when it is back.
   */
  status: z.enum(['ok', 'database_unavailable']).optional(),
});
const RawServerMessage = z.discriminatedUnion('type', [RawSnapshot, RawBatch, Heartbeat]);

export interface Snapshot {
  type: 'snapshot';
  seq: number;
  scope: LiveScope;
  slices: SliceArrays;
}
export type Change = {
  [K in SliceName]: { slice: K; value: SliceValue<K> } | { slice: K; remove: SliceKey };
}[SliceName];
export interface Batch {
  type: 'batch';
  seq: number;
  prev: number;
  at: string;
  changes: Change[];
}
export type Heartbeat = z.infer<typeof Heartbeat>;
export type ServerMessage = Snapshot | Batch | Heartbeat;

export type ParseResult =
  { success: true; data: ServerMessage } | { success: false; error: string };

/**
 * Checks a message against the contract, every slice value against its own schema. Slices
 * this client does not know are left out, so an older web app keeps working while a newer
 * server adds kinds of change.
 */
export function parseServerMessage(json: unknown): ParseResult {
  const raw = RawServerMessage.safeParse(json);
  if (!raw.success) return { success: false, error: raw.error.message };
  const msg = raw.data;
  if (msg.type === 'heartbeat') return { success: true, data: msg };
  if (msg.type === 'snapshot') {
    const slices: Record<string, unknown[]> = {};
    for (const [name, encoded] of Object.entries(msg.slices)) {
      if (!isSliceName(name)) continue;
      const values = decodeSlice(encoded);
      if (!values.ok) return { success: false, error: `${name}: ${values.error}` };
      const parsed = z.array(specOf(name).schema).safeParse(values.values);
      if (!parsed.success) return { success: false, error: `${name}: ${parsed.error.message}` };
      slices[name] = parsed.data;
    }
    return { success: true, data: { ...msg, slices: slices as SliceArrays } };
  }
  const changes: Change[] = [];
  for (const c of msg.changes) {
    if (!isSliceName(c.slice)) continue;
    if ('remove' in c) {
      changes.push({ slice: c.slice, remove: c.remove } as Change);
      continue;
    }
    const parsed = specOf(c.slice).schema.safeParse(c.value);
    if (!parsed.success) return { success: false, error: `${c.slice}: ${parsed.error.message}` };
    changes.push({ slice: c.slice, value: parsed.data } as Change);
  }
  return { success: true, data: { ...msg, changes } };
}

export const ResyncRequest = z.strictObject({
  type: z.literal('resync'),
  /** Last seq the client holds; omit for a fresh snapshot. */
  since: z.int().min(0).optional(),
});
export const ClientMessage = z.discriminatedUnion('type', [ResyncRequest]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export const LiveQuery = z.object({
  since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});

/** Close codes the server uses; the client reconnects with its last seq after each but 4401. */
export const LIVE_CLOSE_TOO_SLOW = 4008;
export const LIVE_CLOSE_UNAUTHORIZED = 4401;
export const LIVE_CLOSE_TOO_MANY = 4429;
/** The instance is shutting down (RFC 6455 "service restart"): reconnect now, elsewhere. */
export const LIVE_CLOSE_RESTART = 1012;

/** Whether a batch continues the state a client holds at `seq` (see the contract above). */
export function batchFits(
  clientSeq: number,
  b: Pick<Batch, 'seq' | 'prev'>,
): 'apply' | 'skip' | 'gap' {
  if (b.seq <= clientSeq) return 'skip';
  return b.prev <= clientSeq ? 'apply' : 'gap';
}
