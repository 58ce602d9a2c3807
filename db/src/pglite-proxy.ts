/**
 * The embedded database (PGlite) in a worker thread: its WASM work, milliseconds per change,
 * no longer shares the event loop with the server's requests and websocket fan-out. The object
 * returned stands in for the PGlite instance drizzle-orm/pglite is given: drizzle's session
 * only calls `query` (array or object rows, with `parsers` by type) and `transaction`, whose
 * callback gets an object with `query`. The worker owns the database (pglite-worker.mjs).
 *
 * The price: PGlite is one session, so a transaction keeps it from the others while each of
 * its statements' answers waits for this thread's event loop. The busier that loop, the
 * longer every transaction holds the database.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { QueryOptions, Results } from '@electric-sql/pglite';
import type { Call, Reply, SerializedError, WasmModule, WorkerInit } from './pglite-protocol';

type Parsers = NonNullable<QueryOptions['parsers']>;

/** What one transaction's callback gets, as PGlite's `Transaction` (the part drizzle uses). */
export interface PgliteWorkerTransaction {
  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>>;
  exec(sql: string): Promise<Results[]>;
}

export interface PgliteWorker extends PgliteWorkerTransaction {
  transaction<T>(fn: (tx: PgliteWorkerTransaction) => Promise<T>): Promise<T>;
  /** The whole data directory, to start another from (`image`). */
  dumpDataDir(): Promise<Blob>;
  /** Closes the database and ends the thread; calls after it fail. */
  close(): Promise<void>;
  /** Ends the thread at once, as a crash would: calls waiting and later fail (tests). */
  terminate(): Promise<void>;
}

export interface PgliteWorkerOptions {
  /** A data directory on disk; without it, in memory. */
  dataDir?: string;
  /** An in-memory cluster starts from this `dumpDataDir()` image. */
  image?: Blob;
}

/** PGlite's error class for what Postgres reported, here by name: the logs show it so. */
class DatabaseError extends Error {}

function revive(e: SerializedError): Error {
  const err = e.className === 'DatabaseError' ? new DatabaseError(e.message) : new Error(e.message);
  Object.assign(err, e.fields);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * The worker is gone (crashed, killed, closed): SQLSTATE 08006, connection failure, the code
 * Postgres's clients give a lost connection, so the API answers 503 as it does then.
 */
function gone(reason: string, cause?: unknown): Error {
  return Object.assign(new Error(`embedded database unavailable: ${reason}`, { cause }), {
    code: '08006',
  });
}

/**
 * The worker is plain JavaScript (pglite-worker.mjs), so no thread needs a TypeScript loader.
 * In the production bundle, whose code this module then is, it is pglite-worker.js beside
 * it (server/vite.config.ts builds both).
 */
const workerFile = import.meta.url.endsWith('.ts') ? './pglite-worker.mjs' : './pglite-worker.js';

/**
 * Postgres's WASM, compiled once per process and shared with every worker: a new thread
 * compiling its own would add about 0.4 s to each database the tests start.
 */
let pgliteModule: Promise<WasmModule> | undefined;
const wasm = (globalThis as unknown as { WebAssembly: { compile(b: Buffer): Promise<WasmModule> } })
  .WebAssembly;
function compiledPglite(): Promise<WasmModule> {
  pgliteModule ??= (async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    return wasm.compile(await readFile(join(dist, 'pglite.wasm')));
  })();
  return pgliteModule;
}

/** Rows of the types the caller has parsers for come back as text: parse them here. */
function parse<T>(result: Results<T>, parsers: Parsers | undefined, rowMode: string | undefined) {
  if (!parsers) return result;
  const columns = result.fields.flatMap((f, i) => {
    // Called as PGlite calls it: with the value's type too.
    const parser = parsers[f.dataTypeID] as ((value: string, type: number) => unknown) | undefined;
    return parser ? [{ key: rowMode === 'array' ? i : f.name, type: f.dataTypeID, parser }] : [];
  });
  if (columns.length === 0) return result;
  for (const row of result.rows as Array<Record<string | number, unknown>>) {
    for (const { key, type, parser } of columns) {
      const value = row[key];
      if (value !== null && value !== undefined) row[key] = parser(value as string, type);
    }
  }
  return result;
}

