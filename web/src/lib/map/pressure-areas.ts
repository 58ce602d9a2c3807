import { pressureLevels, type Pressure } from '@opvangatlas/shared';
import type { ExpressionSpecification } from 'maplibre-gl';

/**
 * The coordinators' pressure map (issues 11 and 14): each region's area filled by its
 * pressure class. Never colour alone: every class above OK also has its own pattern, the
 * legend names them, and each region's marker carries the class as an icon and in words.
 */

/** Areas of the 35 regions, generated at build time (scripts/build-basemap.mjs). */
export const REGIONS_PATH = '/geo/regions.geojson';

export type PressureClass = Pressure | 'none';
export const pressureClasses: readonly PressureClass[] = [...pressureLevels, 'none'];

/** Fill per class: the colours of the pressure badges (app.css), lighter under the markers. */
export const pressureFill: Record<PressureClass, string> = {
  ok: '#9fd3b0',
  high: '#f2c14e',
  very_high: '#ee8a52',
  full: '#c23b3f',
  none: '#d5dbe2',
};

/** Pattern per class, drawn over the fill; OK and unknown stay plain. */
export const pressurePattern: Record<PressureClass, PatternKind | null> = {
  ok: null,
  high: 'dots',
  very_high: 'lines',
  full: 'cross',
  none: null,
};

export type PatternKind = 'dots' | 'lines' | 'cross';

/** Pixels of one pattern tile (square). */
export const PATTERN_SIZE = 8;

/** Whether pixel (x, y) of a tile is drawn, per pattern: dots, diagonal lines, a cross-hatch. */
function inked(kind: PatternKind, x: number, y: number): boolean {
  const diagonal = (x + y) % PATTERN_SIZE < 2;
  if (kind === 'dots') return x % 4 < 2 && y % 4 < 2 && (x + y) % 8 < 4;
  if (kind === 'lines') return diagonal;
  return diagonal || (x - y + PATTERN_SIZE) % PATTERN_SIZE < 2;
}

/** A tile as maplibre's addImage takes it (RGBA, no sprite sheet needed: works offline). */
export function patternImage(
  kind: PatternKind,
  rgb: readonly [number, number, number] = [40, 30, 30],
) {
  const data = new Uint8Array(PATTERN_SIZE * PATTERN_SIZE * 4);
  for (let y = 0; y < PATTERN_SIZE; y++) {
    for (let x = 0; x < PATTERN_SIZE; x++) {
      const i = (y * PATTERN_SIZE + x) * 4;
      data.set(inked(kind, x, y) ? [...rgb, 150] : [0, 0, 0, 0], i);
    }
  }
  return { width: PATTERN_SIZE, height: PATTERN_SIZE, data };
}

/** The image name of a pattern, as the style refers to it. */
export const patternId = (kind: PatternKind) => `pressure-${kind}`;

/** Regions' classes, by the region name the generated areas carry. */
export type ClassByName = ReadonlyMap<string, PressureClass>;

/**
 * A maplibre `match` expression: each region's value by its name, `fallback` for the rest.
 * A match needs at least one label: with no regions it is the fallback alone.
 */
export function byRegion<T extends string>(
  classes: ClassByName,
  value: (c: PressureClass) => T,
  fallback: T,
): ExpressionSpecification | T {
  if (classes.size === 0) return fallback;
  const pairs = [...classes].flatMap(([name, c]) => [name, value(c)]);
  // Built at run time, so TypeScript cannot check the pairs against maplibre's tuple type.
  return ['match', ['get', 'name'], ...pairs, fallback] as unknown as ExpressionSpecification;
}

/** How many regions fall in each class, for the legend. */
export function countClasses(classes: ClassByName): Record<PressureClass, number> {
  const counts = Object.fromEntries(pressureClasses.map((c) => [c, 0])) as Record<
    PressureClass,
    number
  >;
  for (const c of classes.values()) counts[c] += 1;
  return counts;
}
