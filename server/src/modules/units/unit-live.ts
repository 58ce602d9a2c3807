import { z } from 'zod';
import {
  summariseRegion,
  suppressRegionSummary,
  unitLevelRoles,
  Unit,
  type RegionFigures,
  type SliceArrays,
} from '@opvangatlas/shared';
import type { Executor } from '@opvangatlas/db';
import type { Audience, LiveEvent, NewEvent } from '../../live/live-event';
import type { LiveModule } from '../../live/live-module';
import { listUnits, toUnit } from './unit-repository';
import { unitFor } from './unit-privacy';

export const unitEventTypes = [
  'unit.updated',
  'unit.held',
  'unit.released',
  'unit.hold_expired',
  'unit.hold_extended',
  // A placement request's workflow (modules/placements).
  'unit.offered',
  'unit.offer_released',
  'unit.reserved',
  'unit.placed',
] as const;
export type UnitEventType = (typeof unitEventTypes)[number];

/** The full state after the change (household included) and, for the audit trail, before. */
export const UnitEventData = z.object({
  unit: Unit,
  before: z.object({ status: Unit.shape.status, version: z.int() }),
});
export type UnitEventData = z.infer<typeof UnitEventData>;

/**
 * A unit change goes to every unit-level role (household for the own organisation only,
 * see project) and, as its region's figures, to that region's municipality.
 */
export function unitAudience(unit: Pick<Unit, 'regionId'>): Audience {
  return { roles: [...unitLevelRoles], organisationIds: [], regionIds: [unit.regionId] };
}

export function unitEvent(
  type: UnitEventType,
  actorUserId: number | null,
  unit: Unit,
  before: Unit,
): NewEvent {
  const data: UnitEventData = { unit, before: { status: before.status, version: before.version } };
  return {
    type,
    actorUserId,
    organisationId: unit.organisationId,
    regionId: unit.regionId,
    audience: unitAudience(unit),
    refs: { unitId: unit.id, locationId: unit.locationId },
    data,
  };
}

/** Units on the live stream, and the region figures municipalities get instead of units. */
export function unitLiveModule(): LiveModule {
  const units = new Map<number, Unit>();
  const byRegion = new Map<number, Map<number, Unit>>();
  const put = (unit: Unit) => {
    units.set(unit.id, unit);
    let region = byRegion.get(unit.regionId);
    if (!region) byRegion.set(unit.regionId, (region = new Map()));
    region.set(unit.id, unit);
  };
  const regionFigures = (regionId: number): RegionFigures =>
    suppressRegionSummary(summariseRegion(regionId, byRegion.get(regionId)?.values() ?? []));
  return {
    name: 'units',
    events: Object.fromEntries(unitEventTypes.map((t) => [t, UnitEventData])),
    async load(ex: Executor) {
      units.clear();
      byRegion.clear();
      for (const row of await listUnits(ex)) put(toUnit(row));
    },
    apply(event: LiveEvent) {
      put((event.data as UnitEventData).unit);
    },
    project(event, viewer, cls) {
      const { unit } = event.data as UnitEventData;
      // The module's view is at the frame's seq, so these are the figures of that moment.
      if (cls === 'municipality')
        return [{ slice: 'regions', key: unit.regionId, value: regionFigures(unit.regionId) }];
      return [{ slice: 'units', key: unit.id, value: unitFor(viewer, unit) }];
    },
    snapshot(viewer): SliceArrays {
      if (viewer.role === 'municipality') {
        return { regions: viewer.regionId === null ? [] : [regionFigures(viewer.regionId)] };
      }
      if (!unitLevelRoles.includes(viewer.role)) return {};
      return { units: [...units.values()].map((u) => unitFor(viewer, u)) };
    },
  };
}
