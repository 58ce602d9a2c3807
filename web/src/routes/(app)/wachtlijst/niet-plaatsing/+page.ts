import { redirect } from '@sveltejs/kit';
import { isVoStaff } from '$lib/stores/session';
import type { PageLoad } from './$types';

/** Registering is for a VO's own staff. */
export const load: PageLoad = async ({ parent }) => {
  const { user } = await parent();
  if (!isVoStaff(user)) redirect(307, '/');
};
