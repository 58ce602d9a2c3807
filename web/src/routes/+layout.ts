import { createApi } from '$lib/api';
import type { LayoutLoad } from './$types';

// An app behind login with live data: rendered in the browser only, which keeps it simple
// (no session handling on the server side of SvelteKit, no hydration of live state).
export const ssr = false;
export const prerender = false;

export const load: LayoutLoad = async ({ fetch, depends }) => {
  depends('app:session');
  const user = await createApi(fetch).session();
  return { user };
};
