import { z } from 'zod';
import { Id } from './id';
import { Freshness } from './location';
import { LatLon } from './region';
import { UnitKind, unitKinds, type Unit } from './unit';

export const KindCounts = z.object({
  free: z.int(),
  held: z.int(),
  reserved: z.int(),
  occupied: z.int(),
  outOfService: z.int(),
  total: z.int(),
  /** Sum of max persons over the free units: how many people could still come in. */
  freePersons: z.int(),
});
export type KindCounts = z.infer<typeof KindCounts>;

export const pressureLevels = ['ok', 'high', 'very_high', 'full'] as const;
export const Pressure = z.enum(pressureLevels);
export type Pressure = z.infer<typeof Pressure>;

/**
 * Capacity is managed on margins, not averages: 85% is the target occupancy (docs/DOMAIN.md),
 * above 95% a region has practically no room left for an acute placement.
 */
export function pressureOf(occupancy: number | null): Pressure {
  if (occupancy === null || occupancy < 0.85) return 'ok';
  if (occupancy < 0.95) return 'high';
  return occupancy < 1 ? 'very_high' : 'full';
}

export const RegionSummary = z.object({
  regionId: z.int().positive(),
  kinds: z.record(UnitKind, KindCounts),
  total: KindCounts,
  /** Taken (held, reserved, occupied) over units in service; null without units in service. */
  occupancy: z.number().min(0).max(1).nullable(),
  pressure: Pressure,
});
export type RegionSummary = z.infer<typeof RegionSummary>;

export const LocationAvailability = z.object({
  id: z.int().positive(),
  name: z.string(),
  organisationId: z.int().positive(),
  organisationName: z.string(),
  lastConfirmedAt: z.iso.datetime({ offset: true }).nullable(),
  freshness: Freshness,
  free: z.record(UnitKind, z.int()),
});
export type LocationAvailability = z.infer<typeof LocationAvailability>;

export const RegionAvailability = RegionSummary.extend({
  name: z.string(),
  centre: LatLon,
  /** Omitted for municipality users, who see aggregates only. */
  locations: z.array(LocationAvailability).optional(),
});
export type RegionAvailability = z.infer<typeof RegionAvailability>;

export const Availability = z.object({
  generatedAt: z.iso.datetime({ offset: true }),
  seq: z.int().min(0),
  regions: z.array(RegionAvailability),
});
export type Availability = z.infer<typeof Availability>;

export const AvailabilityQuery = z.object({
  regionId: Id.optional(),
  kind: UnitKind.optional(),
});
export type AvailabilityQuery = z.infer<typeof AvailabilityQuery>;

export function emptyCounts(): KindCounts {
  return { free: 0, held: 0, reserved: 0, occupied: 0, outOfService: 0, total: 0, freePersons: 0 };
}

const statusField = {
  free: 'free',
  held: 'held',
  reserved: 'reserved',
  occupied: 'occupied',
  out_of_service: 'outOfService',
} as const;

function addUnit(c: KindCounts, u: Pick<Unit, 'status' | 'maxPersons'>): void {
  c[statusField[u.status]] += 1;
  c.total += 1;
  if (u.status === 'free') c.freePersons += u.maxPersons;
}

/** One function for server and web, so a region's numbers are the same everywhere. */
export function summariseRegion(
  regionId: number,
  units: Iterable<Pick<Unit, 'kind' | 'status' | 'maxPersons'>>,
): RegionSummary {
  const kinds = Object.fromEntries(unitKinds.map((k) => [k, emptyCounts()])) as Record<
    UnitKind,
    KindCounts
  >;
  const total = emptyCounts();
  for (const u of units) {
    addUnit(kinds[u.kind], u);
    addUnit(total, u);
  }
  const inService = total.total - total.outOfService;
  const occupancy = inService > 0 ? (inService - total.free) / inService : null;
  return { regionId, kinds, total, occupancy, pressure: pressureOf(occupancy) };
}
