import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

/** The municipality's view of its own region; other roles have the map and their own pages. */
export const load: PageLoad = async ({ parent }) => {
  const { user } = await parent();
  if (user.role !== 'municipality' || user.regionId === null) redirect(307, '/');
};
