import { describe, expect, it } from 'vitest';
import { parseServerMessage, type Batch, type Snapshot } from './live';
import { LiveState, putValue, reduceLive } from './live-state';
import type { Unit } from './unit';

const unit = (id: number, version: number): Unit => ({
  id,
  locationId: 1,
  organisationId: 1,
  regionId: 1,
  kind: 'noodbed',
  label: `N${id}`,
  maxPersons: 3,
  mannenopvang: false,
  wheelchair: false,
  largeFamily: false,
  status: 'free',
  since: '2026-01-01T00:00:00Z',
  heldUntil: null,
  heldByOrganisationId: null,
  heldForRequestId: null,
  household: null,
  version,
});
const snapshot = (seq: number): Snapshot => ({
  type: 'snapshot',
  seq,
  scope: 'units',
  slices: { units: [unit(1, 1)] },
});
const batch = (seq: number, prev: number, ...units: Unit[]): Batch => ({
  type: 'batch',
  seq,
  prev,
  at: '2026-01-01T00:00:00Z',
  changes: units.map((u) => ({ slice: 'units', value: u })),
});

describe('LiveState', () => {
  it('applies batches that continue its seq, all changes at once', () => {
    const s = new LiveState();
    s.apply(snapshot(10));
    expect(s.apply(batch(12, 10, unit(1, 2), unit(2, 1)))).toBe('applied');
    expect(s.seq).toBe(12);
    expect(s.units.get(1)!.version).toBe(2);
    expect(s.units.get(2)!.version).toBe(1);
  });

  it('skips what it already has (a replay overlapping live frames)', () => {
    const s = new LiveState();
    s.apply(snapshot(10));
    expect(s.apply(batch(9, 8, unit(1, 5)))).toBe('skipped');
    expect(s.units.get(1)!.version).toBe(1);
  });

  it('reports a gap when a batch’s prev is beyond its seq, and changes nothing', () => {
    const s = new LiveState();
    s.apply(snapshot(10));
    expect(s.apply(batch(14, 12, unit(1, 3)))).toBe('gap');
    expect(s.seq).toBe(10);
    expect(s.units.get(1)!.version).toBe(1);
  });

  it('treats batches before any snapshot as a gap', () => {
    expect(new LiveState().apply(batch(1, 0, unit(1, 2)))).toBe('gap');
  });

  it('removes values and leaves untouched slices as they were', () => {
    const { data } = reduceLive(null, snapshot(1));
    const { data: next } = reduceLive(data, {
      type: 'batch',
      seq: 2,
      prev: 1,
      at: '2026-01-01T00:00:00Z',
      changes: [{ slice: 'units', remove: 1 }],
    });
    expect(next!.slices.units.size).toBe(0);
    expect(next!.slices.locations).toBe(data!.slices.locations);
  });
});

describe('the version rule', () => {
  it('never lets an older version replace a newer one, from a REST answer or a frame', () => {
    const { data } = reduceLive(null, snapshot(10));
    const newer = putValue(data!, 'units', unit(1, 4));
    expect(newer.slices.units.get(1)!.version).toBe(4);
    expect(putValue(newer, 'units', unit(1, 2))).toBe(newer);
    const { data: after } = reduceLive(newer, batch(11, 10, unit(1, 3)));
    expect(after!.slices.units.get(1)!.version).toBe(4);
    expect(after!.seq).toBe(11);
  });
});

describe('parseServerMessage', () => {
  it('checks every slice value against its schema and leaves out unknown slices', () => {
    const ok = parseServerMessage({
      ...snapshot(3),
      slices: { units: [unit(1, 1)], fromTheFuture: [{ x: 1 }] },
    });
    expect(ok.success && ok.data.type === 'snapshot' && Object.keys(ok.data.slices)).toEqual([
      'units',
    ]);
    const bad = parseServerMessage(batch(4, 3, { ...unit(1, 1), status: 'gone' as never }));
    expect(bad.success).toBe(false);
  });
});
