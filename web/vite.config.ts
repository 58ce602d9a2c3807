import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  ssr: {
    // @sveltejs/kit needs cookie@0.6 (nested in its own node_modules), while the workspace
    // root hoists cookie@2 for fastify. Externalised, the built server would import the
    // root one at run time and fail; bundling resolves it from kit's own folder.
    noExternal: ['cookie'],
  },
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
