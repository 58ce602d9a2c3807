import { AlertRules, type AlertRule, type AlertRuleSet } from '@opvangatlas/shared';
import { api, ApiError } from '$lib/api';

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** Where rules were kept before they moved to the server: read once, saved there, removed. */
const legacyKeyOf = (userId: number) => `opvangatlas.pressureAlerts.${userId}`;

function takeLegacy(userId: number): AlertRule[] | null {
  try {
    const raw = localStorage.getItem(legacyKeyOf(userId));
    if (raw === null) return null;
    const parsed = AlertRules.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

function dropLegacy(userId: number): void {
  try {
    localStorage.removeItem(legacyKeyOf(userId));
  } catch {
    // storage blocked: nothing was read from it either
  }
}

/**
 * A coordinator's Druk thresholds, kept on the server (GET/PUT /api/pressure/alert-rules) so
 * a rule set on the laptop applies on the phone; a save on another screen arrives on the
 * live stream (the `alertRules` slice) and replaces these by version.
 */
class AlertRuleStore {
  rules = $state<AlertRule[]>([]);
  /** False until the server's rules are known: nothing is evaluated or remembered before. */
  loaded = $state(false);
  saving = $state(false);
  /** The last save that failed, for the form to explain; cleared by the next success. */
  error = $state<unknown>(null);
  /** The last load that failed, for the form to explain; cleared by the next success. */
  loadError = $state<unknown>(null);
  private version = -1;
  private userId: number | null = null;
  private inFlight: Promise<void> | null = null;

  /**
   * Loads the rules of this coordinator: at the start, again after a reconnect (a save may
   * be missed) and while they are not loaded (the caller retries). One request at a time.
   * `regionIds`: the regions known now, so rules kept on this device for a region that is
   * gone do not make the server refuse the others.
   */
  load(userId: number, regionIds?: readonly number[]): Promise<void> {
    if (this.userId !== userId) {
      this.userId = userId;
      this.version = -1;
      this.loaded = false;
      this.rules = [];
      this.inFlight = null;
    }
    this.inFlight ??= this.fetch(regionIds).finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  get loading(): boolean {
    return this.inFlight !== null;
  }

  private async fetch(regionIds?: readonly number[]): Promise<void> {
    let set: AlertRuleSet;
    try {
      set = await api.pressure.alertRules();
      this.loadError = null;
    } catch (err) {
      this.loadError = err;
      return;
    }
    this.receive(set);
    await this.migrate(set, regionIds);
  }

  /** Takes a rule set from an answer or the live stream unless a newer one is held. */
  receive(set: AlertRuleSet): void {
    if (set.userId !== this.userId || set.version < this.version) return;
    this.version = set.version;
    this.rules = set.rules;
    this.loaded = true;
  }

  /**
   * Rules this device kept before they moved to the server: saved once, then forgotten. Also
   * forgotten when the server refuses them (4xx: sending them again would be refused again);
   * kept only when the save did not get through (offline, 5xx), to try after a reconnect.
   */
  private async migrate(set: AlertRuleSet, regionIds?: readonly number[]): Promise<void> {
    const userId = set.userId;
    const legacy = takeLegacy(userId);
    if (legacy === null) return;
    const known = regionIds ? new Set(regionIds) : null;
    const usable = legacy.filter((r) => r.regionId === null || !known || known.has(r.regionId));
    if (set.version === 0 && usable.length > 0) {
      const failure = await this.save(usable);
      const refused = failure instanceof ApiError && failure.status >= 400 && failure.status < 500;
      if (failure !== null && !refused) return;
    }
    dropLegacy(userId);
  }

  /** Saves the whole set; answers the error when it failed (also kept for the form). */
  private async save(next: AlertRule[]): Promise<unknown> {
    this.saving = true;
    try {
      this.receive(await api.pressure.saveAlertRules(next));
      this.error = null;
      return null;
    } catch (err) {
      this.error = err;
      return err;
    } finally {
      this.saving = false;
    }
  }

  async add(rule: DistributiveOmit<AlertRule, 'id'>): Promise<void> {
    const id = `r${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
    await this.save([...this.rules, { ...rule, id } as AlertRule]);
  }

  async remove(id: string): Promise<void> {
    await this.save(this.rules.filter((r) => r.id !== id));
  }
}

export const alertRules = new AlertRuleStore();
