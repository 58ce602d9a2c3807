import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

/** Single stays and households are for VOs and coordinators: a municipality sees totals only. */
export const load: PageLoad = async ({ parent }) => {
  const { user } = await parent();
  if (user.role === 'municipality') redirect(307, '/');
};
