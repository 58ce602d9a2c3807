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
    ssr: true,
    rollupOptions: {
      // Worker threads' entries, each emitted beside server.js, where the code that starts
      // them looks: the swap solver's (modules/swaps/swap-solve-runner.ts).
      input: {
        server: fileURLToPath(new URL('src/server.ts', import.meta.url)),
        'swap-solve-worker': fileURLToPath(
          new URL('src/modules/swaps/swap-solve-worker.ts', import.meta.url),
        ),
        // The embedded database's thread (db/src/pglite-proxy.ts).
        'pglite-worker': fileURLToPath(new URL('../db/src/pglite-worker.mjs', import.meta.url)),
      },
      // Shared chunks too sit beside the entries (not in assets/): code that starts a worker
      // finds its entry at ./<name>.js from whichever file it lands in.
      output: { entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
    outDir: 'dist',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    minify: false,
  },
});
