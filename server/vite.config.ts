import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The production server: `npm run build` bundles server/src/server.ts with the workspace
 * packages it uses (shared, db: linked, so Vite bundles them) into server/dist/server.js;
 * npm packages stay imports, resolved from node_modules at run time. `npm run serve` runs it
 * with plain Node, no TypeScript loader.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  build: {
    ssr: 'src/server.ts',
    outDir: 'dist',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    minify: false,
  },
});
