import { redirect } from '@sveltejs/kit';
import { createApi } from '$lib/api';
import { isVoStaff } from '$lib/stores/session';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, depends }) => {
  const { user } = await parent();
  if (!isVoStaff(user)) redirect(307, '/');
  depends('app:own-locations');
  // The addresses, which only this call gives; the units come from the live state.
  return { locations: await createApi(fetch).ownLocations() };
};
