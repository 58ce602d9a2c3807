import type { Database, Tx } from '@opvangatlas/db';
import type { Bus } from '../../live/bus';
import type { LiveEvent, NewEvent } from '../../live/live-event';
import { appendEvents } from './event-repository';

/** What a transition gets: the transaction, one clock for the whole change, and `emit`. */
export interface ChangeContext {
  readonly tx: Tx;
  readonly now: Date;
  /** Records an event; appended with the transaction and published after its commit. */
  emit(event: NewEvent): void;
}

/**
 * The one way a change flows (CONVENTIONS.md, point 4). Transitions are functions on a
 * ChangeContext (hold a unit, accept an offer, ...), so one service can compose several in
 * one transaction. The events are appended at the end, under the seq lock, and only after
 * commit published as one bus message: every client gets the whole change in one frame.
 * Publishing never holds the answer: the events table already makes a late message safe.
 */
export class ChangeRunner {
  constructor(
    private readonly database: Database,
    private readonly bus: Bus,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run<T>(work: (ctx: ChangeContext) => Promise<T>): Promise<T> {
    let committed: LiveEvent[] = [];
    const now = this.clock();
    const result = await this.database.db.transaction(async (tx) => {
      const pending: NewEvent[] = [];
      const value = await work({ tx, now, emit: (e) => void pending.push(e) });
      committed = await appendEvents(tx, pending);
      return value;
    });
    if (committed.length > 0) this.bus.publish({ kind: 'events', events: committed });
    return result;
  }
}
