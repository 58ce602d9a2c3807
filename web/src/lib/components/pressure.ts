import type { Pressure } from '@opvangatlas/shared';
import type { IconName } from './Icon.svelte';

/** A different shape per level, so pressure never depends on colour alone. */
export const pressureIcon: Record<Pressure, IconName> = {
  ok: 'check',
  high: 'alert',
  very_high: 'alertDouble',
  full: 'full',
};
