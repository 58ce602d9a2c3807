import { z } from 'zod';
import {
  CapacitySnapshot,
  dutchDate,
  type PlacementRequest,
  Id,
  IsoDate,
  NonPlacement,
  OverflowRegistration,
  WaitlistEntry,
  type MunicipalityFigures,
  type SliceArrays,
} from '@opvangatlas/shared';
import type { Executor } from '@opvangatlas/db';
import type { Viewer } from '../../live/audience';
import type { LiveEvent, NewEvent } from '../../live/live-event';
import type { LiveChange, LiveModule } from '../../live/live-module';
import { unitEventTypes, type UnitEventData } from '../units/unit-live';
import {
  countCapacity,
  loadCapacityUnits,
  loadInhabitants,
  type CapacityUnit,
} from './capacity-repository';
import { municipalityFigures } from './municipality-figures';
import { recordAudience, seesRecord } from './overflow-privacy';
import { loadRegistrations, registrationsSince } from './overflow-repository';
import { RECENT_MS } from './overflow-rules';
import {
  entriesSince,
  loadEntries,
  loadNonPlacements,
  nonPlacementsSince,
} from './waitlist-repository';

export const overflowEventTypes = [
  'overflow.registered',
  'overflow.checked_in',
  /** The check-in is late: the responsible VO is alerted. */
  'overflow.overdue',
  /** Still late after the grace period: coordinators are alerted too. */
  'overflow.escalated',
  'overflow.ended',
] as const;
export type OverflowEventType = (typeof overflowEventTypes)[number];

export const waitlistEventTypes = [
  'waitlist.added',
  'waitlist.placed',
  'waitlist.moved',
  'waitlist.removed',
] as const;
export type WaitlistEventType = (typeof waitlistEventTypes)[number];

const OverflowEventData = z.object({ registration: OverflowRegistration });
const WaitlistEventData = z.object({ entry: WaitlistEntry });
const NonPlacementEventData = z.object({ record: NonPlacement });
/**
 * A region's new day (Europe/Amsterdam), with its units' count then, once per region and
 * day (municipality-service.ts, startDay). It changes no state: capacity follows the unit
 * events themselves (see `observes` below). It is what moves a quiet municipality's `asOf`
 * and year-to-date windows to the new day. Older events of this type came from a 15 s
 * recount sweep; they are read the same way.
 */
const CapacityEventData = z.object({ regionId: Id, day: IsoDate, capacity: CapacitySnapshot });

export function overflowEvent(
  type: OverflowEventType,
  actorUserId: number | null,
  registration: OverflowRegistration,
  movesFigures: boolean,
): NewEvent {
  return {
    type,
    actorUserId,
    organisationId: registration.organisationId,
    regionId: registration.regionId,
    audience: recordAudience(registration, movesFigures),
    data: { registration } satisfies z.infer<typeof OverflowEventData>,
  };
}

export function waitlistEvent(
  type: WaitlistEventType,
  actorUserId: number | null,
  entry: WaitlistEntry,
): NewEvent {
  return {
    type,
    actorUserId,
    organisationId: entry.organisationId,
    regionId: entry.regionId,
    audience: recordAudience(entry, true),
    data: { entry } satisfies z.infer<typeof WaitlistEventData>,
  };
}

export function nonPlacementEvent(
  actorUserId: number,
  record: NonPlacement,
  movesFigures: boolean,
): NewEvent {
  return {
    type: 'non_placement.recorded',
    actorUserId,
    organisationId: record.organisationId,
    regionId: record.regionId,
    audience: recordAudience(record, movesFigures),
    data: { record } satisfies z.infer<typeof NonPlacementEventData>,
  };
}

export function capacityEvent(regionId: number, day: string, capacity: CapacitySnapshot): NewEvent {
  return {
    type: 'municipality.capacity',
    actorUserId: null,
    organisationId: null,
    regionId,
    audience: { roles: [], organisationIds: [], regionIds: [regionId] },
    data: { regionId, day, capacity } satisfies z.infer<typeof CapacityEventData>,
  };
}

/** Figures go back to 1 January last year: this year against last year. */
export const figuresSince = (today: string) => `${Number(today.slice(0, 4)) - 1}-01-01`;

