/**
 * The messages between pglite-proxy.ts (the server's thread) and pglite-worker.mjs (the
 * embedded database's thread).
 */
import type { PGliteOptions } from '@electric-sql/pglite';

/** A compiled WebAssembly.Module (the project's TypeScript lib has no WebAssembly types). */
export type WasmModule = NonNullable<PGliteOptions['pgliteWasmModule']>;

export interface WorkerInit {
  /** A data directory on disk; without it, in memory. */
  dataDir?: string;
  /** An in-memory cluster starts from this `dumpDataDir()` image (transferred). */
  image?: ArrayBuffer;
  /** PGlite's compiled WASM, shared by the threads of a process. */
  wasm: WasmModule;
}

export interface QueryRequest {
  op: 'query';
  sql: string;
  params: unknown[];
  rowMode?: 'array' | 'object';
  /** Types the caller parses itself (its `parsers`): their values come back as text. */
  textTypes: number[];
  /** The transaction (its `begin` request's id) the query belongs to. */
  tx?: number;
}
interface ExecRequest {
  op: 'exec';
  sql: string;
  tx?: number;
}
/** Answered with the request's own id, the transaction's, once BEGIN ran. */
interface BeginRequest {
  op: 'begin';
}
/** Answered once COMMIT (or ROLLBACK) ran. */
interface EndRequest {
  op: 'end';
  tx: number;
  commit: boolean;
}
interface DumpRequest {
  op: 'dump';
}
export type Call =
  QueryRequest | ExecRequest | BeginRequest | EndRequest | DumpRequest | { op: 'close' };
export type Request = Call & { id: number };

/** An error as data: structured clone keeps neither its class nor Postgres's fields. */
export interface SerializedError {
  name: string;
  /** 'DatabaseError' for Postgres's errors. */
  className: string;
  message: string;
  stack?: string;
  /** Postgres's fields (code, detail, constraint, ...) and any other plain values. */
  fields: Record<string, string | number | boolean | null>;
}

export type Reply =
  { id: number; ok: true; result?: unknown } | { id: number; ok: false; error: SerializedError };
