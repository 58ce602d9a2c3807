/**
 * When a hold warns (issue 14): 10 and 2 minutes before it ends, and once it has ended, so a
 * worker on the phone is not surprised by a bed that went back to the pool.
 */
export type HoldStage = 'ok' | 'ten' | 'two' | 'expired';

export const WARN_TEN_MS = 10 * 60_000;
export const WARN_TWO_MS = 2 * 60_000;

export function holdStage(remainingMs: number): HoldStage {
  if (remainingMs <= 0) return 'expired';
  if (remainingMs <= WARN_TWO_MS) return 'two';
  return remainingMs <= WARN_TEN_MS ? 'ten' : 'ok';
}

const order: Record<HoldStage, number> = { ok: 0, ten: 1, two: 2, expired: 3 };

/**
 * The stage to announce when the stage moves from `previous` to `current`: only onwards
 * (an extension moves it back without a warning), and each stage once.
 */
export function stageToAnnounce(previous: HoldStage | null, current: HoldStage): HoldStage | null {
  if (current === 'ok') return null;
  if (previous !== null && order[current] <= order[previous]) return null;
  return current;
}