/**
 * What a unit adds to its region's capacity figures: in service or not, occupied by a
 * household from the region or from elsewhere. A unit event that changes none of this (a
 * hold, a release) leaves the figures as they are.
 */
const capacityPart = (u: CapacityUnit | undefined) =>
  u === undefined
    ? ''
    : `${u.kind}:${u.status === 'out_of_service' ? 'out' : 'in'}:${
        u.status !== 'occupied'
          ? '-'
          : u.originRegionId !== null && u.originRegionId !== u.regionId
            ? 'elsewhere'
            : 'own'
      }`;

/** Whether a unit event moves its region's capacity figures (read from the event alone). */
const movesCapacity = (event: LiveEvent) => {
  const { unit, before } = event.data as UnitEventData;
  const counted = (s: string) => s === 'occupied' || s === 'out_of_service';
  return unit.status !== before.status && (counted(unit.status) || counted(before.status));
};

const recentlyEnded = (at: string | null, now: number) =>
  at === null || now - Date.parse(at) <= RECENT_MS;

/**
 * Overflow stays, waitlists and niet-plaatsingen on the live stream, and each
 * municipality's figures of its own region. The figures are recomputed per change from
 * this module's memory (no database query on delivery), once per region and frame, and
 * are the only thing a municipality ever gets from this module. Capacity and herkomst
 * follow the units module's events, read through a subscription: a unit that changes
 * moves its municipality's figures in the same frame.
 */