export async function startPgliteWorker(opts: PgliteWorkerOptions = {}): Promise<PgliteWorker> {
  const image = opts.image ? await opts.image.arrayBuffer() : undefined;
  const init: WorkerInit = { dataDir: opts.dataDir, image, wasm: await compiledPglite() };
  const worker = new Worker(new URL(workerFile, import.meta.url), {
    workerData: init,
    transferList: image ? [image] : [],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let stopped: Error | undefined;
  let crash: unknown;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (msg: Reply | 'ready') => {
    const call = pending.get(msg === 'ready' ? 0 : msg.id);
    if (msg === 'ready') return (pending.delete(0), call?.resolve(undefined));
    if (!call) return;
    pending.delete(msg.id);
    if (msg.ok) call.resolve(msg.result);
    else call.reject(revive(msg.error));
    // Like a socket: the process may end while no call waits for the database.
    if (pending.size === 0) worker.unref();
  });
  worker.on('error', (err) => (crash = err));
  // An answer that cannot be read leaves its call without one: end the thread, so every call fails.
  worker.on('messageerror', (err) => {
    crash = err;
    void worker.terminate();
  });
  worker.on('exit', (code) => {
    stopped ??= gone(`its thread stopped (exit code ${code})`, crash);
    for (const call of pending.values()) call.reject(stopped);
    pending.clear();
  });

  /** Sends a call; its id and its answer. */
  function send<T>(req: Call, transfer: ArrayBuffer[] = []): [number, Promise<T>] {
    const id = nextId++;
    if (stopped) return [id, Promise.reject(stopped)];
    const answer = new Promise<T>((resolve, reject) => {
      // A value that cannot be cloned throws here: the call fails, nothing waits for it.
      worker.postMessage({ ...req, id }, transfer);
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
    return [id, answer];
  }
  const request = <T>(req: Call) => send<T>(req)[1];

  const on = (tx: number | undefined): PgliteWorkerTransaction => ({
    async query<T>(sql: string, params: unknown[] = [], options: QueryOptions = {}) {
      const { rowMode, parsers } = options;
      const textTypes = parsers ? Object.keys(parsers).map(Number) : [];
      const result = await request<Results<T>>({
        op: 'query',
        sql,
        params,
        rowMode,
        textTypes,
        tx,
      });
      return parse(result, parsers, rowMode);
    },
    exec: (sql: string) => request<Results[]>({ op: 'exec', sql, tx }),
  });

  try {
    await ready;
  } catch (err) {
    await worker.terminate();
    throw err;
  }
  worker.unref();
  return {
    ...on(undefined),
    async transaction<T>(fn: (tx: PgliteWorkerTransaction) => Promise<T>): Promise<T> {
      // Not waiting for BEGIN: the worker holds the statements until it ran (pglite-worker.mjs).
      const [tx, begun] = send<number>({ op: 'begin' });
      begun.catch(() => {});
      let result: T;
      try {
        result = await fn(on(tx));
      } catch (err) {
        // A failed BEGIN is the error, as in PGlite: then nothing ran and nothing is open.
        await begun;
        await request({ op: 'end', tx, commit: false });
        throw err;
      }
      await begun;
      await request({ op: 'end', tx, commit: true });
      return result;
    },
    async dumpDataDir() {
      return new Blob([await request<ArrayBuffer>({ op: 'dump' })]);
    },
    async close() {
      if (!stopped) {
        const closing = request({ op: 'close' });
        stopped = gone('closed');
        await closing.catch(() => worker.terminate());
      }
      // The thread ends by itself once the database is closed: wait for it, keeping the process up.
      worker.ref();
      await exited;
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
