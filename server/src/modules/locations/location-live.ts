import { z } from 'zod';
import { Location, unitLevelRoles, type SliceArrays } from '@opvangatlas/shared';
import type { Executor } from '@opvangatlas/db';
import type { NewEvent } from '../../live/live-event';
import type { LiveModule } from '../../live/live-module';
import { listLocations, toLocation } from './location-repository';

/** The public shape only: the address never travels on the bus or the stream. */
export const LocationEventData = z.object({ location: Location });
type LocationEventData = z.infer<typeof LocationEventData>;

export function locationConfirmedEvent(actorUserId: number, location: Location): NewEvent {
  const data: LocationEventData = { location };
  return {
    type: 'location.confirmed',
    actorUserId,
    organisationId: location.organisationId,
    regionId: location.regionId,
    // Freshness is unit-level information; municipalities see region figures only.
    audience: { roles: [...unitLevelRoles], organisationIds: [], regionIds: [] },
    refs: { locationId: location.id },
    data,
  };
}

export function locationLiveModule(): LiveModule {
  const locations = new Map<number, Location>();
  return {
    name: 'locations',
    events: { 'location.confirmed': LocationEventData },
    async load(ex: Executor) {
      locations.clear();
      for (const row of await listLocations(ex)) locations.set(row.id, toLocation(row));
    },
    apply(event) {
      const { location } = event.data as LocationEventData;
      locations.set(location.id, location);
    },
    project(event) {
      const { location } = event.data as LocationEventData;
      return [{ slice: 'locations', key: location.id, value: location }];
    },
    snapshot(viewer): SliceArrays {
      return unitLevelRoles.includes(viewer.role) ? { locations: [...locations.values()] } : {};
    },
  };
}
