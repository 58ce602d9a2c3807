import { batchFits, type Change, type LiveScope, type ServerMessage, type Snapshot } from './live';
import {
  sliceNames,
  specOf,
  type SliceKey,
  type SliceMaps,
  type SliceName,
  type SliceValue,
} from './live-slices';

/** A client's copy of the live state at one seq. A change makes new slice maps (unless reduced in place). */
export interface LiveData {
  seq: number;
  scope: LiveScope;
  slices: SliceMaps;
}

export type ApplyResult = 'snapshot' | 'applied' | 'skipped' | 'gap' | 'heartbeat';

export function emptySlices(): SliceMaps {
  return Object.fromEntries(sliceNames.map((n) => [n, new Map()])) as unknown as SliceMaps;
}

export function dataFromSnapshot(s: Snapshot): LiveData {
  const slices = emptySlices() as Record<SliceName, Map<SliceKey, unknown>>;
  for (const name of sliceNames) {
    const { key } = specOf(name);
    for (const value of s.slices[name] ?? []) slices[name].set(key(value as never), value);
  }
  return { seq: s.seq, scope: s.scope, slices: slices as unknown as SliceMaps };
}

/**
 * The one reducer of the live stream, used by the web app and by the tests' client. On
 * 'gap' the caller sends `{type:'resync', since: data.seq}` (or without `since` when it
 * holds nothing yet); the state is left as it was.
 */
export function reduceLive(
  data: LiveData | null,
  msg: ServerMessage,
  opts: ReduceOptions = {},
): { data: LiveData | null; result: ApplyResult } {
  if (msg.type === 'heartbeat') return { data, result: 'heartbeat' };
  if (msg.type === 'snapshot') return { data: dataFromSnapshot(msg), result: 'snapshot' };
  if (!data) return { data, result: 'gap' };
  const fit = batchFits(data.seq, msg);
  if (fit !== 'apply') return { data, result: fit === 'skip' ? 'skipped' : 'gap' };
  return {
    data: { ...data, seq: msg.seq, slices: applyChanges(data.slices, msg.changes, opts) },
    result: 'applied',
  };
}

export interface ReduceOptions {
  /**
   * Change the slice maps in place instead of copying the ones that change. For holders
   * that nobody observes by reference (tests, benchmarks with thousands of clients); a UI
   * store keeps the default, so a changed slice is a new object.
   */
  inPlace?: boolean;
}

/** A value from outside the stream (a REST answer) shown at once; never replaces a newer version. */
export function putValue<K extends SliceName>(
  data: LiveData,
  slice: K,
  value: SliceValue<K>,
): LiveData {
  const slices = applyChanges(data.slices, [{ slice, value } as Change]);
  return slices === data.slices ? data : { ...data, slices };
}

function applyChanges(slices: SliceMaps, changes: Change[], opts: ReduceOptions = {}): SliceMaps {
  const copies = new Map<SliceName, Map<SliceKey, unknown>>();
  const writable = (name: SliceName) => {
    if (opts.inPlace) return slices[name] as Map<SliceKey, unknown>;
    let copy = copies.get(name);
    if (!copy) copies.set(name, (copy = new Map(slices[name] as ReadonlyMap<SliceKey, unknown>)));
    return copy;
  };
  // Slices are handled alike whatever their value type: read them as maps of unknown.
  const read = (name: SliceName) =>
    copies.get(name) ?? (slices[name] as ReadonlyMap<SliceKey, unknown>);
  for (const change of changes) {
    const spec = specOf(change.slice);
    if ('remove' in change) {
      if (read(change.slice).has(change.remove)) writable(change.slice).delete(change.remove);
      continue;
    }
    const key = spec.key(change.value as never);
    const current = read(change.slice).get(key);
    if (
      spec.version &&
      current &&
      spec.version(current as never) > spec.version(change.value as never)
    )
      continue;
    writable(change.slice).set(key, change.value);
  }
  if (copies.size === 0) return slices;
  return { ...slices, ...Object.fromEntries(copies) } as SliceMaps;
}

/**
 * A mutable holder around the reducer, for code that keeps one state and reads it
 * imperatively (the tests' websocket client, benchmarks).
 */
export class LiveState {
  data: LiveData | null = null;

  get ready(): boolean {
    return this.data !== null;
  }

  get seq(): number {
    return this.data?.seq ?? -1;
  }

  get scope(): LiveScope | null {
    return this.data?.scope ?? null;
  }

  slice<K extends SliceName>(name: K): SliceMaps[K] {
    return (this.data?.slices ?? emptySlices())[name];
  }

  get units() {
    return this.slice('units');
  }

  get locations() {
    return this.slice('locations');
  }

  get regions() {
    return this.slice('regions');
  }

  apply(msg: ServerMessage): ApplyResult {
    const { data, result } = reduceLive(this.data, msg, { inPlace: true });
    this.data = data;
    return result;
  }

  /** The state as a snapshot message, e.g. to resume a later connection from. */
  toSnapshot(): Snapshot {
    const slices = Object.fromEntries(
      sliceNames.map((n) => [n, [...(this.data?.slices[n].values() ?? [])]]),
    );
    return { type: 'snapshot', seq: this.seq, scope: this.scope ?? 'units', slices };
  }
}
