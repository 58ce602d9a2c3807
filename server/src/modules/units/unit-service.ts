import type { Database } from '@opvangatlas/db';
import {
  voRoles,
  type SessionUser,
  type Unit,
  type UnitPatch,
  type UnitQuery,
} from '@opvangatlas/shared';
import { ConflictError } from '../../errors';
import type { ChangeRunner } from '../events/change-runner';
import { access, assertAccess } from '../session/access';
import { unitFor } from './unit-privacy';
import { listExpiredHolds, listUnits, toUnit } from './unit-repository';
import { mayRelease, type HoldCaps } from './unit-rules';
import { expireHold, holdUnit, patchUnit, releaseUnit } from './unit-transitions';

export interface UnitServiceDeps {
  database: Database;
  changes: ChangeRunner;
  holdMinutes: number;
  holdCaps: HoldCaps;
}

/**
 * Every action authorises the actor's role before it reads any unit, so a refused request
 * learns nothing of the unit's state (not even in a conflict body).
 */
export class UnitService {
  constructor(private readonly deps: UnitServiceDeps) {}

  async list(viewer: SessionUser, query: UnitQuery): Promise<Unit[]> {
    assertAccess(access.seesUnits(viewer));
    const rows = await listUnits(this.deps.database.db, query);
    return rows.map((r) => unitFor(viewer, toUnit(r)));
  }

  /** The owning VO changes status or household; `patch.version` must be the current one. */
  async patch(actor: SessionUser, id: number, patch: UnitPatch): Promise<Unit> {
    assertAccess(
      actor.role === 'admin' || voRoles.includes(actor.role),
      'Alleen je eigen organisatie kan deze ruimte wijzigen',
    );
    const unit = await this.deps.changes.run((ctx) =>
      patchUnit(ctx, actor, id, patch, (u) => access.changesUnitOf(actor, u.organisationId)),
    );
    return unitFor(actor, unit);
  }

  /** Holds a free unit for a placement; of simultaneous holds exactly one wins. */
  async hold(actor: SessionUser, id: number, minutes?: number): Promise<Unit> {
    const organisationId = actor.organisationId;
    assertAccess(
      access.holds(actor) && organisationId !== null,
      'Alleen medewerkers van een VO kunnen vasthouden',
    );
    const { holdMinutes, holdCaps } = this.deps;
    const unit = await this.deps.changes.run((ctx) =>
      holdUnit(ctx, { ...actor, organisationId }, id, minutes ?? holdMinutes, holdCaps),
    );
    return unitFor(actor, unit);
  }

  async release(actor: SessionUser, id: number): Promise<Unit> {
    assertAccess(
      actor.role === 'admin' || access.holds(actor),
      'Deze reservering is niet van jouw organisatie',
    );
    const unit = await this.deps.changes.run((ctx) =>
      releaseUnit(ctx, actor, id, (u) =>
        mayRelease(u, actor.organisationId, actor.role === 'admin'),
      ),
    );
    return unitFor(actor, unit);
  }

  /**
   * Frees every unit whose hold ran out. One transaction per unit keeps the event lock
   * the last lock taken, so expiry never deadlocks with a concurrent change. Returns the
   * number released; another instance doing the same at once is harmless.
   */
  async expireHolds(now: Date = new Date()): Promise<number> {
    const ids = await listExpiredHolds(this.deps.database.db, now);
    let released = 0;
    for (const id of ids) {
      const done = await this.deps.changes
        .run((ctx) => expireHold(ctx, id, now))
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof ConflictError) return false;
            throw err;
          },
        );
      if (done) released += 1;
    }
    return released;
  }
}
