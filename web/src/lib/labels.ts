import {
  declineReasons,
  genders,
  offerStatuses,
  outcomes,
  placementStatuses,
  pressureLevels,
  unitKinds,
  unitStatuses,
  urgencies,
} from '@opvangatlas/shared';

/** `{ free: 'status.free', ... }`: each value's message key, typed, so t() checks it exists. */
function labels<P extends string, V extends string>(prefix: P, values: readonly V[]) {
  return Object.fromEntries(values.map((v) => [v, `${prefix}.${v}`])) as {
    readonly [K in V]: `${P}.${K}`;
  };
}

/** The labels of the domain's values, one table each: `t(statusLabel[unit.status])`. */
export const statusLabel = labels('status', unitStatuses);
export const kindLabel = labels('kind', unitKinds);
export const pressureLabel = labels('pressure', pressureLevels);

export const urgencyLabel = labels('urgency', urgencies);
export const requestStatusLabel = labels('requestStatus', placementStatuses);
export const outcomeLabel = labels('outcome', outcomes);
export const declineLabel = labels('decline', declineReasons);
export const genderLabel = labels('gender', genders);
export const offerStatusLabel = labels('offerStatus', offerStatuses);
