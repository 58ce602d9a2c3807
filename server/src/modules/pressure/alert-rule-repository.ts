import { eq, sql } from 'drizzle-orm';
import { alertRuleSets, type Executor } from '@opvangatlas/db';
import { AlertRule, type AlertRuleSet } from '@opvangatlas/shared';

/**
 * A coordinator's saved rule set; version 0 and no rules when never saved. Checked on the
 * way out too, rule by rule: a stored document follows the schema of its time, and one rule
 * it no longer accepts must not take the others with it (the next save would lose them).
 * `dropped`: the positions of the rules left out, for the caller to log.
 */
export async function findAlertRuleSet(
  ex: Executor,
  userId: number,
): Promise<{ set: AlertRuleSet; dropped: number[] }> {
  const [row] = await ex.select().from(alertRuleSets).where(eq(alertRuleSets.userId, userId));
  if (!row) return { set: { userId, rules: [], version: 0, updatedAt: null }, dropped: [] };
  const stored: unknown[] = Array.isArray(row.rules) ? row.rules : [];
  const rules: AlertRule[] = [];
  const dropped: number[] = [];
  const ids = new Set<string>();
  stored.forEach((raw, i) => {
    const parsed = AlertRule.safeParse(raw);
    // A set names each rule once (AlertRules); a second one with an id is left out too.
    if (!parsed.success || ids.has(parsed.data.id)) dropped.push(i);
    else {
      ids.add(parsed.data.id);
      rules.push(parsed.data);
    }
  });
  return {
    set: { userId, rules, version: row.version, updatedAt: row.updatedAt.toISOString() },
    dropped,
  };
}

/** Replaces the rule set, one version up; the row is locked until the transaction ends. */
export async function saveAlertRuleSet(
  ex: Executor,
  userId: number,
  rules: AlertRuleSet['rules'],
  now: Date,
): Promise<AlertRuleSet> {
  const [row] = await ex
    .insert(alertRuleSets)
    .values({ userId, rules, version: 1, updatedAt: now })
    .onConflictDoUpdate({
      target: alertRuleSets.userId,
      set: { rules, version: sql`${alertRuleSets.version} + 1`, updatedAt: now },
    })
    .returning({ version: alertRuleSets.version });
  return { userId, rules, version: row!.version, updatedAt: now.toISOString() };
}
