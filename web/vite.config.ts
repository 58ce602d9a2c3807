import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  build: {
    // maplibre-gl is one ~1 MB chunk, loaded lazily by the map page only.
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      // The first page came in 47 scripts of a few hundred bytes each: each is one more module
      // to fetch, link and run before the first paint on a phone (issue 14). Tiny chunks are
      // merged into the chunks that import them, where that changes no order of effects.
      output: { experimentalMinChunkSize: 8 * 1024 },
    },
  },
  server: {
    // Same origin as in production: the app only ever uses relative /api URLs.
    proxy: { '/api': { target: api, ws: true } },
  },
  preview: {
    proxy: { '/api': { target: api, ws: true } },
  },
});
