import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // The Fastify server mounts build/handler.js for every non-/api path on the same origin.
    adapter: adapter({ out: 'build' }),
  },
};

export default config;
