import { redirect } from '@sveltejs/kit';
import { createApi } from '$lib/api';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ parent, url, fetch, untrack }) => {
  // Asked for together with the session, not after it: one round trip less before the first
  // paint on a slow phone connection (issue 14). Without a session it fails, unused.
  const regions = createApi(fetch).regions();
  regions.catch(() => undefined);
  const { user } = await parent();
  if (!user) {
    // untrack: the path only matters for this redirect, not as a reason to reload regions.
    const next = untrack(() => url.pathname + url.search);
    redirect(307, `/login?next=${encodeURIComponent(next)}`);
  }
  // 35 centrumgemeenten with their centres: names and positions for every page.
  return { user, regions: await regions };
};
