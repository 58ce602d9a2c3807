import { describe, expect, it } from 'vitest';
import { declutter, type MarkerBox } from './declutter';

const box = (id: number, x: number, y: number, priority = 0): MarkerBox => ({
  id,
  x,
  y,
  priority,
  width: 100,
  height: 40,
});
const compact = { width: 40, height: 24 };

describe('declutter', () => {
  it('gives isolated markers their full label', () => {
    expect(declutter([box(1, 0, 0), box(2, 500, 500)], compact)).toEqual(new Set([1, 2]));
  });

  it('keeps close markers compact, except the one with the highest priority', () => {
    const result = declutter([box(1, 0, 0, 1), box(2, 30, 10, 9), box(3, 500, 0)], compact);
    expect(result.has(2)).toBe(false); // its full label would hide marker 1
    expect(result.has(1)).toBe(false);
    expect(result.has(3)).toBe(true);
  });

  it('lets a marker go full when its neighbours are far enough for their compact badges', () => {
    const result = declutter([box(1, 0, 0, 5), box(2, 75, 0)], compact);
    expect(result).toEqual(new Set([1]));
  });

  it('always gives pinned markers (selected, own region) their full label', () => {
    const result = declutter([{ ...box(1, 0, 0), pinned: true }, box(2, 30, 10, 9)], compact);
    expect(result).toEqual(new Set([1]));
  });
});
