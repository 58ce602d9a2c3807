/**
 * The bench's table (issue 15's rows, ours next to the references, with ratios), the
 * synthetic big snapshot, and the files it writes: docs/performance.json (every label's run
 * kept, so "before" stays next to "after") and the generated part of docs/PERFORMANCE.md.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase } from '@opvangatlas/db';
import WebSocket from 'ws';
import type { ConnectResult, RunResult } from './protocol';
import { login, startOurs } from './servers';

export interface Measured {
  storm: ConnectResult;
  rssBefore: number;
  rssAfter: number;
  perConnectionBytes: number;
  one: RunResult;
  ladder?: Array<RunResult & { achieved: number; pass: boolean }>;
}

export interface TargetResult {
  name: string;
  instances: number;
  load: string;
  sizes: Record<number, Measured>;
}

export interface BigSnapshot {
  units: number;
  /** The snapshot's text. */
  bytes: number;
  /** The same on the wire, compressed (runs before compression have none). */
  wireBytes?: number;
  /** The first connection: built and sent. */
  ms: number;
  /** A later connection at the same seq: the shared rendering sent. */
  sharedMs?: number;
}

const root = new URL('../../', import.meta.url).pathname;

/**
 * A synthetic national picture of `n` units: the seeded PGlite database grown with copies of
 * its units, then one coordinator connecting; the time runs from the upgrade request to the
 * last byte of the snapshot (built by the server and sent).
 */
