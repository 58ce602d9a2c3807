import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { LiveEvent } from '../../live/live-event';
import type { FullRequest } from '../placements/placement-repository';
import { SolverClosedError } from './swap-solve-runner';

/**
 * When to look for swaps again: a "ruil mogelijk" request opened, changed or ended; a unit
 * named by such a request changed; a proposal fell.
 */
export function triggersRecompute(event: LiveEvent, namedUnitIds: ReadonlySet<number>): boolean {
  if (event.type.startsWith('placement.') && event.type !== 'placement.quota_set') {
    return (event.data as FullRequest).request.swapUnitId !== null;
  }
  if (event.type.startsWith('unit.')) {
    return namedUnitIds.has((event.data as { unit: { id: number } }).unit.id);
  }
  return event.type === 'swap.declined' || event.type === 'swap.fallen';
}

/** What the swaps live module needs to ask for a recompute (see swap-live.ts). */
export interface SwapRecomputes {
  /** The units named by open "ruil mogelijk" requests, as of the last recompute. */
  readonly namedUnitIds: ReadonlySet<number>;
  schedule(): void;
}

/**
 * One instance's recompute schedule. The swaps live module feeds it every event its hub
 * applies, so every instance reacts to every change, whichever committed it; the advisory
 * lock and the input check in `recompute` keep them from proposing a request twice. A burst
 * of changes is one recompute: the first change starts a short timer, later ones join it
 * (a catch-up of a thousand events too), and a change during a recompute runs one more
 * after it.
 */
class SwapTriggers implements SwapRecomputes {
  namedUnitIds: ReadonlySet<number> = new Set();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;
  private again = false;
  private closed = false;

  constructor(private readonly app: FastifyInstance) {}

  schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => this.run(), this.app.config.swapDebounceMs);
    this.timer.unref();
  }

  /**
   * No recompute starts from now on; the solver closes first, so a running recompute ends
   * at once (its solve, seconds on a large instance and retried, rejects) instead of holding
   * the shutdown past its timeout, which would skip closing the bus and the database.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.app.services.swaps.close();
    await this.running;
  }

  private run(): void {
    this.timer = undefined;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.app.services.swaps
      .recompute()
      .then((result) => {
        this.namedUnitIds = new Set(result.namedUnitIds);
        if (result.retry) {
          this.app.log.warn('swap recompute overtaken by changes; running it again');
          this.again = true;
        }
      })
      .catch((err: unknown) => {
        if (err instanceof SolverClosedError)
          this.app.log.info('swap recompute cut short by close');
        else this.app.log.error({ err }, 'swap recompute failed');
      })
      .finally(() => {
        this.running = null;
        if (this.again && !this.closed) {
          this.again = false;
          this.schedule();
        }
      });
  }
}

const schedules = new WeakMap<FastifyInstance, SwapTriggers>();

/**
 * The app's recompute schedule, shared by its swaps live module (made while the live plugin
 * registers) and the plugin below that starts and stops it.
 */
export function swapRecomputesOf(app: FastifyInstance): SwapRecomputes {
  return triggersOf(app);
}

function triggersOf(app: FastifyInstance): SwapTriggers {
  let triggers = schedules.get(app);
  if (!triggers) schedules.set(app, (triggers = new SwapTriggers(app)));
  return triggers;
}

export const swapTriggersPlugin = fp(
  async (app) => {
    const triggers = triggersOf(app);
    let sweeper: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      // The hub starts from the tables, not by replaying the log: requests left unmatched
      // while no instance ran (a restart) are matched by this one recompute.
      triggers.schedule();
      sweeper = setInterval(() => {
        // A proposal that falls here is an event, which the live module observes.
        app.services.swaps
          .expireDue()
          .catch((err: unknown) => app.log.error({ err }, 'swap deadline sweep failed'));
      }, app.config.swapSweepMs);
      sweeper.unref();
    });
    app.addHook('preClose', async () => {
      clearInterval(sweeper);
      await triggers.close();
    });
  },
  { name: 'swap-triggers', dependencies: ['services', 'live'] },
);
