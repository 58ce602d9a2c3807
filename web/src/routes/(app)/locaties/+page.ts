import { redirect } from '@sveltejs/kit';
import { createApi } from '$lib/api';
import { isVoStaff } from '$lib/stores/session';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch, depends }) => {
  const { user } = await parent();
  if (!isVoStaff(user)) redirect(307, '/');
  depends('app:own-locations');
  const api = createApi(fetch);
  const locations = await api.ownLocations();
  // One call per location: a VO runs a handful of locations, each with its units.
  const withUnits = await Promise.all(locations.map((l) => api.locationUnits(l.id)));
  return { locations: withUnits };
};
