import { z } from 'zod';
import { Pressure, pressureOf, type KindCounts, type RegionSummary } from './availability';
import { Id } from './id';
import { Ratio } from './municipality';
import { LatLon } from './region';
import {
  Cell,
  HIDDEN,
  pinnedFigures,
  sumOf,
  suppressFigures,
  type Equation,
  type FigureInput,
} from './suppression';
import { UnitKind, unitKinds } from './unit';

/**
 * A region's live unit figures as its municipality sees them (the Kaart, /api/availability,
 * the `regions` slice). Places are capacity and shown exactly; a taken place (held, reserved
 * or occupied) is a household, so taken counts of 1-4 read "<5". A free place is not a
 * household, but free and taken add up to the places in service, which are shown: a free
 * count that would give a small taken count away is hidden too (secondary suppression,
 * shared/src/suppression.ts), and so is everything a reader could subtract it from.
 */
export const KindFigures = z.object({
  /** Capacity: shown, unless a region is so small that it would give a taken count away. */
  places: Cell,
  inService: Cell,
  free: Cell,
  taken: Cell,
  /** Persons the free places could still take in: shown or hidden with `free`. */
  freePersons: Cell,
});
export type KindFigures = z.infer<typeof KindFigures>;

export const RegionFigures = z.object({
  regionId: Id,
  kinds: z.record(UnitKind, KindFigures),
  total: KindFigures,
  /** Taken over in service; null without places in service; a label when taken is hidden. */
  occupancy: Ratio,
  /** Null when the occupancy is hidden: a pressure level would narrow it down. */
  pressure: Pressure.nullable(),
});
export type RegionFigures = z.infer<typeof RegionFigures>;

/** /api/availability as a municipality gets it: its own region's figures, no locations. */
export const MunicipalityAvailability = z.object({
  generatedAt: z.iso.datetime({ offset: true }),
  seq: z.int().min(0),
  regions: z.array(RegionFigures.extend({ name: z.string(), centre: LatLon })),
});
export type MunicipalityAvailability = z.infer<typeof MunicipalityAvailability>;

/** Not counts of households: never hidden for being small, only to protect a taken count. */
const notHouseholds = (value: number, group?: string): FigureInput => ({
  value,
  households: Number.MAX_SAFE_INTEGER,
  hiddenMin: 0,
  ...(group ? { group } : {}),
});

type Part = 'total' | UnitKind;

export function suppressRegionSummary(summary: RegionSummary): RegionFigures {
  const countsOf = (part: Part): KindCounts =>
    part === 'total' ? summary.total : summary.kinds[part];
  const inService = (part: Part) => countsOf(part).total - countsOf(part).outOfService;
  // A kind without places in service has nothing taken or free, as anyone can tell.
  const kinds = unitKinds.filter((k) => inService(k) > 0);
  const parts: Part[] = ['total', ...kinds];
  const figures: Record<string, FigureInput> = {};
  for (const part of parts) {
    const c = countsOf(part);
    const taken = c.held + c.reserved + c.occupied;
    figures[`taken.${part}`] = { value: taken, households: taken };
    figures[`free.${part}`] = notHouseholds(c.free, `free.${part}`);
    figures[`persons.${part}`] = notHouseholds(c.freePersons, `free.${part}`);
    figures[`service.${part}`] = notHouseholds(inService(part), 'capacity');
    figures[`places.${part}`] = notHouseholds(c.total, 'capacity');
  }
  const ids = (prefix: string) => kinds.map((k) => `${prefix}.${k}`);
  const equations: Equation[] = [
    ...parts.map((p) => ({ plus: [`free.${p}`, `taken.${p}`], minus: [`service.${p}`] })),
    sumOf(ids('taken'), 'taken.total'),
    sumOf(ids('free'), 'free.total'),
    sumOf(ids('persons'), 'persons.total'),
    sumOf(ids('service'), 'service.total'),
  ];
  let cells = suppressFigures(figures, equations);
  // Sums that chain (a kind bounded by its places, the kinds by the total) can still pin a
  // small count down in a tiny region; then its capacity is hidden as well.
  if (pinnedFigures(figures, equations, cells).length > 0) {
    cells = { ...cells };
    for (const id of Object.keys(figures)) {
      if (id.startsWith('service.') || id.startsWith('places.')) cells[id] = HIDDEN;
    }
  }
  const cell = (id: string, fallback: number): Cell => cells[id] ?? fallback;
  const kind = (part: Part): KindFigures => ({
    places: cell(`places.${part}`, countsOf(part).total),
    inService: cell(`service.${part}`, inService(part)),
    free: cell(`free.${part}`, 0),
    taken: cell(`taken.${part}`, 0),
    freePersons: cell(`persons.${part}`, 0),
  });
  const total = kind('total');
  const occupancy =
    inService('total') === 0
      ? null
      : typeof total.taken !== 'number'
        ? total.taken
        : typeof total.inService !== 'number'
          ? total.inService
          : summary.occupancy;
  return {
    regionId: summary.regionId,
    kinds: Object.fromEntries(unitKinds.map((k) => [k, kind(k)])) as RegionFigures['kinds'],
    total,
    occupancy,
    pressure: typeof occupancy === 'number' || occupancy === null ? pressureOf(occupancy) : null,
  };
}
