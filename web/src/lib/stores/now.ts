import { readable } from 'svelte/store';

/** Current time, ticking every 15 s: enough for "3 uur geleden" and freshness badges. */
export const now = readable(new Date(), (set) => {
  const handle = setInterval(() => set(new Date()), 15_000);
  return () => clearInterval(handle);
});
