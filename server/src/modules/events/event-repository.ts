import { and, asc, gt, lte, sql } from 'drizzle-orm';
import { events, type Executor, type Tx } from '@opvangatlas/db';
import { LiveEvent, type NewEvent } from '../../live/live-event';

/** Any constant works; it only has to be the same for every writer. */
const EVENT_APPEND_LOCK = 7_140_001;

type EventRow = typeof events.$inferSelect;

function toLiveEvent(row: EventRow): LiveEvent {
  return LiveEvent.parse({
    ...(row.data as object),
    seq: row.seq,
    at: row.at.toISOString(),
    type: row.type,
    actorUserId: row.actorUserId,
    organisationId: row.organisationId,
    regionId: row.regionId,
  });
}

/**
 * Appends an event inside the caller's transaction. The advisory lock (held until commit)
 * makes seq order equal commit order across connections and instances: without it a
 * client could see seq 11 committed before seq 10 and never learn about 10.
 */
export async function appendEvent(tx: Tx, event: NewEvent): Promise<LiveEvent> {
  await tx.execute(sql`select pg_advisory_xact_lock(${EVENT_APPEND_LOCK})`);
  const { type, actorUserId, organisationId, regionId, ...data } = event;
  const [row] = await tx
    .insert(events)
    .values({
      type,
      actorUserId,
      organisationId,
      regionId,
      locationId: 'location' in event ? event.location.id : event.unit.locationId,
      unitId: 'unit' in event ? event.unit.id : null,
      data,
    })
    .returning();
  return toLiveEvent(row!);
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
