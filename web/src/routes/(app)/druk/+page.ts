import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

/** Druk is for those who watch pressure across regions; the API checks again. */
export const load: PageLoad = async ({ parent }) => {
  const { user } = await parent();
  if (user.role !== 'coordinator' && user.role !== 'admin') redirect(307, '/');
};
