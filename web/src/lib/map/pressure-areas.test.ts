import { describe, expect, it } from 'vitest';
import {
  byRegion,
  countClasses,
  PATTERN_SIZE,
  patternImage,
  pressureFill,
  type PressureClass,
} from './pressure-areas';

describe('pressure areas', () => {
  const classes = new Map<string, PressureClass>([
    ['Rotterdam', 'full'],
    ['Delft', 'ok'],
    ['Venlo', 'none'],
  ]);

  it('colours each region by its class through one match expression', () => {
    expect(byRegion(classes, (c) => pressureFill[c], 'grey')).toEqual([
      'match',
      ['get', 'name'],
      'Rotterdam',
      pressureFill.full,
      'Delft',
      pressureFill.ok,
      'Venlo',
      pressureFill.none,
      'grey',
    ]);
    // maplibre rejects a match without labels: no regions is the fallback alone.
    expect(byRegion(new Map(), (c) => c, 'none')).toBe('none');
  });

  it('counts the regions per class for the legend', () => {
    expect(countClasses(classes)).toEqual({ ok: 1, high: 0, very_high: 0, full: 1, none: 1 });
  });

  it('draws three different patterns, each partly transparent', () => {
    const inked = (kind: 'dots' | 'lines' | 'cross') => {
      const { data, width, height } = patternImage(kind);
      expect([width, height, data.length]).toEqual([PATTERN_SIZE, PATTERN_SIZE, 4 * 64]);
      return Array.from({ length: 64 }, (_, i) => data[i * 4 + 3]! > 0);
    };
    const [dots, lines, cross] = [inked('dots'), inked('lines'), inked('cross')];
    const count = (a: boolean[]) => a.filter(Boolean).length;
    expect(count(dots)).toBeGreaterThan(0);
    expect(count(dots)).toBeLessThan(count(lines));
    expect(count(lines)).toBeLessThan(count(cross));
    expect(count(cross)).toBeLessThan(64);
    // The cross-hatch holds the lines: a darker class looks denser.
    expect(lines.every((on, i) => !on || cross[i])).toBe(true);
  });
});
