/** All Redis channel names in one place. */
export const CHANNELS = {
  /** Every committed change (LiveEvent JSON). */
  events: 'opvangatlas:events',
} as const;