export async function bigSnapshot(n: number): Promise<BigSnapshot> {
  const dataDir = mkdtempSync(join(tmpdir(), 'oa-bench-big-'));
  try {
    const first = await startOurs({ instances: 1, dataDir });
    await first.stop();
    const db = await openDatabase({ dataDir });
    await db.db.execute(sql`
      insert into units (location_id, kind, label, max_persons, wheelchair, status)
      select u.location_id, u.kind, u.label || ' ' || g, u.max_persons, u.wheelchair, 'free'
      from generate_series(1, ${n}) g
      join lateral (select * from units order by id offset (g % 1000) limit 1) u on true
      limit ${n} - (select count(*) from units)`);
    await db.close();
    const cluster = await startOurs({ instances: 1, dataDir });
    try {
      const cookie = await login(cluster.baseUrls[0]!, 'coordinator@demo.opvangatlas.nl');
      // The first connection builds the snapshot; the next ones at the same seq share it.
      const times: number[] = [];
      let bytes = 0;
      let wireBytes = 0;
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        let onWire = 0;
        bytes = await new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(cluster.wsUrls[0]!, { headers: { cookie } });
          // Offers permessage-deflate as a browser does; counts what crosses the socket.
          ws.once('open', () => {
            const socket = (ws as unknown as { _socket: NodeJS.ReadableStream })._socket;
            socket.prependListener('data', (d: Buffer) => void (onWire += d.length));
          });
          ws.once('message', (raw: Buffer) => {
            wireBytes = onWire;
            resolve(raw.length);
            ws.terminate();
          });
          ws.once('error', reject);
          ws.once('close', (code) => reject(new Error(`closed ${code}`)));
        });
        times.push(performance.now() - t);
      }
      console.log(
        `\nsnapshot of ${n} units: ${(bytes / 1024).toFixed(0)} KB (${(wireBytes / 1024).toFixed(0)} KB on the wire), built and sent in ${times[0]!.toFixed(0)} ms (shared after: ${times
          .slice(1)
          .map((x) => x.toFixed(0))
          .join(', ')} ms)`,
      );
      return { units: n, bytes, wireBytes, ms: times[0]!, sharedMs: Math.min(...times.slice(1)) };
    } finally {
      await cluster.stop();
    }
  } catch (err) {
    console.log(`\nsnapshot of ${n} units failed: ${(err as Error).message}`);
    return { units: n, bytes: NaN, ms: NaN };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const f = (x: number | undefined, unit: string, digits = 0) =>
  x === undefined || !Number.isFinite(x)
    ? '-'
    : `${x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;

/** Highest rate of the ladder that held p99 <= 200 ms, lost nothing and had no 5xx. */
export const sustained = (m?: Measured) =>
  m?.ladder ? Math.max(0, ...m.ladder.filter((r) => r.pass).map((r) => r.rate)) : undefined;

interface Row {
  name: string;
  value: (m: Measured | undefined, t: TargetResult) => number | undefined;
  show: (x: number | undefined) => string;
  /** For ratios: true when lower is better. */
  lower: boolean;
  size: number;
}

function tableRows(sizes: number[]): Row[] {
  const first = sizes[0] ?? 1000;
  const list: Row[] = [];
  for (const n of sizes) {
    list.push({
      name: `one change to ${n.toLocaleString('en-US')} clients, p99`,
      value: (m) => m?.one.p99,
      show: (x) => f(x, 'ms'),
      lower: true,
      size: n,
    });
  }
  list.push({
    name: `highest sustained changes/s at ${first.toLocaleString('en-US')} clients (p99 <= 200 ms, none lost, no 5xx)`,
    value: (m) => sustained(m),
    show: (x) => (x === undefined ? '-' : `${x}`),
    lower: false,
    size: first,
  });
  for (const n of sizes) {
    list.push({
      name: `${n.toLocaleString('en-US')} clients connecting at once, all with state`,
      value: (m) => (m ? m.storm.ms / 1000 : undefined),
      show: (x) => f(x, 's', 1),
      lower: true,
      size: n,
    });
    list.push({
      name: `  refused or without state`,
      value: (m) => m?.storm.refused,
      show: (x) => (x === undefined ? '-' : `${x}`),
      lower: true,
      size: n,
    });
  }
  list.push({
    name: 'first frame on the wire (snapshot of the demo units, as a browser gets it)',
    value: (m) => (m ? m.storm.firstFrameBytes / 1024 : undefined),
    show: (x) => f(x, 'KB'),
    lower: true,
    size: first,
  });
  list.push({
    name: `server memory per idle connection (RSS growth / N, N = ${first})`,
    value: (m) => (m ? m.perConnectionBytes / 1024 : undefined),
    // RSS also falls (start-up garbage returned): below zero says "too small to see".
    show: (x) => (x !== undefined && x < 0 ? '< 0 (noise)' : f(x, 'KB', 1)),
    lower: true,
    size: first,
  });
  return list;
}

const ratio = (ours: number | undefined, ref: number | undefined, lower: boolean) => {
  if (ours === undefined || ref === undefined || !Number.isFinite(ours) || !Number.isFinite(ref))
    return '-';
  if (ours === 0 && ref === 0) return '1.0x';
  if ((lower ? ref : ours) <= 0) return '-';
  const r = lower ? ours / Math.max(ref, 1e-9) : ref / Math.max(ours, 1e-9);
  return `${r.toFixed(2)}x`;
};

/** Markdown table: one column per target, then ours (2 instances, else the best) / raw and / Socket.IO. */
export function rows(results: TargetResult[], big: BigSnapshot | null): string[] {
  const sizes = [...new Set(results.flatMap((r) => Object.keys(r.sizes).map(Number)))].sort(
    (a, b) => a - b,
  );
  const raw = results.find((r) => r.name.startsWith('raw'));
  const sio = results.find((r) => r.name.startsWith('socket.io'));
  const ours = results.filter((r) => r !== raw && r !== sio);
  const main = ours.find((r) => r.name === 'pg2') ?? ours[0];
  const head = [
    '',
    ...results.map((r) => r.name),
    `${main?.name ?? 'ours'} / raw`,
    `${main?.name ?? 'ours'} / Socket.IO`,
  ];
  const out = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of tableRows(sizes)) {
    const v = (t?: TargetResult) => (t ? row.value(t.sizes[row.size], t) : undefined);
    out.push(
      `| ${[
        row.name,
        ...results.map((t) => row.show(v(t))),
        ratio(v(main), v(raw), row.lower),
        ratio(v(main), v(sio), row.lower),
      ].join(' | ')} |`,
    );
  }
  if (big && !Number.isFinite(big.ms ?? NaN)) {
    out.push(
      `| snapshot of ${big.units.toLocaleString('en-US')} synthetic units (embedded) | failed |${' |'.repeat(results.length + 1)}`,
    );
  } else if (big) {
    out.push(
      `| snapshot of ${big.units.toLocaleString('en-US')} synthetic units (embedded): size (on the wire) / built and sent / shared | ${f(big.bytes / 1024, 'KB')}${big.wireBytes ? ` (${f(big.wireBytes / 1024, 'KB')})` : ''} / ${f(big.ms, 'ms')} / ${f(big.sharedMs, 'ms')} |${' |'.repeat(results.length + 1)}`,
    );
  }
  out.push(
    '',
    'Ratios: time and size ours / reference (below 1 is better), rate reference / ours.',
  );
  return out;
}

interface Stored {
  runs: Record<
    string,
    { at: string; load: string; results: TargetResult[]; big: BigSnapshot | null }
  >;
}

/** Keeps every label's run in docs/performance.json; regenerates the tables in PERFORMANCE.md. */
export function writeReport(
  label: string,
  results: TargetResult[],
  big: BigSnapshot | null,
  load: string,
) {
  const jsonPath = join(root, 'docs/performance.json');
  const stored: Stored = existsSync(jsonPath)
    ? (JSON.parse(readFileSync(jsonPath, 'utf8')) as Stored)
    : { runs: {} };
  const previous = stored.runs[label];
  // A partial run (--only) adds to the label's earlier targets instead of dropping them.
  const merged = [
    ...(previous?.results ?? []).filter((r) => !results.some((x) => x.name === r.name)),
    ...results,
  ];
  stored.runs[label] = {
    at: new Date().toISOString(),
    load,
    results: merged,
    big: big ?? previous?.big ?? null,
  };
  writeFileSync(jsonPath, JSON.stringify(stored, null, 1) + '\n');

  const mdPath = join(root, 'docs/PERFORMANCE.md');
  const start = '<!-- bench:start (generated by npm run bench; edit around it) -->';
  const end = '<!-- bench:end -->';
  const generated = Object.entries(stored.runs).flatMap(([name, run]) => [
    `### Run "${name}" (${run.at}, load average ${run.load})`,
    '',
    ...rows(run.results, run.big),
    '',
  ]);
  const block = [start, '', ...generated, end].join('\n');
  const md = existsSync(mdPath)
    ? readFileSync(mdPath, 'utf8')
    : `# Performance\n\n${start}\n${end}\n`;
  const i = md.indexOf(start);
  const j = md.indexOf(end);
  const next =
    i >= 0 && j > i ? md.slice(0, i) + block + md.slice(j + end.length) : `${md}\n${block}\n`;
  writeFileSync(mdPath, next);
  console.log(
    `\nwrote docs/performance.json (run "${label}") and the tables in docs/PERFORMANCE.md`,
  );
}
