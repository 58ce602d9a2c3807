/** mulberry32: a tiny deterministic PRNG, so a seed value always yields the same data. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    /** Exponentially distributed value with the given mean. */
    exponential: (mean: number) => -Math.log(1 - next()) * mean,
    /** Poisson-distributed count with the given mean (Knuth's method). */
    poisson(mean: number): number {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = 1;
      do {
        k += 1;
        p *= next();
      } while (p > limit);
      return k - 1;
    },
    /** Picks from [value, weight] pairs. */
    weighted<T>(options: ReadonlyArray<readonly [T, number]>): T {
      const total = options.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [value, weight] of options) {
        r -= weight;
        if (r < 0) return value;
      }
      return options[options.length - 1]![0];
    },
  };
}
export type Random = ReturnType<typeof createRandom>;
