import type { Database, Tx } from '@opvangatlas/db';
import type { Bus } from '../../live/bus';
import type { LiveEvent } from '../../live/live-event';

export interface ChangeResult<T> {
  result: T;
  events: LiveEvent[];
}

/**
 * The one way a change flows (CONVENTIONS.md, point 4): row update and event append in one
 * transaction, then, only after commit, publish. A failed publish loses nothing: the event
 * is in the table and every instance's hub catches up from there.
 */
export async function runChange<T>(
  database: Database,
  bus: Bus,
  work: (tx: Tx) => Promise<ChangeResult<T>>,
  onPublishError: (err: unknown) => void = () => {},
): Promise<T> {
  const { result, events } = await database.db.transaction(work);
  for (const event of events) await bus.publish(event).catch(onPublishError);
  return result;
}
