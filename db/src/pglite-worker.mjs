/**
 * The embedded database's thread: owns the PGlite and runs what pglite-proxy.ts sends it, so
 * its WASM work (milliseconds per change) never holds up the server's event loop. Calls run
 * concurrently here as they would in-process: PGlite's own locks order them, and a
 * transaction holds its lock until the main thread says commit or rollback.
 *
 * Plain JavaScript, the messages typed in pglite-protocol.ts: Node, vitest and the production
 * bundle all start it as it is, where a TypeScript worker needs a loader in every new thread
 * (tsx: about 0.4 s more for each embedded database the tests start).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, parse, protocol } from '@electric-sql/pglite';

/** @typedef {import('./pglite-protocol').Request} Request */
/** @typedef {import('./pglite-protocol').SerializedError} SerializedError */

/**
 * An error as data: structured clone keeps neither its class nor Postgres's fields.
 * @returns {SerializedError}
 */
function serializeError(err) {
  if (!(err instanceof Error)) {
    return { name: 'Error', className: 'Error', message: String(err), fields: {} };
  }
  const fields = {};
  for (const [key, value] of Object.entries(err)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      fields[key] = value;
  }
  // What Postgres reported (PGlite's bundle gives its error class a minified name).
  const fromPostgres = typeof fields.severity === 'string' && typeof fields.code === 'string';
  return {
    name: err.name,
    className: fromPostgres ? 'DatabaseError' : err.constructor.name,
    message: err.message,
    stack: err.stack,
    fields,
  };
}

/** Leaves a type's values as Postgres's text, for the caller's own parser. */
const asText = (value) => value;

const queryOptions = (req) => ({
  rowMode: req.rowMode,
  parsers: Object.fromEntries(req.textTypes.map((oid) => [oid, asText])),
});

/** Statements that reuse a plan; anything else (DDL, SET, SAVEPOINT, ...) is not prepared. */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
/** Statements that may change what a prepared one returns (after any leading comments). */
const SCHEMA_CHANGE =
  /^(?:\s|--[^\n]*\n|\/\*[^*]*\*+(?:[^*/][^*]*\*+)*\/)*(create|alter|drop|truncate|comment|grant|revoke|do)\b/i;
/** One transaction-control statement (no `;`: never several in one string), sent as it is. */
const SIMPLE = /^\s*(savepoint|release|rollback\s+to|set)\b[^;]*$/i;
/** Postgres: "cached plan must not change result type". */
const STALE_PLAN = '0A000';
/** drizzle's texts repeat (one per query shape, an IN list per length): a bound, not a leak. */
const MAX_PREPARED = 1000;

/** @param {Uint8Array[]} parts */
function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Runs a statement of the fast path; its error names the statement as query()'s would (the
 * text, never the values: they may be personal).
 * @template T
 * @param {string} sql
 * @param {() => Promise<T>} run
 */
async function reported(sql, run) {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Error) Object.assign(err, { query: sql });
    throw err;
  }
}

/**
 * The statements of transactions as named prepared statements, each parsed and planned once
 * and then sent as one message (bind, describe, execute, sync): PGlite's query() parses and
 * describes every statement anew and enters WASM six times for it. Measured here, an
 * UPDATE ... RETURNING in a transaction: 0.37 ms with query(), 0.10 ms prepared. Values are
 * serialized as query() does (by the parameter types Postgres inferred), results parsed by
 * PGlite's own parseResults.
 * @param {PGlite} pg
 */
function preparedStatements(pg) {
  /** @type {Map<string, { name: string; types: number[] }>} */
  const prepared = new Map();
  let named = 0;
  const { serialize } = protocol;
  return {
    /**
     * Every plan is dropped after a schema change ran, and again when a transaction that
     * made one ends (a rollback undoes it). Their names are not reused; the old plans stay
     * in the backend, a handful per migration.
     */
    forget() {
      prepared.clear();
    },
    /**
     * Runs `sql` in the open transaction (whose lock the caller holds, as tx.query would);
     * undefined when query() should: a statement with parameters that is not prepared.
     */
    async query(sql, params, options) {
      if (params.length === 0 && SIMPLE.test(sql)) {
        return pg.runExclusive(() =>
          reported(sql, async () => {
            const messages = await pg.execProtocolStream(serialize.query(sql), {
              syncToFs: false,
            });
            return parse.parseResults(messages, pg.parsers, options)[0];
          }),
        );
      }
      if (!PREPARABLE.test(sql) || (!prepared.has(sql) && prepared.size >= MAX_PREPARED)) {
        return undefined;
      }
      return pg.runExclusive(() =>
        reported(sql, async () => {
          let statement = prepared.get(sql);
          if (!statement) {
            const name = `oa_${++named}`;
            const described = await pg.execProtocolStream(
              concat([
                serialize.parse({ name, text: sql, types: [] }),
                serialize.describe({ type: 'S', name }),
                serialize.sync(),
              ]),
              { syncToFs: false },
            );
            statement = { name, types: parse.parseDescribeStatementResults(described) };
            prepared.set(sql, statement);
          }
          const { types } = statement;
          const values = params.map((value, i) => {
            if (value === null || value === undefined) return null;
            const serializer = pg.serializers[types[i]];
            return serializer ? serializer(value) : value.toString();
          });
          try {
            const messages = await pg.execProtocolStream(
              concat([
                serialize.bind({ statement: statement.name, values }),
                serialize.describe({ type: 'P' }),
                serialize.execute({}),
                serialize.sync(),
              ]),
              { syncToFs: false },
            );
            return parse.parseResults(messages, pg.parsers, options)[0];
          } catch (err) {
            // A schema change this cache did not see: this change fails, the next plans anew.
            if (err?.code === STALE_PLAN) prepared.delete(sql);
            throw err;
          }
        }),
      );
    },
  };
}

