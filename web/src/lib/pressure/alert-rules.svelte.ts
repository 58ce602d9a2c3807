import { AlertRules, type AlertRule } from '@opvangatlas/shared';

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

const keyOf = (userId: number) => `opvangatlas.pressureAlerts.${userId}`;

/**
 * A coordinator's Druk thresholds, kept on this device like the request alert preferences
 * (placements/alert-prefs): what to be told, not data of anyone else.
 */
class AlertRuleStore {
  rules = $state<AlertRule[]>([]);
  private userId: number | null = null;

  init(userId: number): void {
    if (this.userId === userId) return;
    this.userId = userId;
    try {
      const parsed = AlertRules.safeParse(JSON.parse(localStorage.getItem(keyOf(userId)) ?? '[]'));
      this.rules = parsed.success ? parsed.data : [];
    } catch {
      this.rules = [];
    }
  }

  private save(): void {
    if (this.userId === null) return;
    try {
      localStorage.setItem(keyOf(this.userId), JSON.stringify(this.rules));
    } catch {
      // storage blocked: the rules last this page only
    }
  }

  add(rule: DistributiveOmit<AlertRule, 'id'>): void {
    const id = `r${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
    this.rules = [...this.rules, { ...rule, id } as AlertRule];
    this.save();
  }

  remove(id: string): void {
    this.rules = this.rules.filter((r) => r.id !== id);
    this.save();
  }
}

export const alertRules = new AlertRuleStore();
