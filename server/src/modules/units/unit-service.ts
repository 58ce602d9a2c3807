import type { Database } from '@opvangatlas/db';
import {
  voRoles,
  type ErrorCode,
  type SessionUser,
  type Unit,
  type UnitPatch,
  type UnitQuery,
} from '@opvangatlas/shared';
import { AppError, ConflictError } from '../../errors';
import type { ChangeRunner } from '../events/change-runner';
import { access, assertAccess } from '../session/access';
import { unitFor } from './unit-privacy';
import { listExpiredHolds, listUnits, toUnit } from './unit-repository';
import { mayRelease, type HoldCaps, type HoldExtensionRule } from './unit-rules';
import { expireHold, extendHold, holdUnit, patchUnit, releaseUnit } from './unit-transitions';

type GenericCode = 'conflict' | 'forbidden' | 'not_found';

/**
 * The unit transitions raise the generic code of a category ("Iemand anders was je voor" is a
 * plain `conflict`): what it means depends on the action, so the action names it. Errors
 * that already have a specific code (`hold_limit_user`, ...) pass unchanged.
 */
async function naming<T>(
  action: Promise<T>,
  codes: { [K in GenericCode]?: ErrorCode | ((err: AppError) => ErrorCode) },
): Promise<T> {
  try {
    return await action;
  } catch (err) {
    const code = err instanceof AppError ? codes[err.code as GenericCode] : undefined;
    if (!code || !(err instanceof AppError)) throw err;
    throw new AppError(typeof code === 'function' ? code(err) : code, err.message, {
      current: err.current,
      params: err.params,
    });
  }
}

export interface UnitServiceDeps {
  database: Database;
  changes: ChangeRunner;
  holdMinutes: number;
  holdCaps: HoldCaps;
  /** Default: one extension of 30 minutes (the HOLD_MAX_EXTENSIONS/HOLD_EXTENSION_MINUTES defaults). */
  holdExtension?: HoldExtensionRule;
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
      'not_own_organisation',
    );
    const unit = await naming(
      this.deps.changes.run((ctx) =>
        patchUnit(ctx, actor, id, patch, (u) => access.changesUnitOf(actor, u.organisationId)),
      ),
      {
        conflict: 'version_conflict',
        forbidden: 'not_own_organisation',
        not_found: 'unit_not_found',
      },
    );
    return unitFor(actor, unit);
  }

  /** Holds a free unit for a placement; of simultaneous holds exactly one wins. */
  async hold(actor: SessionUser, id: number, minutes?: number): Promise<Unit> {
    const organisationId = actor.organisationId;
    assertAccess(
      access.holds(actor) && organisationId !== null,
      'Alleen medewerkers van een VO kunnen vasthouden',
      'not_vo_staff',
    );
    const { holdMinutes, holdCaps } = this.deps;
    const unit = await naming(
      this.deps.changes.run((ctx) =>
        holdUnit(ctx, { ...actor, organisationId }, id, minutes ?? holdMinutes, holdCaps),
      ),
      // Not free any more, or another hold committed first.
      { conflict: 'unit_taken', not_found: 'unit_not_found' },
    );
    return unitFor(actor, unit);
  }

  /** Extends the own organisation's hold (HOLD_MAX_EXTENSIONS times); 409 after that. */
  async extendHold(actor: SessionUser, id: number, version: number): Promise<Unit> {
    assertAccess(
      access.holds(actor),
      'Alleen medewerkers van een VO kunnen vasthouden',
      'not_vo_staff',
    );
    const unit = await naming(
      this.deps.changes.run((ctx) =>
        extendHold(ctx, actor, id, version, this.deps.holdExtension ?? { max: 1, minutes: 30 }),
      ),
      {
        conflict: (err) =>
          (err.current as Unit | undefined)?.status === 'held'
            ? 'version_conflict'
            : 'unit_not_held',
        forbidden: 'not_own_organisation',
        not_found: 'unit_not_found',
      },
    );
    return unitFor(actor, unit);
  }

  async release(actor: SessionUser, id: number): Promise<Unit> {
    assertAccess(
      actor.role === 'admin' || access.holds(actor),
      'Deze reservering is niet van jouw organisatie',
      'not_own_organisation',
    );
    const unit = await naming(
      this.deps.changes.run((ctx) =>
        releaseUnit(ctx, actor, id, (u) =>
          mayRelease(u, actor.organisationId, actor.role === 'admin'),
        ),
      ),
      {
        conflict: (err) =>
          (err.current as Unit | undefined)?.status === 'held'
            ? 'version_conflict'
            : 'unit_not_held',
        forbidden: 'not_own_organisation',
        not_found: 'unit_not_found',
      },
    );
    return unitFor(actor, unit);
  }

  /**
   * Frees every unit whose hold ran out. One change per unit keeps the event lock the
   * last lock taken, so expiry never deadlocks with a concurrent change. Returns the
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
