import type { Database } from '@opvangatlas/db';
import type { Location, Unit } from '@opvangatlas/shared';
import type { LiveEvent } from '../../server/src/live/live-event';
import { listEvents } from '../../server/src/modules/events/event-repository';
import { canonicalJson, readDatabaseState, type DatabaseState } from './convergence';

/**
 * "Replaying the events table from zero gives exactly the current state": the seeded state
 * (before the first event) plus every event's data, in seq order, must equal the tables.
 * Each event type has a replayer here; a type without one fails the check, so a new domain
 * adds its line (placement events: what they change of units arrives as unit.* events).
 */
type Replayed = { units: Map<number, Unit>; locations: Map<number, Location> };

const replayers: Array<{ prefix: string; apply: (state: Replayed, event: LiveEvent) => void }> = [
  {
    prefix: 'unit.',
    apply: (s, e) => {
      const { unit } = e.data as { unit: Unit };
      s.units.set(unit.id, unit);
    },
  },
  {
    prefix: 'location.',
    apply: (s, e) => {
      const { location } = e.data as { location: Location };
      s.locations.set(location.id, location);
    },
  },
  // The audit of logins and logouts changes no state.
  { prefix: 'session.', apply: () => {} },
  // Domains with state of their own (requests, overflow placements, region figures): what
  // they change of units and locations comes as unit.* and location.* events, which the
  // comparison below checks. Their own state is replayed by their own tests, if at all.
  { prefix: 'placement.', apply: () => {} },
  { prefix: 'overflow.', apply: () => {} },
  { prefix: 'municipality.', apply: () => {} },
];

export async function readAllEvents(database: Database): Promise<LiveEvent[]> {
  const all: LiveEvent[] = [];
  for (;;) {
    const page = await listEvents(database.db, all.at(-1)?.seq ?? 0, { limit: 5000 });
    all.push(...page);
    if (page.length < 5000) return all;
  }
}

/**
 * What differs between the tables and the replay of the events table onto `base` (the state
 * at seq 0); empty when equal. Also checks each unit's versions form one unbroken chain:
 * every unit event's `before.version` is the version the previous one left (no lost update,
 * nothing written twice).
 */
export async function replayDifferences(
  database: Database,
  base: DatabaseState,
): Promise<string[]> {
  if (base.seq !== 0) throw new Error('the base must be the state before the first event');
  const events = await readAllEvents(database);
  const state: Replayed = {
    units: new Map(base.units.map((u) => [u.id, u])),
    locations: new Map(base.locations.map((l) => [l.id, l])),
  };
  const problems: string[] = [];
  for (const e of events) {
    const replayer = replayers.find((r) => e.type.startsWith(r.prefix));
    if (!replayer) {
      problems.push(`event type ${e.type} has no replayer (test/support/replay.ts)`);
      continue;
    }
    if (e.type.startsWith('unit.')) {
      const { unit, before } = e.data as { unit: Unit; before: { version: number } };
      const prev = state.units.get(unit.id);
      if (prev && before.version !== prev.version) {
        problems.push(
          `seq ${e.seq}: unit ${unit.id} changed from v${before.version}, was v${prev.version}`,
        );
      }
      if (prev && unit.version !== prev.version + 1) {
        problems.push(`seq ${e.seq}: unit ${unit.id} went v${prev.version} -> v${unit.version}`);
      }
    }
    replayer.apply(state, e);
  }
  const now = await readDatabaseState(database);
  for (const u of now.units) {
    const r = state.units.get(u.id);
    if (canonicalJson(r) !== canonicalJson(u)) {
      problems.push(`unit ${u.id}: table ${JSON.stringify(u)} vs replay ${JSON.stringify(r)}`);
    }
  }
  for (const l of now.locations) {
    const r = state.locations.get(l.id);
    if (canonicalJson(r) !== canonicalJson(l)) {
      problems.push(`location ${l.id}: table ${JSON.stringify(l)} vs replay ${JSON.stringify(r)}`);
    }
  }
  if (state.units.size !== now.units.length) problems.push('unit count differs');
  return problems.slice(0, 20);
}
