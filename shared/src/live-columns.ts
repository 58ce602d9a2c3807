import { z } from 'zod';

/**
 * The compact form of a snapshot slice: its values column by column, with repeated
 * non-numeric values (kinds, statuses, booleans, null) replaced by their index in a
 * per-column dictionary, most frequent first, a column of one value by nothing, and
 * timestamps by milliseconds. 1,024 units go from ~320 KB of objects to ~40 KB, and the
 * server renders it once per kind of viewer and seq.
 * Generic: any slice of flat objects that all have the same keys is encoded so; any other
 * slice, and a small one, stays a plain array. `decodeSlice` gives back equal objects.
 */
export const ColumnarSlice = z.object({
  /** The number of values. */
  n: z.int().min(0),
  keys: z.array(z.string()),
  /**
   * One array per key, of length n: the values, or their dictionary indexes; empty when the
   * key has one value throughout (its dictionary's only entry).
   */
  columns: z.array(z.array(z.unknown())),
  /**
   * Per key, how its column is coded: null, the values as they are; an array, the dictionary
   * its indexes point into; `{time}`, ISO timestamps as milliseconds after `time`.
   */
  codes: z.array(z.union([z.null(), z.array(z.unknown()), z.object({ time: z.number() })])),
});
export type ColumnarSlice = z.infer<typeof ColumnarSlice>;

/** Below this many values the plain array is about as small, and easier to read. */
const MIN_VALUES = 32;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Dictionary key: primitives as themselves, objects by their JSON. */
const dictKey = (v: unknown): unknown =>
  typeof v === 'object' && v !== null ? JSON.stringify(v) : v;

export function encodeSlice(values: readonly unknown[]): unknown[] | ColumnarSlice {
  if (values.length < MIN_VALUES || !values.every(isPlainObject)) return values as unknown[];
  const objects = values as ReadonlyArray<Record<string, unknown>>;
  const keys = Object.keys(objects[0]!);
  const keySet = new Set(keys);
  for (const o of objects) {
    const own = Object.keys(o);
    if (own.length !== keys.length || !own.every((k) => keySet.has(k))) return values as unknown[];
    // undefined does not survive JSON: such a slice is left as it is.
    if (own.some((k) => o[k] === undefined)) return values as unknown[];
  }
  const columns: unknown[][] = [];
  const codes: ColumnarSlice['codes'] = [];
  for (const k of keys) {
    const column = objects.map((o) => o[k]);
    const code = dictionaryOf(column) ?? timesOf(column);
    if (!code) {
      columns.push(column);
      codes.push(null);
    } else if ('time' in code) {
      columns.push(column.map((v) => Date.parse(v as string) - code.time));
      codes.push(code);
    } else {
      const index = new Map(code.map((v, i) => [dictKey(v), i]));
      columns.push(code.length === 1 ? [] : column.map((v) => index.get(dictKey(v))!));
      codes.push(code);
    }
  }
  return { n: objects.length, keys, columns, codes };
}

/** Distinct values, most frequent first, when they repeat enough to pay; never for numbers. */
function dictionaryOf(column: unknown[]): unknown[] | null {
  const counts = new Map<unknown, { value: unknown; n: number }>();
  for (const v of column) {
    if (typeof v === 'number') return null;
    const dk = dictKey(v);
    const seen = counts.get(dk);
    if (seen) seen.n += 1;
    else counts.set(dk, { value: v, n: 1 });
    if (counts.size * 2 > column.length) return null;
  }
  return [...counts.values()].sort((a, b) => b.n - a.n).map((d) => d.value);
}

/** A column of ISO timestamps that survive the trip through milliseconds unchanged. */
function timesOf(column: unknown[]): { time: number } | null {
  let min = Infinity;
  for (const v of column) {
    if (typeof v !== 'string' || !/^\d{4}-\d\d-\d\dT/.test(v)) return null;
    const ms = Date.parse(v);
    if (!Number.isFinite(ms) || new Date(ms).toISOString() !== v) return null;
    min = Math.min(min, ms);
  }
  return { time: min };
}

/** The slice's values; an error message when the columns do not fit together. */
export function decodeSlice(
  slice: unknown[] | ColumnarSlice,
): { ok: true; values: unknown[] } | { ok: false; error: string } {
  if (Array.isArray(slice)) return { ok: true, values: slice };
  const { n, keys, columns, codes } = slice;
  if (columns.length !== keys.length || codes.length !== keys.length)
    return { ok: false, error: 'columns, codes and keys differ in number' };
  if (keys.includes('__proto__')) return { ok: false, error: 'key __proto__' };
  const values: Array<Record<string, unknown>> = Array.from({ length: n }, () => ({}));
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const column = columns[k]!;
    const code = codes[k];
    const constant = Array.isArray(code) && code.length === 1 && column.length === 0;
    if (column.length !== n && !constant) return { ok: false, error: `${key}: not ${n} values` };
    for (let i = 0; i < n; i++) {
      let v = constant ? 0 : column[i];
      if (Array.isArray(code)) {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= code.length)
          return { ok: false, error: `${key}: index outside the dictionary` };
        v = structuredCloneIfObject(code[v]);
      } else if (code) {
        if (typeof v !== 'number') return { ok: false, error: `${key}: not a time` };
        v = new Date(code.time + v).toISOString();
      }
      values[i]![key] = v;
    }
  }
  return { ok: true, values };
}

/** Objects from a dictionary are shared by many rows: each row gets its own copy. */
const structuredCloneIfObject = (v: unknown) =>
  typeof v === 'object' && v !== null ? (JSON.parse(JSON.stringify(v)) as unknown) : v;
