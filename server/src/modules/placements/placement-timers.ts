import fp from 'fastify-plugin';

/**
 * Escalation, respond-by expiry and data minimisation run on every instance; each step is a
 * conditional update, so it happens once however many instances sweep. The state lives in
 * the database, so a restart loses no timer: the next sweep catches up.
 */
export const placementTimersPlugin = fp(
  async (app) => {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    const sweep = async () => {
      const placements = app.services.placements;
      await placements.expireDue();
      await placements.escalateDue();
      await placements.deleteOldDetails();
    };
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        running = sweep().catch((err: unknown) =>
          app.log.error({ err }, 'placement timers failed'),
        );
      }, app.config.placementSweepMs);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      clearInterval(timer);
      await running;
    });
  },
  { name: 'placement-timers', dependencies: ['services'] },
);
