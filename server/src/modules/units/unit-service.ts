import type { Database, Tx } from '@opvangatlas/db';
import type { SessionUser, Unit, UnitPatch, UnitQuery } from '@opvangatlas/shared';
import { ConflictError, NotFoundError } from '../../errors';
import type { Bus } from '../../live/bus';
import type { UnitEventType } from '../../live/live-event';
import { runChange } from '../events/change-runner';
import { appendEvent } from '../events/event-repository';
import { access, assertAccess, unitFor } from '../session/access';
import {
  findUnit,
  listExpiredHolds,
  listUnits,
  toUnit,
  updateUnitIf,
  type UnitChanges,
} from './unit-repository';
import { mayRelease, planHold, planPatch, planRelease } from './unit-rules';

export interface UnitServiceDeps {
  database: Database;
  bus: Bus;
  holdMinutes: number;
  now?: () => Date;
  onPublishError?: (err: unknown) => void;
}

type Actor = Pick<SessionUser, 'id' | 'role' | 'organisationId'>;

export class UnitService {
  private readonly now: () => Date;

  constructor(private readonly deps: UnitServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async list(viewer: SessionUser, query: UnitQuery): Promise<Unit[]> {
    assertAccess(access.seesUnits(viewer));
    const rows = await listUnits(this.deps.database.db, query);
    return rows.map((r) => unitFor(viewer, toUnit(r)));
  }

  /** The owning VO changes status or household; `patch.version` must be the current one. */
  patch(actor: SessionUser, id: number, patch: UnitPatch): Promise<Unit> {
    return this.change(actor, id, 'unit.updated', (unit) => {
      assertAccess(
        access.changesUnitOf(actor, unit.organisationId),
        'Alleen je eigen organisatie kan deze ruimte wijzigen',
      );
      if (unit.version !== patch.version) {
        throw new ConflictError(
          'Iemand anders heeft deze ruimte intussen gewijzigd',
          unitFor(actor, unit),
        );
      }
      return { expect: { version: patch.version }, changes: planPatch(unit, patch, this.now()) };
    });
  }

  /** Holds a free unit for a placement; of simultaneous holds exactly one wins. */
  hold(actor: SessionUser, id: number, minutes?: number): Promise<Unit> {
    return this.change(actor, id, 'unit.held', (unit) => {
      assertAccess(
        access.holds(actor) && actor.organisationId !== null,
        'Alleen medewerkers van een VO kunnen vasthouden',
      );
      if (unit.status !== 'free') {
        throw new ConflictError('Deze ruimte is niet meer vrij', unitFor(actor, unit));
      }
      const by = { organisationId: actor.organisationId, userId: actor.id };
      return {
        expect: { status: 'free' },
        changes: planHold(this.now(), minutes ?? this.deps.holdMinutes, by),
      };
    });
  }

  release(actor: SessionUser, id: number): Promise<Unit> {
    return this.change(actor, id, 'unit.released', (unit) => {
      if (unit.status !== 'held')
        throw new ConflictError('Deze ruimte wordt niet vastgehouden', unitFor(actor, unit));
      assertAccess(
        mayRelease(unit, actor.organisationId, actor.role === 'admin'),
        'Deze reservering is niet van jouw organisatie',
      );
      return { expect: { version: unit.version }, changes: planRelease(this.now()) };
    });
  }

  /**
   * Frees every unit whose hold ran out. One transaction per unit keeps the event lock
   * the last lock taken, so expiry never deadlocks with a concurrent change. Returns the
   * number released; another instance doing the same at once is harmless.
   */
  async expireHolds(now: Date = this.now()): Promise<number> {
    const ids = await listExpiredHolds(this.deps.database.db, now);
    let released = 0;
    for (const id of ids) {
      const done = await this.change(null, id, 'unit.hold_expired', () => ({
        expect: { status: 'held', heldUntilBefore: now },
        changes: planRelease(now),
      })).then(
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

  private async change(
    actor: Actor | null,
    id: number,
    type: UnitEventType,
    plan: (unit: Unit) => { expect: Parameters<typeof updateUnitIf>[2]; changes: UnitChanges },
  ): Promise<Unit> {
    const { database, bus, onPublishError } = this.deps;
    const full = await runChange(
      database,
      bus,
      async (tx: Tx) => {
        const row = await findUnit(tx, id);
        if (!row) throw new NotFoundError('Ruimte niet gevonden');
        const before = toUnit(row);
        const { expect, changes } = plan(before);
        if (!(await updateUnitIf(tx, id, expect, changes))) {
          // Someone else committed first: answer with the state they left.
          const current = toUnit((await findUnit(tx, id))!);
          throw new ConflictError(
            'Iemand anders was je voor',
            actor ? unitFor(actor, current) : current,
          );
        }
        const unit = toUnit((await findUnit(tx, id))!);
        const event = await appendEvent(tx, {
          type,
          actorUserId: actor?.id ?? null,
          organisationId: unit.organisationId,
          regionId: unit.regionId,
          unit,
          before: { status: before.status, version: before.version },
        });
        return { result: unit, events: [event] };
      },
      onPublishError,
    );
    return actor ? unitFor(actor, full) : full;
  }
}