async function serve(port, init) {
  const pg = new PGlite({
    dataDir: init.dataDir,
    loadDataDir: init.image ? new Blob([init.image]) : undefined,
    pgliteWasmModule: init.wasm,
  });
  await pg.waitReady;
  const statements = preparedStatements(pg);
  /** Transactions by their `begin` request's id, open or still waiting for BEGIN. */
  const open = new Map();
  const reply = (id, result, transfer = []) => port.postMessage({ id, ok: true, result }, transfer);
  const fail = (id, err) => port.postMessage({ id, ok: false, error: serializeError(err) });
  const on = async (tx) => {
    if (tx === undefined) return pg;
    const entry = open.get(tx);
    if (!entry) throw new Error('Transaction is closed');
    return entry.ready;
  };
  const rollback = Symbol('rollback');

  /**
   * The main thread sends a transaction's statements without waiting for BEGIN (one round
   * trip less while the transaction holds the database): they wait here until it ran.
   */
  function begin(id) {
    let endId = id;
    let opened, notOpened, finish;
    const ready = new Promise((resolve, reject) => {
      opened = resolve;
      notOpened = reject;
    });
    ready.catch(() => {});
    const ended = new Promise((resolve) => (finish = resolve));
    const entry = {
      ready,
      end: (commit, e) => ((endId = e), finish(commit)),
      schemaChanged: false,
    };
    open.set(id, entry);
    const ending = () => {
      open.delete(id);
      if (entry.schemaChanged) statements.forget();
    };
    let began = false;
    pg.transaction(async (tx) => {
      began = true;
      opened(tx);
      reply(id, id);
      if (!(await ended)) throw rollback;
    }).then(
      () => (ending(), reply(endId)),
      (err) => {
        ending();
        if (err === rollback) return reply(endId);
        if (began) return fail(endId, err);
        // BEGIN itself failed: the begin request says so, the statements sent fail with it.
        notOpened(err);
        fail(id, err);
      },
    );
  }

  /** Runs a statement; one that changes the schema drops the prepared plans once it ran. */
  async function changing(req, run) {
    const target = await on(req.tx);
    if (!SCHEMA_CHANGE.test(req.sql)) return run(target);
    try {
      return await run(target);
    } finally {
      statements.forget();
      const entry = req.tx === undefined ? undefined : open.get(req.tx);
      if (entry) entry.schemaChanged = true;
    }
  }

  /** @param {Request} req */
  async function handle(req) {
    switch (req.op) {
      case 'query':
        return reply(
          req.id,
          await changing(req, async (target) => {
            const options = queryOptions(req);
            // Outside a transaction query() takes PGlite's transaction lock, which only it can.
            const inTx = req.tx !== undefined && !target.closed;
            return (
              (inTx ? await statements.query(req.sql, req.params, options) : undefined) ??
              (await target.query(req.sql, req.params, options))
            );
          }),
        );
      case 'exec':
        return reply(req.id, await changing(req, (target) => target.exec(req.sql)));
      case 'begin':
        return begin(req.id);
      case 'end': {
        const entry = open.get(req.tx);
        if (!entry) throw new Error('Transaction is closed');
        return entry.end(req.commit, req.id);
      }
      case 'dump': {
        const image = await (await pg.dumpDataDir('none')).arrayBuffer();
        return reply(req.id, image, [image]);
      }
      case 'close':
        // PGlite closes only when no transaction holds it, and the main thread sends nothing
        // more: what is still open rolls back (its answers, to id 0, are dropped).
        for (const entry of open.values()) entry.end(false, 0);
        await pg.close();
        reply(req.id);
        // Nothing else keeps this thread: it ends once the reply is out.
        port.close();
        return;
      default:
        throw new Error(`unknown request ${String(req.op)}`);
    }
  }

  port.on('message', (req) => {
    handle(req).catch((err) => fail(req.id, err));
  });
  port.postMessage('ready');
}

if (parentPort) {
  const port = parentPort;
  serve(port, workerData).catch((err) => {
    port.postMessage({ id: 0, ok: false, error: serializeError(err) });
    port.close();
  });
}
