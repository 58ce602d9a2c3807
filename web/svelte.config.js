import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A client-side app (ssr = false): static files and one HTML shell (index.html) that
    // the Fastify server sends for every page path (server/src/plugins/web.ts).
    // precompress: .br and .gz next to every file, at the best ratio, once at build time
    // (the server sends them as they are: a phone on a slow connection gets the app sooner).
    adapter: adapter({
      pages: 'build',
      assets: 'build',
      fallback: 'index.html',
      precompress: true,
    }),
    // Scripts only from the own origin, plus the hash of SvelteKit's inline bootstrap script:
    // no 'unsafe-inline'. SvelteKit writes this policy into the shell as a <meta> tag; the
    // server moves it into a header of the shell, next to its own policy (images,
    // connections, workers, styles, frames: server/src/plugins/security-headers.ts). A
    // browser enforces every policy it gets, so this one must not restrict what the map
    // needs (no default-src here).
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
