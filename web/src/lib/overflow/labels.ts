import {
  nonPlacementReasons,
  overflowOutcomes,
  overflowTypes,
  waitlistStatuses,
} from '@opvangatlas/shared';

/** `{ hotel: 'overflowType.hotel', ... }`: each value's message key, typed for t(). */
function labels<P extends string, V extends string>(prefix: P, values: readonly V[]) {
  return Object.fromEntries(values.map((v) => [v, `${prefix}.${v}`])) as {
    readonly [K in V]: `${P}.${K}`;
  };
}

export const overflowTypeLabel = labels('overflowType', overflowTypes);
export const overflowOutcomeLabel = labels('overflowOutcome', overflowOutcomes);
export const waitlistStatusLabel = labels('waitlistStatus', waitlistStatuses);
export const nonPlacementReasonLabel = labels('nonPlacementReason', nonPlacementReasons);
