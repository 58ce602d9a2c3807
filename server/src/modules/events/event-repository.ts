import { and, asc, desc, gt, lte, sql } from 'drizzle-orm';
import { events, type Executor, type Tx } from '@opvangatlas/db';
import { LiveEvent, type NewEvent } from '../../live/live-event';

/** Any constant works; it only has to be the same for every writer. */
export const EVENT_APPEND_LOCK = 7_140_001;

type EventRow = typeof events.$inferSelect;

function toLiveEvent(row: EventRow): LiveEvent {
  return LiveEvent.parse({
    seq: row.seq,
    at: row.at.toISOString(),
    type: row.type,
    actorUserId: row.actorUserId,
    organisationId: row.organisationId,
    regionId: row.regionId,
    audience: {
      roles: row.audienceRoles,
      organisationIds: row.audienceOrganisations,
      regionIds: row.audienceRegions,
    },
    data: row.data,
  });
}

/**
 * The next seq, taken under the advisory lock (held until commit), which makes seq order
 * equal commit order across connections and instances: without it a client could see seq 11
 * committed before seq 10 and never learn about 10. The lock is taken in the insert itself,
 * the last statement before the commit, so it is held only for the insert and the commit
 * and costs no round trip of its own. It runs before nextval because nextval's argument is
 * built from its result (void, as empty text): an argument is evaluated before its function.
 */
const nextSeqLocked = sql`nextval((pg_get_serial_sequence('events', 'seq')
  || pg_advisory_xact_lock(${sql.raw(String(EVENT_APPEND_LOCK))})::text)::regclass)`;

/** Appends the events of a transaction at its end. */
export async function appendEvents(tx: Tx, list: NewEvent[]): Promise<LiveEvent[]> {
  if (list.length === 0) return [];
  const rows = await tx
    .insert(events)
    .values(
      list.map((e) => ({
        seq: nextSeqLocked,
        type: e.type,
        actorUserId: e.actorUserId,
        organisationId: e.organisationId,
        regionId: e.regionId,
        unitId: e.refs?.unitId ?? null,
        locationId: e.refs?.locationId ?? null,
        audienceRoles: e.audience.roles,
        audienceOrganisations: e.audience.organisationIds,
        audienceRegions: e.audience.regionIds,
        data: (e.storedData === undefined ? e.data : e.storedData) ?? null,
      })),
    )
    .returning();
  // Rows come back in insert order; what is published is the full data, not the stored part.
  return rows
    .map((row, i) => ({ ...toLiveEvent(row), data: list[i]!.data }))
    .sort((a, b) => a.seq - b.seq);
}

export async function maxSeq(ex: Executor): Promise<number> {
  const [row] = await ex.select({ seq: sql<string | null>`max(${events.seq})` }).from(events);
  return Number(row?.seq ?? 0);
}

/** Events after `since`, up to `until` when given, oldest first, at most `limit`. */
export async function listEvents(
  ex: Executor,
  since: number,
  opts: { until?: number; limit?: number } = {},
): Promise<LiveEvent[]> {
  const rows = await ex
    .select()
    .from(events)
    .where(
      and(
        gt(events.seq, since),
        opts.until === undefined ? undefined : lte(events.seq, opts.until),
      ),
    )
    .orderBy(asc(events.seq))
    .limit(opts.limit ?? 10_000);
  return rows.map(toLiveEvent);
}

/** The last `count` events up to `upTo`, oldest first. */
export async function listRecentEvents(
  ex: Executor,
  upTo: number,
  count: number,
): Promise<LiveEvent[]> {
  const rows = await ex
    .select()
    .from(events)
    .where(lte(events.seq, upTo))
    .orderBy(desc(events.seq))
    .limit(count);
  return rows.reverse().map(toLiveEvent);
}
