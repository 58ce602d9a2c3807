import { redirect } from '@sveltejs/kit';
import type { PageLoad } from './$types';

/** The monitor export: coordinators and admins any region, a municipality its own; the API checks again. */
export const load: PageLoad = async ({ parent }) => {
  const { user } = await parent();
  if (!['coordinator', 'admin', 'municipality'].includes(user.role)) redirect(307, '/');
};
