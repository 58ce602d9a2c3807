import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '@opvangatlas/db';
import type { AlertRuleSet, AlertRulesInput, SessionUser } from '@opvangatlas/shared';
import { ForbiddenError, ValidationError } from '../../errors';
import type { ChangeRunner } from '../events/change-runner';
import { listRegionIds } from '../regions/region-repository';
import { alertRuleEvent } from './alert-rule-live';
import { findAlertRuleSet, saveAlertRuleSet } from './alert-rule-repository';

type User = Pick<SessionUser, 'id' | 'role' | 'organisationId' | 'regionId'>;

/**
 * A coordinator's Druk alert thresholds (issue 11), kept on the server so a rule set on the
 * laptop applies on the phone. Only coordinators set them: they are the ones Druk alerts.
 * Each save is one event in the audit trail with the whole rule set, and goes live to the
 * coordinator's other screens (alert-rule-live.ts).
 */
export class AlertRuleService {
  constructor(
    private readonly deps: { database: Database; changes: ChangeRunner; log: FastifyBaseLogger },
  ) {}

  private allow(user: User): void {
    if (user.role !== 'coordinator') throw new ForbiddenError('Alleen coördinatoren');
  }

  async get(user: User): Promise<AlertRuleSet> {
    this.allow(user);
    const { set, dropped } = await findAlertRuleSet(this.deps.database.db, user.id);
    if (dropped.length > 0)
      this.deps.log.warn(
        { userId: user.id, version: set.version, dropped },
        'stored alert rules left out: no longer valid',
      );
    return set;
  }

  async replace(user: User, input: AlertRulesInput): Promise<AlertRuleSet> {
    this.allow(user);
    return this.deps.changes.run(async (ctx) => {
      const known = new Set(await listRegionIds(ctx.tx));
      const unknown = input.rules.flatMap((rule, i) =>
        rule.regionId === null || known.has(rule.regionId)
          ? []
          : [
              {
                path: `rules.${i}.regionId`,
                code: 'unknown_region' as const,
                message: 'Onbekende regio',
              },
            ],
      );
      if (unknown.length > 0) throw new ValidationError('Onbekende regio', unknown);
      const set = await saveAlertRuleSet(ctx.tx, user.id, input.rules, ctx.now);
      ctx.emit(alertRuleEvent(user, set));
      return set;
    });
  }
}
