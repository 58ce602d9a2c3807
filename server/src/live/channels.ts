/**
 * All Redis channel names in one place. The prefix separates deployments (and test runs)
 * that share one Redis: a hub must never see another database's events.
 */
export const channels = (prefix: string) =>
  ({
    /** Committed changes and ended sessions (BusMessage JSON). */
    events: `${prefix}:events`,
  }) as const;
