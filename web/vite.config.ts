import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  build: {
    // maplibre-gl is one ~1 MB chunk, loaded lazily by the map page only.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    // Same origin as in production: the app only ever uses relative /api URLs.
    proxy: { '/api': { target: api, ws: true } },
  },
  preview: {
    proxy: { '/api': { target: api, ws: true } },
  },
});
