// Unmount rendered components after every component test (what @testing-library/svelte's
// auto-cleanup does), and start each test in Dutch.
import { act, cleanup } from '@testing-library/svelte';
import { afterEach } from 'vitest';

afterEach(async () => {
  await act();
  cleanup();
});