export function overflowLiveModule(): LiveModule {
  const registrations = new Map<number, OverflowRegistration>();
  const entries = new Map<number, WaitlistEntry>();
  const records = new Map<number, NonPlacement>();
  /** Units by region, as capacity counts them (CapacityUnit). */
  const unitsByRegion = new Map<number, Map<number, CapacityUnit>>();
  const unitById = new Map<number, CapacityUnit>();
  const putUnit = (u: CapacityUnit) => {
    const before = unitById.get(u.id);
    unitById.set(u.id, u);
    let region = unitsByRegion.get(u.regionId);
    if (!region) unitsByRegion.set(u.regionId, (region = new Map()));
    region.set(u.id, u);
    if (capacityPart(before) !== capacityPart(u)) figures.delete(u.regionId);
  };
  let inhabitants = new Map<number, number | null>();
  const figures = new Map<number, MunicipalityFigures>();

  const figuresOf = (regionId: number): MunicipalityFigures => {
    const today = dutchDate(new Date());
    const cached = figures.get(regionId);
    if (cached?.asOf === today) return cached;
    const computed = municipalityFigures({
      regionId,
      today,
      registrations: registrations.values(),
      waitlist: entries.values(),
      nonPlacements: records.values(),
      capacity: countCapacity(unitsByRegion.get(regionId)?.values() ?? []),
      inhabitants: inhabitants.get(regionId) ?? null,
    });
    figures.set(regionId, computed);
    return computed;
  };

  const onScreen = (viewer: Viewer, now: number) => ({
    overflow: [...registrations.values()].filter(
      (r) => seesRecord(viewer, r) && recentlyEnded(r.endedAt, now),
    ),
    waitlist: [...entries.values()].filter(
      (e) =>
        seesRecord(viewer, e) &&
        (e.status === 'waiting' || recentlyEnded(e.endDate && `${e.endDate}T23:59:59Z`, now)),
    ),
    nonPlacements: [...records.values()].filter(
      (n) => seesRecord(viewer, n) && now - Date.parse(n.createdAt) <= 4 * RECENT_MS,
    ),
  });

  return {
    name: 'overflow',
    events: {
      ...Object.fromEntries(overflowEventTypes.map((t) => [t, OverflowEventData])),
      ...Object.fromEntries(waitlistEventTypes.map((t) => [t, WaitlistEventData])),
      'non_placement.recorded': NonPlacementEventData,
      'municipality.capacity': CapacityEventData,
    },
    async load(ex: Executor) {
      const since = figuresSince(dutchDate(new Date()));
      registrations.clear();
      entries.clear();
      records.clear();
      figures.clear();
      for (const r of await loadRegistrations(ex, registrationsSince(since)))
        registrations.set(r.id, r);
      for (const e of await loadEntries(ex, entriesSince(since))) entries.set(e.id, e);
      for (const n of await loadNonPlacements(ex, nonPlacementsSince(since))) records.set(n.id, n);
      unitById.clear();
      unitsByRegion.clear();
      for (const u of await loadCapacityUnits(ex)) putUnit(u);
      inhabitants = await loadInhabitants(ex);
    },
    apply(event: LiveEvent) {
      // A new day: nothing to store; the projection recomputes the figures for the new date.
      if (event.type === 'municipality.capacity') {
        return;
      } else if (event.type === 'non_placement.recorded') {
        const { record } = event.data as z.infer<typeof NonPlacementEventData>;
        records.set(record.id, record);
        figures.delete(record.regionId);
      } else if (event.type.startsWith('waitlist.')) {
        const { entry } = event.data as z.infer<typeof WaitlistEventData>;
        entries.set(entry.id, entry);
        figures.delete(entry.regionId);
      } else {
        const { registration } = event.data as z.infer<typeof OverflowEventData>;
        registrations.set(registration.id, registration);
        figures.delete(registration.regionId);
      }
    },
    project(event, viewer, cls): LiveChange[] {
      // The one privacy point: a municipality gets its own region's figures, nothing else.
      if (cls === 'municipality') {
        const regionId = viewer.regionId;
        if (regionId === null || regionId !== event.regionId) return [];
        return [{ slice: 'municipality', key: regionId, value: figuresOf(regionId) }];
      }
      if (cls === 'other' || event.type === 'municipality.capacity') return [];
      if (event.type === 'non_placement.recorded') {
        const { record } = event.data as z.infer<typeof NonPlacementEventData>;
        return [{ slice: 'nonPlacements', key: record.id, value: record }];
      }
      if (event.type.startsWith('waitlist.')) {
        const { entry } = event.data as z.infer<typeof WaitlistEventData>;
        return [{ slice: 'waitlist', key: entry.id, value: entry }];
      }
      const { registration } = event.data as z.infer<typeof OverflowEventData>;
      return [{ slice: 'overflow', key: registration.id, value: registration }];
    },
    observes: {
      types: [...unitEventTypes, 'placement.accepted'],
      apply(event) {
        if (event.type === 'placement.accepted') {
          // The unit reserved for the request keeps the household's herkomst (as the
          // database's origin_region_id does) until the household leaves it.
          const { request } = event.data as { request: PlacementRequest };
          const offer = request.offers.find((o) => o.id === request.acceptedOfferId);
          const unit = offer && unitById.get(offer.unitId);
          if (unit) putUnit({ ...unit, originRegionId: request.originRegionId });
          return;
        }
        const { unit } = event.data as UnitEventData;
        const before = unitById.get(unit.id);
        // Only a reservation and an occupied unit keep a herkomst; every other status drops it.
        const keeps = unit.status === 'occupied' || event.type === 'unit.reserved';
        putUnit({
          id: unit.id,
          regionId: unit.regionId,
          kind: unit.kind,
          status: unit.status,
          originRegionId: keeps ? (before?.originRegionId ?? null) : null,
        });
      },
      project(event, viewer, cls): LiveChange[] {
        // Unit events reach their region's municipality; the figures go with them when the
        // unit's part of the capacity moved. Everyone else gets units from the units module.
        if (cls !== 'municipality' || event.type === 'placement.accepted') return [];
        const regionId = viewer.regionId;
        if (regionId === null || regionId !== event.regionId || !movesCapacity(event)) return [];
        return [{ slice: 'municipality', key: regionId, value: figuresOf(regionId) }];
      },
    },
    snapshot(viewer): SliceArrays {
      if (viewer.role === 'municipality') {
        return viewer.regionId === null ? {} : { municipality: [figuresOf(viewer.regionId)] };
      }
      const staff = viewer.organisationId !== null;
      if (!staff && viewer.role !== 'coordinator' && viewer.role !== 'admin') return {};
      return onScreen(viewer, Date.now());
    },
  };
}
