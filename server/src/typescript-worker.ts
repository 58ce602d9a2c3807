import { Worker } from 'node:worker_threads';

/**
 * A worker thread running a TypeScript entry, from source (`node --import tsx`, vitest, the
 * bench). On Node 20 `--import tsx` leaves worker threads without its hooks, so the thread
 * registers them through tsx's API first, then loads the entry. tsx is a dev dependency:
 * production runs the bundle, whose workers are plain JavaScript.
 */
export function typescriptWorker(entry: URL): Worker {
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const load = `import(${tsx}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(load, { eval: true });
}
