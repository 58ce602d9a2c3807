import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { describe, expect, it, vi } from 'vitest';
import { SolverClosedError } from './swap-solve-runner';
import { swapTriggersPlugin } from './swap-triggers';

describe('swap triggers at shutdown', () => {
  it('close the solver before awaiting the running recompute, which it cuts short', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const app = Fastify({
      logger: { level: 'debug', stream: { write: (line: string) => lines.push(JSON.parse(line)) } },
    });
    // A recompute that solves until the solver closes, as SwapService.recompute does on a
    // large instance (its solve rejects with a SolverClosedError).
    let cutShort: (() => void) | undefined;
    const swaps = {
      recompute: vi.fn(
        () => new Promise((_, reject) => (cutShort = () => reject(new SolverClosedError()))),
      ),
      close: vi.fn(async () => cutShort?.()),
      expireDue: async () => 0,
    };
    await app.register(
      fp(
        async (app) => {
          app.decorate('config', { swapDebounceMs: 1, swapSweepMs: 60_000 } as never);
          app.decorate('services', { swaps } as never);
        },
        { name: 'services' },
      ),
    );
    await app.register(fp(async () => {}, { name: 'live' }));
    await app.register(swapTriggersPlugin);
    await app.ready();
    await vi.waitFor(() => expect(swaps.recompute).toHaveBeenCalledOnce());

    // Closing the solver only after the recompute ended would never end here.
    await app.close();
    expect(swaps.close).toHaveBeenCalledOnce();
    expect(lines.map((l) => l.msg)).toContain('swap recompute cut short by close');
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});
