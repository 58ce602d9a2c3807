import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// Unit and component tests. The plain Svelte plugin (not sveltekit()) keeps this independent
// of the working directory, so both `npm test -w web` and `npx vitest run --root web` from
// the repository root work. Code under test only needs $lib, no $app/$env modules.
export default defineConfig({
  // autoCleanup off: its setup file lives outside web/ and is not found from here; the same
  // cleanup runs from src/lib/testing/setup.ts.
  plugins: [svelte(), svelteTesting({ autoCleanup: false })],
  resolve: {
    alias: { $lib: fileURLToPath(new URL('./src/lib', import.meta.url)) },
  },
  test: {
    name: 'web',
    include: ['src/**/*.test.ts'],
    environment: 'jsdom',
    setupFiles: ['src/lib/testing/setup.ts'],
    restoreMocks: true,
  },
});
