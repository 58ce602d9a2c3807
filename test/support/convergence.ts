import { sql } from 'drizzle-orm';
import type { Database, Executor } from '@opvangatlas/db';
import {
  parseServerMessage,
  sliceNames,
  specOf,
  summariseRegion,
  suppressRegionSummary,
  unitLevelRoles,
  type Location,
  type SliceKey,
  type SliceName,
  type SliceValue,
  type Unit,
} from '@opvangatlas/shared';
import type { Viewer } from '../../server/src/live/audience';
import { LiveHub, type LiveSocket } from '../../server/src/live/live-hub';
import { liveModules } from '../../server/src/modules/live-modules';
import { listLocations, toLocation } from '../../server/src/modules/locations/location-repository';
import { listUnits, toUnit } from '../../server/src/modules/units/unit-repository';
import { unitFor } from '../../server/src/modules/units/unit-privacy';

/**
 * "Every client holds exactly the database state", checked two ways:
 * - against the tables themselves, for the slices this file knows (units, locations, region
 *   figures), with the same privacy projection the API applies: independent of the live code;
 * - against a snapshot of a hub started fresh on the database, for every slice there is, so a
 *   new domain's slice is compared without a line here.
 */

/** What a client holds: the slices of its live state. */
export interface ClientView {
  slice<K extends SliceName>(name: K): ReadonlyMap<SliceKey, SliceValue<K>>;
  readonly seq: number;
}

export interface DatabaseState {
  seq: number;
  units: Unit[];
  locations: Location[];
}

/** Units, locations and the highest seq, read in one consistent transaction. */
export async function readDatabaseState(database: Database): Promise<DatabaseState> {
  return database.db.transaction(
    async (tx) => ({
      seq: await maxSeq(tx),
      units: (await listUnits(tx)).map(toUnit),
      locations: (await listLocations(tx)).map(toLocation),
    }),
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

async function maxSeq(ex: Executor): Promise<number> {
  const result = await ex.execute(sql`select coalesce(max(seq), 0)::text as seq from events`);
  return Number((result as unknown as { rows: Array<{ seq: string }> }).rows[0]!.seq);
}

/** What a viewer must hold of the tables, per slice (only the slices this file knows). */
export function expectedFromTables(
  viewer: Viewer,
  state: DatabaseState,
): Partial<Record<SliceName, unknown[]>> {
  if (viewer.role === 'municipality') {
    const own = state.units.filter((u) => u.regionId === viewer.regionId);
    return {
      regions:
        viewer.regionId === null
          ? []
          : [suppressRegionSummary(summariseRegion(viewer.regionId, own))],
    };
  }
  if (!unitLevelRoles.includes(viewer.role)) return {};
  return { units: state.units.map((u) => unitFor(viewer, u)), locations: state.locations };
}

/** JSON with object keys sorted: jsonb (the events table) does not keep key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

const canonical = (name: SliceName, values: Iterable<unknown>) => {
  const { key } = specOf(name);
  return [...values]
    .map((v) => [String(key(v as never)), canonicalJson(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
};

/** Slice by slice, what differs (at most a few examples each); empty when equal. */
export function sliceDifferences(
  view: ClientView,
  expected: Partial<Record<SliceName, unknown[]>>,
): string[] {
  const out: string[] = [];
  for (const name of Object.keys(expected) as SliceName[]) {
    const want = new Map(canonical(name, expected[name]!));
    const have = new Map(canonical(name, view.slice(name).values()));
    const wrong: string[] = [];
    for (const [k, v] of want) if (have.get(k) !== v) wrong.push(k);
    for (const k of have.keys()) if (!want.has(k)) wrong.push(k);
    if (wrong.length > 0) {
      const k = wrong[0]!;
      out.push(
        `${name}: ${wrong.length} differ (e.g. ${k}: client ${have.get(k)?.slice(0, 200)} vs ${want.get(k)?.slice(0, 200)})`,
      );
    }
  }
  return out;
}

class SnapshotSocket implements LiveSocket {
  frames: string[] = [];
  readonly bufferedAmount = 0;
  readonly readyState = 1;
  send(data: Buffer) {
    this.frames.push(data.toString());
  }
  close() {}
}

/**
 * The snapshot a hub started now on the database gives `viewers`: every slice of every
 * module, as a client that connected now would get it.
 */
export async function freshSnapshots(
  database: Database,
  viewers: Viewer[],
): Promise<Array<{ seq: number; slices: Partial<Record<SliceName, unknown[]>> }>> {
  const hub = new LiveHub({
    database,
    bus: { subscribe: () => () => {}, onReconnect: () => () => {} } as never,
    modules: liveModules.map((make) => make()),
    log: { warn: () => {}, error: () => {}, info: () => {} } as never,
    catchUpMs: 3_600_000,
    heartbeatMs: 3_600_000,
    sessionCheckMs: 3_600_000,
  });
  await hub.start();
  const out = [];
  for (const viewer of viewers) {
    const socket = new SnapshotSocket();
    await hub.attach(socket, viewer);
    const parsed = parseServerMessage(JSON.parse(socket.frames[0]!));
    if (!parsed.success || parsed.data.type !== 'snapshot') throw new Error('no snapshot');
    const slices: Partial<Record<SliceName, unknown[]>> = {};
    for (const name of sliceNames) slices[name] = parsed.data.slices[name] ?? [];
    out.push({ seq: parsed.data.seq, slices });
  }
  await hub.stop();
  return out;
}

/**
 * Waits until every client holds the database state (both checks), or throws with what
 * differs. Returns the milliseconds it took.
 */
export async function waitForConvergence(
  database: Database,
  clients: Array<{ viewer: Viewer; view: ClientView; name: string }>,
  timeoutMs = 20_000,
): Promise<number> {
  const started = Date.now();
  let problems: string[] = [];
  for (;;) {
    const state = await readDatabaseState(database);
    problems = clients.flatMap((c) =>
      sliceDifferences(c.view, expectedFromTables(c.viewer, state)).map((p) => `${c.name}: ${p}`),
    );
    if (problems.length === 0) {
      const fresh = await freshSnapshots(
        database,
        clients.map((c) => c.viewer),
      );
      problems = clients.flatMap((c, i) =>
        sliceDifferences(c.view, fresh[i]!.slices).map((p) => `${c.name} (all slices): ${p}`),
      );
      if (problems.length === 0) return Date.now() - started;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`clients did not converge in ${timeoutMs} ms:\n${problems.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
