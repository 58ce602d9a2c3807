import type { z } from 'zod';
import { AlertRuleSet } from './alerts';
import { Location } from './location';
import { MunicipalityFigures } from './municipality';
import { OverflowRegistration } from './overflow';
import { PlacementRequest } from './placement';
import { RegionFigures } from './region-figures';
import { SwapProposal } from './swap';
import { NonPlacement, WaitlistEntry } from './waitlist';
import { Unit } from './unit';

export type SliceKey = number | string;

/**
 * What the live stream keeps on a client: named collections ("slices") of one schema each,
 * keyed by id. A domain that puts a new kind of thing on the stream adds one line here with
 * its schema from its own shared file; the wire contract, the reducer, the web store and the
 * test client need no change.
 */
export interface SliceSpec<T, K extends SliceKey = SliceKey> {
  schema: z.ZodType<T>;
  key: (value: T) => K;
  /** When given, a value never replaces one with a higher version (a late REST answer). */
  version?: (value: T) => number;
}

const slice = <T, K extends SliceKey>(spec: SliceSpec<T, K>) => spec;

export const liveSlices = {
  units: slice({ schema: Unit, key: (u) => u.id, version: (u) => u.version }),
  locations: slice({ schema: Location, key: (l) => l.id }),
  /** A municipality's own region, small counts suppressed; with `municipality` below, all it gets. */
  regions: slice({ schema: RegionFigures, key: (r) => r.regionId }),
  /** Placement requests the viewer may see, as it may see them. */
  requests: slice({ schema: PlacementRequest, key: (r) => r.id, version: (r) => r.version }),
  /** Overflow stays (hotel, vakantiepark, ...): the responsible VO, coordinators, admins. */
  overflow: slice({ schema: OverflowRegistration, key: (r) => r.id, version: (r) => r.version }),
  /** Ruil proposals: the VOs in them (each its own part), coordinators, admins. */
  swaps: slice({ schema: SwapProposal, key: (p) => p.id, version: (p) => p.version }),
  waitlist: slice({ schema: WaitlistEntry, key: (e) => e.id, version: (e) => e.version }),
  nonPlacements: slice({ schema: NonPlacement, key: (n) => n.id }),
  /** A municipality's own region, suppressed (shared/src/municipality.ts); nothing else of the above. */
  municipality: slice({ schema: MunicipalityFigures, key: (f) => f.regionId }),
  /** A coordinator's own Druk alert rules, to the coordinator's other screens when saved. */
  alertRules: slice({ schema: AlertRuleSet, key: (r) => r.userId, version: (r) => r.version }),
};

export type LiveSlices = typeof liveSlices;
export type SliceName = keyof LiveSlices;
export type SliceValue<N extends SliceName> =
  LiveSlices[N] extends SliceSpec<infer T, SliceKey> ? T : never;
export type SliceKeyOf<N extends SliceName> = ReturnType<LiveSlices[N]['key']>;
export type SliceMaps = { [N in SliceName]: ReadonlyMap<SliceKeyOf<N>, SliceValue<N>> };
export type SliceArrays = { [K in SliceName]?: SliceValue<K>[] };
export const sliceNames = Object.keys(liveSlices) as SliceName[];

export function isSliceName(name: string): name is SliceName {
  return Object.hasOwn(liveSlices, name);
}

export function specOf<N extends SliceName>(name: N): SliceSpec<SliceValue<N>> {
  return liveSlices[name] as unknown as SliceSpec<SliceValue<N>>;
}
