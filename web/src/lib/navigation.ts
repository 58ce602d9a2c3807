import type { SessionUser } from '@opvangatlas/shared';
import type { Pathname } from '$app/types';
import type { IconName } from '$lib/components/Icon.svelte';
import type { CountPlural, PlainKey } from '$lib/i18n/index.svelte';
import { overdueBadge } from '$lib/overflow/views';
import { badgeCount } from '$lib/placements/views';
import type { LiveState } from '$lib/stores/live-client';
import { isVoStaff } from '$lib/stores/session';

export interface NavItem {
  /** A page of the app (SvelteKit's generated route paths). */
  path: Pathname;
  /** The link text's key, translated in AppHeader. */
  label: PlainKey;
  icon: IconName;
  /** Who sees the link; the page itself checks access again. */
  show: (user: SessionUser) => boolean;
  /** A count on the link (what waits for the user), from the live state, and what it says. */
  badge?: { count: (user: SessionUser, live: LiveState) => number; label: CountPlural };
}

/**
 * The main navigation of the signed-in app, in order (AppHeader.svelte shows it). A new page
 * is one entry here: its path, its label key in nl.ts/en.ts, an icon, and who sees it.
 */
export const navItems: readonly NavItem[] = [
  { path: '/', label: 'nav.map', icon: 'pin', show: () => true },
  { path: '/noodbed', label: 'nav.noodbed', icon: 'hand', show: isVoStaff },
  { path: '/locaties', label: 'nav.locations', icon: 'lock', show: isVoStaff },
  {
    path: '/verzoeken',
    label: 'nav.requests',
    icon: 'family',
    show: (user) => user.role !== 'municipality',
    badge: {
      count: (user, live) => badgeCount(live.requests.values(), user),
      label: 'nav.requests.badge',
    },
  },
  // Niet-reguliere bedden: the VO's own stays and their late check-ins; coordinators see all
  // and are alerted after the grace period. Municipalities reach their figures from Kaart.
  {
    path: '/niet-regulier',
    label: 'nav.overflow',
    icon: 'clock',
    show: (user) => user.role !== 'municipality',
    badge: {
      count: (user, live) => overdueBadge(live.overflow.values(), user),
      label: 'nav.overflow.badge',
    },
  },
  // Druk: the national picture for those who watch peak pressure across regions.
  {
    path: '/druk',
    label: 'nav.pressure',
    icon: 'alert',
    show: (user) => user.role === 'coordinator' || user.role === 'admin',
  },
  // The yearly Monitor Veilige Opvang figures: municipalities take them for their region.
  {
    path: '/monitor',
    label: 'nav.monitor',
    icon: 'info',
    show: (user) => ['coordinator', 'admin', 'municipality'].includes(user.role),
  },
  {
    path: '/wachtlijst',
    label: 'nav.waitlist',
    icon: 'people',
    show: (user) => user.role !== 'municipality',
  },
];

export const navItemsFor = (user: SessionUser) => navItems.filter((item) => item.show(user));
