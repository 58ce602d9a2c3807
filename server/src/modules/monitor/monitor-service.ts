import type { Database, Executor } from '@opvangatlas/db';
import { dutchDate, type MonitorFigures, type MonitorQuery } from '@opvangatlas/shared';
import { AppError, ForbiddenError } from '../../errors';
import { loadRegistrations } from '../overflow/overflow-repository';
import { oversees, type Actor } from '../overflow/overflow-rules';
import { loadEntries, loadNonPlacements } from '../overflow/waitlist-repository';
import { monitorFigures, type MonitorChange } from './monitor-figures';
import {
  latestMonitorSeq,
  loadMonitorChanges,
  loadMonitorUnits,
  loadPlacedArrivals,
} from './monitor-repository';

/** Changes read per query while catching up, so a year of history is read in a few pages. */
const PAGE = 50_000;
/** Answers kept for the newest head: years, regions, screen or file. */
const ANSWERS = 64;

/**
 * The yearly Monitor Veilige Opvang export (monitor-figures.ts). Coordinators and admins see
 * any region or all, unsuppressed on screen; a municipality its own region only. Small
 * numbers are hidden in everything that leaves the coordinators: the municipality's view
 * and every CSV file.
 *
 * The unit changes of the log are kept in memory, read on the first request (not at start:
 * every server, test servers too, would pay for a page few open) and then extended with
 * those after the last seq read (the log is append-only), so a request reads only what is
 * new. Answers are kept per query and day for the newest seq of the events behind the
 * monitor's tables (latestMonitorSeq): the same seq and day give the same figures, so every
 * coordinator opening the page in between gets the same answer without computing it again,
 * and a login in between does not throw them away.
 */
export class MonitorService {
  private readonly changes: Array<MonitorChange & { seq: number }> = [];
  /** Every unit change up to this seq is in `changes`. */
  private loadedTo = 0;
  private extending: Promise<void> = Promise.resolve();
  /** Answers for `answersHead` only: an older head's are never asked again. */
  private readonly answers = new Map<string, MonitorFigures>();
  private answersHead = 0;

  constructor(private readonly database: Database) {}

  async figures(
    viewer: Actor,
    query: MonitorQuery,
    opts: { export: boolean },
    now = new Date(),
  ): Promise<MonitorFigures> {
    let regionId = query.regionId ?? null;
    if (viewer.role === 'municipality') {
      if (viewer.regionId === null) throw new AppError('no_region', 'Geen regio gekoppeld');
      if (regionId !== null && regionId !== viewer.regionId)
        throw new AppError('not_own_region', 'Je ziet alleen de cijfers van je eigen regio');
      regionId = viewer.regionId;
    } else if (!oversees(viewer)) {
      throw new ForbiddenError('Alleen coördinatoren, beheerders en gemeenten');
    }
    const suppress = opts.export || viewer.role === 'municipality';
    return this.database.db.transaction(
      async (tx) => {
        // The log and the tables at one moment: `head` is the last change this read sees.
        const head = await latestMonitorSeq(tx);
        const key = `${query.year}:${regionId}:${suppress}:${dutchDate(now)}`;
        const cached = head === this.answersHead ? this.answers.get(key) : undefined;
        if (cached) return cached;
        const answer = monitorFigures(
          {
            year: query.year,
            regionId,
            now,
            changes: await this.changesUpTo(tx, head),
            units: await loadMonitorUnits(tx),
            overflow: await loadRegistrations(tx, undefined),
            waitlist: await loadEntries(tx, undefined),
            nonPlacements: await loadNonPlacements(tx, undefined),
            placedArrivals: await loadPlacedArrivals(tx),
          },
          suppress,
        );
        if (head > this.answersHead) {
          this.answers.clear();
          this.answersHead = head;
        }
        if (head === this.answersHead) {
          // The oldest out first (a Map keeps insertion order): a bound, not a policy.
          if (this.answers.size >= ANSWERS) this.answers.delete(this.answers.keys().next().value!);
          this.answers.set(key, answer);
        }
        return answer;
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  /**
   * The unit changes up to `head`, read through `ex` (whose snapshot has every seq up to
   * it: seqs are given out in commit order). One extension at a time; each reader gets the
   * changes cut at its own head.
   */
  private async changesUpTo(ex: Executor, head: number): Promise<readonly MonitorChange[]> {
    const extend = this.extending.then(async () => {
      if (head <= this.loadedTo) return;
      const read: typeof this.changes = [];
      for (let from = this.loadedTo; ;) {
        const page = await loadMonitorChanges(ex, from, PAGE);
        // Up to this snapshot's head only: a later change waits for the read that sees it.
        for (const c of page) if (c.seq <= head) read.push(c);
        if (page.length < PAGE) break;
        from = page[page.length - 1]!.seq;
      }
      // All or nothing: a read that fails halfway leaves the list as it was.
      for (const c of read) this.changes.push(c);
      this.loadedTo = head;
    });
    this.extending = extend.catch(() => {});
    await extend;
    // The prefix up to this read's head, as a copy: another read may extend the list while
    // this one still loads the tables.
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.changes[mid]!.seq <= head) lo = mid + 1;
      else hi = mid;
    }
    return this.changes.slice(0, lo);
  }
}
