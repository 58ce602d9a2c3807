import { z } from 'zod';
import { Id } from './id';
import { MIN_FREE_NOODBEDDEN, type PressureRow } from './pressure';
import { UnitKind } from './unit';

/**
 * Thresholds a coordinator sets on Druk (issue 11): a region above X% for a kind (or in
 * total), fewer than 2 free noodbedden, an escalated request, an overdue check-in. Each
 * applies to one region or, with `regionId` null, to every region.
 */
export const alertRuleTypes = [
  'occupancy',
  'acute_short',
  'request_escalated',
  'overdue_check_in',
] as const;
export type AlertRuleType = (typeof alertRuleTypes)[number];

const base = { id: z.string().min(1).max(40), regionId: Id.nullable() };
export const AlertRule = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('occupancy'),
    /** Null: the region's total occupancy. */
    kind: UnitKind.nullable(),
    percent: z.int().min(50).max(100),
  }),
  z.strictObject({ ...base, type: z.literal('acute_short') }),
  z.strictObject({ ...base, type: z.literal('request_escalated') }),
  z.strictObject({ ...base, type: z.literal('overdue_check_in') }),
]);
export type AlertRule = z.infer<typeof AlertRule>;
/** A rule set names each rule once: the id keys the rule's raised state on every screen. */
export const AlertRules = z
  .array(AlertRule)
  .max(50)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'Dubbele regel' });
      seen.add(rule.id);
    });
  });

/** PUT /api/pressure/alert-rules: the coordinator's whole rule set, replacing the one saved. */
export const AlertRulesInput = z.strictObject({ rules: AlertRules });
export type AlertRulesInput = z.infer<typeof AlertRulesInput>;

/**
 * A coordinator's saved rules, as the route answers and as the live stream brings a save to
 * the coordinator's other screens (the `alertRules` slice, keyed by user). `version` counts
 * saves (0: never saved), so a screen keeps the newest of an answer and a live change.
 */
export const AlertRuleSet = z.strictObject({
  userId: Id,
  rules: AlertRules,
  version: z.int().min(0),
  updatedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type AlertRuleSet = z.infer<typeof AlertRuleSet>;

/**
 * Hysteresis: an occupancy alert is raised at X% and only raised again after occupancy has
 * dropped below X - 5 points; a noodbed alert clears at one free noodbed more than the rule
 * (3). Counts (escalated requests, late check-ins) clear at zero. So a region going
 * 94-96-94-96% around a 95% threshold alerts once, not on every change.
 */
const HYSTERESIS_POINTS = 5;

export interface PressureAlert {
  rule: AlertRule;
  regionId: number;
  /** The figure that crossed: a percentage, free noodbedden, or a count. */
  value: number;
}

type Level = 'raise' | 'clear' | 'hold';

function levelOf(rule: AlertRule, row: PressureRow): { level: Level; value: number } {
  switch (rule.type) {
    case 'occupancy': {
      const occupancy = (rule.kind === null ? row.total : row.kinds[rule.kind]).occupancy;
      if (occupancy === null) return { level: 'hold', value: 0 };
      const pct = Math.round(occupancy * 1000) / 10;
      if (pct >= rule.percent) return { level: 'raise', value: pct };
      return { level: pct < rule.percent - HYSTERESIS_POINTS ? 'clear' : 'hold', value: pct };
    }
    case 'acute_short': {
      const free = row.freeNoodbedden;
      if (free < MIN_FREE_NOODBEDDEN) return { level: 'raise', value: free };
      return { level: free > MIN_FREE_NOODBEDDEN ? 'clear' : 'hold', value: free };
    }
    case 'request_escalated':
      return { level: row.escalatedRequests > 0 ? 'raise' : 'clear', value: row.escalatedRequests };
    case 'overdue_check_in':
      return { level: row.overdueCheckIns > 0 ? 'raise' : 'clear', value: row.overdueCheckIns };
  }
}

const alertKey = (rule: AlertRule, regionId: number) => `${rule.id}:${regionId}`;

/**
 * One evaluation of the rules against the table now. `raised` holds the (rule, region)
 * pairs already alerted; the answer is the new set and the alerts to push, one per pair
 * that crossed since. Regions without places, and regions whose data is not recent (their
 * numbers say nothing), keep their state. Pure: the same on every screen and in tests.
 */
export function evaluateAlerts(
  rules: readonly AlertRule[],
  rows: readonly PressureRow[],
  raised: ReadonlySet<string>,
): { fired: PressureAlert[]; raised: Set<string> } {
  const next = new Set<string>();
  const fired: PressureAlert[] = [];
  for (const rule of rules) {
    for (const row of rows) {
      if (rule.regionId !== null && rule.regionId !== row.regionId) continue;
      const key = alertKey(rule, row.regionId);
      const was = raised.has(key);
      if (row.total.places === 0 || row.dataState === 'no_recent_data') {
        if (was) next.add(key);
        continue;
      }
      const { level, value } = levelOf(rule, row);
      if (level === 'raise' || (level === 'hold' && was)) next.add(key);
      if (level === 'raise' && !was) fired.push({ rule, regionId: row.regionId, value });
    }
  }
  return { fired, raised: next };
}

/**
 * What a screen remembers between evaluations (and reloads): the raised (rule, region) pairs,
 * and the rules it has seen. A rule it has not seen yet (just added, or a first start on
 * this device) takes the state now as its baseline instead of alerting on it: only a
 * crossing after that is news.
 */
export const AlertMemory = z.object({
  raised: z.array(z.string()).max(10_000),
  ruleIds: z.array(z.string()).max(100),
});
export type AlertMemory = z.infer<typeof AlertMemory>;

/** evaluateAlerts with a memory: alerts for the rules already seen, a baseline for new ones. */
export function stepAlerts(
  rules: readonly AlertRule[],
  rows: readonly PressureRow[],
  memory: AlertMemory,
): { fired: PressureAlert[]; memory: AlertMemory } {
  const seen = new Set(memory.ruleIds);
  const known = evaluateAlerts(
    rules.filter((r) => seen.has(r.id)),
    rows,
    new Set(memory.raised),
  );
  const fresh = evaluateAlerts(
    rules.filter((r) => !seen.has(r.id)),
    rows,
    new Set(),
  );
  return {
    fired: known.fired,
    memory: {
      raised: [...known.raised, ...fresh.raised],
      ruleIds: rules.map((r) => r.id),
    },
  };
}
