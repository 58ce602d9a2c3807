import {
  RESPOND_WITHIN_MINUTES,
  type PlacementRequest,
  type PlacementStatus,
  type Urgency,
} from '@opvangatlas/shared';
import { AppError, ValidationError } from '../../errors';

export interface EscalationLadders {
  /** Minutes after creation for code rood and acuut (default 30, 60, 120). */
  urgent: number[];
  /** For regulier (default 240, 1440). */
  regular: number[];
}

export const ladderFor = (urgency: Urgency, ladders: EscalationLadders) =>
  urgency === 'regulier' ? ladders.regular : ladders.urgent;

const MIN_RESPOND_MS = 5 * 60_000;
const MAX_RESPOND_MS = 14 * 24 * 3_600_000;

/** The respond-by time: the given one if it is sensible, the default of the urgency otherwise. */
export function respondByFor(urgency: Urgency, now: Date, requested?: string): Date {
  if (requested === undefined)
    return new Date(now.getTime() + RESPOND_WITHIN_MINUTES[urgency] * 60_000);
  const at = new Date(requested);
  const ahead = at.getTime() - now.getTime();
  if (ahead < MIN_RESPOND_MS || ahead > MAX_RESPOND_MS) {
    throw new ValidationError('De reactietermijn moet tussen 5 minuten en 14 dagen liggen', [
      {
        path: 'respondBy',
        code: 'respond_by_range',
        message: 'Tussen 5 minuten en 14 dagen vanaf nu',
      },
    ]);
  }
  return at;
}

/** Regions that may see the request: all but the unsafe ones. */
export function eligibleRegions(all: number[], unsafe: number[]): number[] {
  const excluded = new Set(unsafe);
  return all.filter((id) => !excluded.has(id));
}

export function assertStatus(request: PlacementRequest, ...allowed: PlacementStatus[]): void {
  if (!allowed.includes(request.status)) {
    throw new AppError('placement_not_open', `Dit verzoek is ${request.status}`, {
      params: { status: request.status },
    });
  }
}

export type QuotaVerdict = 'ok' | 'warn' | 'block';

/**
 * "At most X% of crisis capacity for clients from other regions" (Rotterdam 25%, seed 004):
 * whether one more household from elsewhere would go over it, and what the region wants
 * then (a warning to the offering VO, or a refusal).
 */
export function quotaVerdict(
  occupancy: { capacity: number; fromElsewhere: number },
  quota: { percent: number | null; mode: 'warn' | 'block' } | undefined,
): QuotaVerdict {
  if (!quota || quota.percent === null || occupancy.capacity === 0) return 'ok';
  const over = (occupancy.fromElsewhere + 1) * 100 > quota.percent * occupancy.capacity;
  return over ? quota.mode : 'ok';
}
