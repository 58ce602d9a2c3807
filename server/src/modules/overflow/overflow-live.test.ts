import { describe, expect, it } from 'vitest';
import type { MunicipalityFigures, Unit } from '@opvangatlas/shared';
import type { Viewer } from '../../live/audience';
import type { LiveEvent } from '../../live/live-event';
import type { UnitEventType } from '../units/unit-live';
import { overflowLiveModule } from './overflow-live';

/**
 * The municipality's capacity and herkomst follow the unit events and the accepted
 * placement requests the module observes, exactly as the database's origin_region_id does:
 * set when a unit is reserved for a request, kept while occupied, gone when the household
 * leaves or the unit is set to anything else by hand.
 */
const REGION = 7;
const ORIGIN = 3;
const officer: Viewer = { id: 1, role: 'municipality', organisationId: null, regionId: REGION };

let seq = 0;
const base = (type: string, data: unknown): LiveEvent => ({
  seq: ++seq,
  at: new Date().toISOString(),
  type,
  actorUserId: null,
  organisationId: 10,
  regionId: REGION,
  audience: { roles: [], organisationIds: [], regionIds: [REGION] },
  data,
});

const units = new Map<number, Unit>();
function unitEvent(type: UnitEventType, id: number, status: Unit['status']): LiveEvent {
  const before = units.get(id);
  const unit = {
    id,
    locationId: 1,
    organisationId: 10,
    regionId: REGION,
    kind: 'noodbed',
    status,
    version: (before?.version ?? 0) + 1,
  } as Unit;
  units.set(id, unit);
  return base(type, {
    unit,
    before: { status: before?.status ?? status, version: before?.version ?? 1 },
  });
}

const accepted = (unitId: number) =>
  base('placement.accepted', {
    request: {
      originRegionId: ORIGIN,
      acceptedOfferId: 100 + unitId,
      offers: [{ id: 100 + unitId, unitId }],
    },
  });

describe('municipality capacity from observed unit events', () => {
  it('counts places, occupancy and herkomst as the units change, and sends them with the change', () => {
    const m = overflowLiveModule();
    const observe = (e: LiveEvent) => (m.observes!.apply(e), e);
    const capacity = () =>
      (m.snapshot(officer).municipality as MunicipalityFigures[])[0]!.capacity!;
    const sent = (e: LiveEvent) => m.observes!.project!(e, officer, 'municipality');

    for (let id = 1; id <= 6; id++) observe(unitEvent('unit.updated', id, 'free'));
    expect(capacity().total).toMatchObject({ places: 6, inService: 6, occupied: 0 });

    // Six households from another region: reserved through a request, then arrived.
    for (let id = 1; id <= 6; id++) {
      observe(accepted(id));
      observe(unitEvent('unit.reserved', id, 'reserved'));
      const placed = observe(unitEvent('unit.placed', id, 'occupied'));
      expect(sent(placed)).toEqual([
        { slice: 'municipality', key: REGION, value: expect.anything() },
      ]);
    }
    expect(capacity()).toMatchObject({ fromElsewhere: 6, ownRegion: 0, total: { occupied: 6 } });

    // A hold moves no figure: nothing is sent to the municipality for it.
    observe(unitEvent('unit.updated', 7, 'free'));
    expect(sent(observe(unitEvent('unit.held', 7, 'held')))).toEqual([]);

    // Five households of the region itself, taken by hand (no request: no herkomst).
    for (let id = 8; id <= 12; id++) {
      observe(unitEvent('unit.updated', id, 'free'));
      observe(unitEvent('unit.updated', id, 'occupied'));
    }
    expect(capacity()).toMatchObject({ fromElsewhere: 6, ownRegion: 5, total: { occupied: 11 } });

    // One household from elsewhere leaves: its herkomst goes with it; taken again by hand: own.
    observe(unitEvent('unit.updated', 6, 'free'));
    expect(capacity()).toMatchObject({ fromElsewhere: 5, ownRegion: 5, total: { occupied: 10 } });
    observe(unitEvent('unit.updated', 6, 'occupied'));
    expect(capacity()).toMatchObject({ fromElsewhere: 5, ownRegion: 6, total: { occupied: 11 } });

    // Set to reserved by hand (not for a request) and back: the herkomst is gone.
    observe(unitEvent('unit.updated', 5, 'reserved'));
    observe(unitEvent('unit.updated', 5, 'occupied'));
    // Four from elsewhere is a small number: shown as such (own hidden with it), not as 5.
    expect(capacity()).toMatchObject({ fromElsewhere: '<5', total: { occupied: 11 } });

    // Out of service: one place fewer in service, the same number of places.
    observe(unitEvent('unit.updated', 7, 'out_of_service'));
    expect(capacity().total).toMatchObject({ places: 12, inService: 11 });
  });
});
