import fp from 'fastify-plugin';

/**
 * Late check-ins, and each region's new day for the municipality view, are swept on every
 * instance; each step is a conditional update, so it happens (and is announced) once however
 * many instances sweep. The state lives in the database: a restart loses nothing, the next
 * sweep catches up. (A municipality's capacity figures need no recount: they follow the unit
 * events live, overflow-live.ts.)
 */
export const overflowTimersPlugin = fp(
  async (app) => {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    const sweep = async () => {
      const now = new Date();
      await app.services.overflow.flagOverdue(now);
      await app.services.overflow.escalateOverdue(now);
      await app.services.municipality.startDay(now);
    };
    let busy = false;
    // A slow sweep is not overtaken by the next: the next tick waits its turn.
    const run = () => {
      if (busy) return;
      busy = true;
      running = sweep()
        .catch((err: unknown) => app.log.error({ err }, 'overflow timers failed'))
        .finally(() => (busy = false));
    };
    app.addHook('onReady', async () => {
      run();
      timer = setInterval(run, app.config.overflowSweepMs);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      clearInterval(timer);
      await running;
    });
  },
  { name: 'overflow-timers', dependencies: ['services'] },
);
