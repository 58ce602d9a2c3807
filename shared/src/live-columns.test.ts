import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSlice, encodeSlice, type ColumnarSlice } from './live-columns';

const unitLike = fc.record({
  id: fc.integer({ min: 1, max: 1_000_000 }),
  kind: fc.constantFrom('noodbed', 'crisis', 'vervolg'),
  label: fc.string(),
  wheelchair: fc.boolean(),
  since: fc
    .integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 })
    .map((ms) => new Date(ms).toISOString()),
  date: fc.constantFrom('2026-11-23', '2026-11-24T10:00:00+01:00', '2026-11-23T20:00:00Z'),
  heldUntil: fc.option(fc.constant('2026-11-23T22:00:00.000Z')),
  household: fc.option(fc.record({ adults: fc.nat(6), children: fc.nat(12) })),
  version: fc.integer({ min: 1, max: 50 }),
});

const roundTrip = (values: unknown[]) => {
  // Through the wire, as a client gets it.
  const wire = JSON.parse(JSON.stringify(encodeSlice(values))) as unknown[] | ColumnarSlice;
  const decoded = decodeSlice(wire);
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded.values;
};

describe('compact snapshot slices', () => {
  it('decode to exactly the values encoded, whatever they hold', () => {
    fc.assert(
      fc.property(fc.array(unitLike, { maxLength: 300 }), (values) => {
        expect(roundTrip(values)).toEqual(values);
      }),
    );
  });

  it('put repeated values in a dictionary and leave numbers and unique strings as they are', () => {
    const values = Array.from({ length: 100 }, (_, i) => ({
      id: i + 1,
      status: i % 3 === 0 ? 'held' : 'free',
      label: `Kamer ${i}`,
      household: i % 2 ? null : { adults: 1, children: 0 },
      heldUntil: null,
      since: new Date(Date.UTC(2026, 10, 23, 20, 0, i)).toISOString(),
    }));
    const encoded = encodeSlice(values) as ColumnarSlice;
    expect(encoded.n).toBe(100);
    expect(encoded.keys).toEqual(['id', 'status', 'label', 'household', 'heldUntil', 'since']);
    expect(encoded.codes).toEqual([
      null,
      ['free', 'held'],
      null,
      [{ adults: 1, children: 0 }, null],
      [null],
      { time: Date.UTC(2026, 10, 23, 20, 0, 0) },
    ]);
    expect(encoded.columns[0]).toEqual(values.map((v) => v.id));
    expect(encoded.columns[4]).toEqual([]);
    expect(encoded.columns[5]).toEqual(values.map((_, i) => i * 1000));
    expect(JSON.stringify(encoded).length).toBeLessThan(JSON.stringify(values).length / 2);
    // Rows that shared a dictionary object do not share it after decoding.
    const decoded = roundTrip(values) as typeof values;
    decoded[0]!.household!.adults = 5;
    expect(decoded[2]!.household).toEqual({ adults: 1, children: 0 });
  });

  it('leave small slices and objects of different shapes as plain arrays', () => {
    const small = [{ id: 1 }, { id: 2 }];
    expect(encodeSlice(small)).toBe(small);
    const mixed = Array.from({ length: 40 }, (_, i) => (i === 7 ? { id: i, extra: 1 } : { id: i }));
    expect(encodeSlice(mixed)).toBe(mixed);
    const withUndefined = Array.from({ length: 40 }, (_, i) => ({ id: i, x: i ? 1 : undefined }));
    expect(encodeSlice(withUndefined)).toBe(withUndefined);
  });

  it('refuse columns that do not fit together', () => {
    const base = {
      n: 2,
      keys: ['id', 'kind'],
      columns: [
        [1, 2],
        [0, 1],
      ],
      codes: [null, ['a', 'b']],
    };
    expect(decodeSlice(base)).toEqual({
      ok: true,
      values: [
        { id: 1, kind: 'a' },
        { id: 2, kind: 'b' },
      ],
    });
    expect(
      decodeSlice({
        ...base,
        columns: [
          [1, 2],
          [0, 2],
        ],
      }).ok,
    ).toBe(false);
    expect(decodeSlice({ ...base, columns: [[1, 2], [0]] }).ok).toBe(false);
    expect(decodeSlice({ ...base, codes: [null] }).ok).toBe(false);
    expect(
      decodeSlice({
        ...base,
        codes: [null, { time: 0 }],
        columns: [
          [1, 2],
          ['x', 1],
        ],
      }).ok,
    ).toBe(false);
    expect(decodeSlice({ ...base, keys: ['__proto__', 'kind'] }).ok).toBe(false);
  });
});
