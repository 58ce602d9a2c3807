import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    // Same origin as in production: the app only ever uses relative /api URLs.
    proxy: { '/api': { target: api, ws: true } },
  },
  preview: {
    proxy: { '/api': { target: api, ws: true } },
  },
});
