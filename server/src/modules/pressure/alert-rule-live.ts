import { AlertRuleSet } from '@opvangatlas/shared';
import type { NewEvent } from '../../live/live-event';
import type { LiveModule } from '../../live/live-module';

export const alertRuleEventTypes = ['alert_rules.saved'] as const;

/**
 * A coordinator's save of Druk alert rules, in the audit trail with the whole rule set. It
 * travels to coordinators (the audience is stored per role), and only the coordinator who
 * saved gets it projected: rules are personal, a threshold on the laptop applies on the
 * phone and nowhere else.
 */
export function alertRuleEvent(
  user: { id: number; organisationId: number | null; regionId: number | null },
  set: AlertRuleSet,
): NewEvent {
  return {
    type: 'alert_rules.saved',
    actorUserId: user.id,
    organisationId: user.organisationId,
    regionId: user.regionId,
    audience: { roles: ['coordinator'], organisationIds: [], regionIds: [] },
    data: set,
  };
}

export function alertRuleLiveModule(): LiveModule {
  return {
    name: 'alertRules',
    events: Object.fromEntries(alertRuleEventTypes.map((t) => [t, AlertRuleSet])),
    async load() {},
    apply() {},
    project(event, viewer) {
      const set = event.data as AlertRuleSet;
      return viewer.id === set.userId ? [{ slice: 'alertRules', key: set.userId, value: set }] : [];
    },
    // One rendering per person: the projection depends on who is looking.
    viewerKey: (_event, viewer) => `user:${viewer.id}`,
    // Snapshots are shared by every coordinator (live-hub: one rendering per kind of viewer),
    // so a personal rule set cannot be in one: screens read it with GET and after each snapshot.
    snapshot: () => ({}),
  };
}
