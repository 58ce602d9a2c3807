import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // The Fastify server mounts build/handler.js for every non-/api path on the same origin.
    adapter: adapter({ out: 'build' }),
    // Scripts only from the own origin, plus the hash of SvelteKit's inline bootstrap script:
    // no 'unsafe-inline'. This policy comes as a header with every page; the server sends its
    // own policy beside it (images, connections, workers, styles, frames: see
    // server/src/plugins/security-headers.ts). A browser enforces both, so this one must not
    // restrict what the map needs (no default-src here).
    csp: {
      mode: 'hash',
      directives: {
        'script-src': ['self'],
        // maplibre runs its worker from a same-origin asset; blob: as maplibre's fallback.
        'worker-src': ['self', 'blob:'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'frame-ancestors': ['none'],
      },
    },
  },
};

export default config;
