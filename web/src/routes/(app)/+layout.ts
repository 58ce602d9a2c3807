import { redirect } from '@sveltejs/kit';
import { createApi } from '$lib/api';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ parent, url, fetch, untrack }) => {
  const { user } = await parent();
  if (!user) {
    // untrack: the path only matters for this redirect, not as a reason to reload regions.
    const next = untrack(() => url.pathname + url.search);
    redirect(307, `/login?next=${encodeURIComponent(next)}`);
  }
  // 35 centrumgemeenten with their centres: names and positions for every page.
  const regions = await createApi(fetch).regions();
  return { user, regions };
};
