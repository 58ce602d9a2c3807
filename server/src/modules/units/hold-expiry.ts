import fp from 'fastify-plugin';

/**
 * Holds expire by themselves: every instance sweeps; the conditional update lets exactly
 * one of them release a given hold, and the release is pushed like any change.
 */
export const holdExpiryPlugin = fp(
  async (app) => {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    app.addHook('onReady', async () => {
      timer = setInterval(() => {
        running = app.services.units
          .expireHolds()
          .catch((err: unknown) => app.log.error({ err }, 'hold expiry failed'));
      }, app.config.holdSweepMs);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      clearInterval(timer);
      await running;
    });
  },
  { name: 'hold-expiry', dependencies: ['services'] },
);
