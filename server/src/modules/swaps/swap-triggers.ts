import fp from 'fastify-plugin';
import type { LiveEvent } from '../../live/live-event';
import type { FullRequest } from '../placements/placement-repository';

/**
 * When to look for swaps again: a "ruil mogelijk" request opened, changed or ended; a unit
 * named by such a request changed; a proposal fell. A burst of changes is one recompute: the first change
 * starts a short timer, later ones join it, and a change during a recompute runs one more
 * after it. Only the instance that committed the change reacts; the advisory lock in the
 * recompute keeps two instances from proposing the same request twice.
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

export const swapTriggersPlugin = fp(
  async (app) => {
    const { swapDebounceMs, swapSweepMs } = app.config;
    let timer: NodeJS.Timeout | undefined;
    let sweeper: NodeJS.Timeout | undefined;
    let running: Promise<unknown> | null = null;
    let again = false;
    let closed = false;
    let namedUnitIds: ReadonlySet<number> = new Set();
    const run = async () => {
      timer = undefined;
      if (running) {
        again = true;
        return;
      }
      running = app.services.swaps
        .recompute()
        .then((result) => void (namedUnitIds = new Set(result.namedUnitIds)))
        .catch((err: unknown) => app.log.error({ err }, 'swap recompute failed'))
        .finally(() => {
          running = null;
          if (again && !closed) {
            again = false;
            schedule();
          }
        });
    };
    const schedule = () => {
      if (closed || timer) return;
      timer = setTimeout(() => void run(), swapDebounceMs);
      timer.unref();
    };
    const unsubscribe = app.changes.onCommitted((events) => {
      if (events.some((e) => triggersRecompute(e, namedUnitIds))) schedule();
    });
    app.addHook('onReady', async () => {
      // Requests left unmatched while no instance ran (a restart) are matched now.
      schedule();
      sweeper = setInterval(() => {
        // A proposal that falls here is an event, so the listener above recomputes.
        app.services.swaps
          .expireDue()
          .catch((err: unknown) => app.log.error({ err }, 'swap deadline sweep failed'));
      }, swapSweepMs);
      sweeper.unref();
    });
    app.addHook('preClose', async () => {
      closed = true;
      unsubscribe();
      clearTimeout(timer);
      clearInterval(sweeper);
      await running;
    });
  },
  { name: 'swap-triggers', dependencies: ['services'] },
);
