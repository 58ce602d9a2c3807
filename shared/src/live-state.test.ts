import { describe, expect, it } from 'vitest';
import type { Snapshot, UnitDelta } from './live';
import { LiveState } from './live-state';
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
  household: null,
  version,
});
const snapshot = (seq: number): Snapshot => ({
  type: 'snapshot',
  seq,
  scope: 'units',
  units: [unit(1, 1)],
  locations: [],
  regions: [],
});
const delta = (seq: number, prev: number, version: number): UnitDelta => ({
  type: 'unit',
  seq,
  prev,
  at: '2026-01-01T00:00:00Z',
  unit: unit(1, version),
});

describe('LiveState', () => {
  it('applies deltas that continue its seq', () => {
    const s = new LiveState();
    s.apply(snapshot(10));
    expect(s.apply(delta(12, 10, 2))).toBe('applied');
    expect(s.seq).toBe(12);
    expect(s.units.get(1)!.version).toBe(2);
  });

  it('skips what it already has (a replay overlapping live frames)', () => {
    const s = new LiveState();
    s.apply(snapshot(10));
    expect(s.apply(delta(9, 8, 5))).toBe('skipped');
    expect(s.units.get(1)!.version).toBe(1);
  });

  it('reports a gap when a delta’s prev is beyond its seq, and changes nothing', () => {
    const s = new LiveState();
    s.apply(snapshot(10));
    expect(s.apply(delta(14, 12, 3))).toBe('gap');
    expect(s.seq).toBe(10);
    expect(s.units.get(1)!.version).toBe(1);
  });

  it('treats deltas before any snapshot as a gap', () => {
    expect(new LiveState().apply(delta(1, 0, 2))).toBe('gap');
  });
});
