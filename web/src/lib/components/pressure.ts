import type { Pressure } from '@opvangatlas/shared';
import type { IconName } from './Icon.svelte';

/** A different shape per level, so pressure never depends on colour alone. */
export const pressureIcon: Record<Pressure, IconName> = {
  ok: 'check',
  high: 'alert',
  very_high: 'alertDouble',
  full: 'full',
};

export const pressureLabel = {
  ok: 'pressure.ok',
  high: 'pressure.high',
  very_high: 'pressure.very_high',
  full: 'pressure.full',
} as const satisfies Record<Pressure, string>;
