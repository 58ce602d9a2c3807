import { redirect } from '@sveltejs/kit';
import { roleHome } from '$lib/stores/session';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const { user } = await parent();
  if (user) redirect(307, roleHome(user.role));
};
