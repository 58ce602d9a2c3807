import {
  RegionFigures,
  unitLevelRoles,
  type Location,
  type Role,
  type Snapshot,
} from '@opvangatlas/shared';
import type { Api } from '$lib/api';

/**
 * The same state as a live snapshot, built from REST calls. Used when the websocket cannot
 * connect (a proxy that blocks websockets, a flaky phone connection): the night-shift worker
 * still sees the last known numbers, and the socket continues from `seq` once it connects.
 */
export async function loadRestSnapshot(
  api: Api,
  role: Role,
  signal?: AbortSignal,
  /** Locations the client holds already (their intake numbers are not in the REST answer). */
  held?: ReadonlyMap<number, Location>,
): Promise<Snapshot> {
  if (!unitLevelRoles.includes(role)) {
    const availability = await api.municipalityAvailability(signal);
    return {
      type: 'snapshot',
      seq: availability.seq,
      scope: 'aggregates',
      // Parsing drops the name and centre: the slice holds the figures only.
      slices: { regions: availability.regions.map((r) => RegionFigures.parse(r)) },
    };
  }
  // Availability first: its seq is then at or before the units, so replaying deltas from it
  // can only bring units forward (the live client never replaces a newer unit version).
  const availability = await api.availability(signal);
  const units = await api.units({}, signal);
  const locations: Location[] = availability.regions.flatMap((r) =>
    (r.locations ?? []).map((l) => ({
      id: l.id,
      organisationId: l.organisationId,
      organisationName: l.organisationName,
      regionId: r.regionId,
      name: l.name,
      position: r.centre,
      lastConfirmedAt: l.lastConfirmedAt,
      // /api/availability has no intake numbers: the fallback keeps the ones already held.
      intakePhone: held?.get(l.id)?.intakePhone ?? null,
    })),
  );
  return { type: 'snapshot', seq: availability.seq, scope: 'units', slices: { units, locations } };
}
