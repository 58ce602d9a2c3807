import type { Database } from '@opvangatlas/db';
import {
  daysBetween,
  dutchDate,
  monthOf,
  voRoles,
  type NonPlacement,
  type NonPlacementInput,
  type PlacementRequest,
  type WaitlistEntry,
  type WaitlistInput,
  type WaitlistStatus,
  type WaitlistToRequestInput,
} from '@opvangatlas/shared';
import { AppError } from '../../errors';
import type { ChangeContext, ChangeRunner } from '../events/change-runner';
import type { PlacementService } from '../placements/placement-service';
import { regionExists } from '../regions/region-repository';
import { assertAccess } from '../session/access';
import { nonPlacementEvent, waitlistEvent, type WaitlistEventType } from './overflow-live';
import { seesRecord } from './overflow-privacy';
import { lockPlacementRequest } from './overflow-repository';
import {
  assertFields,
  isStaffOf,
  oversees,
  pastDateProblem,
  unknownRegion,
  RECENT_MS,
  type Actor,
} from './overflow-rules';
import {
  entriesSince,
  insertEntry,
  insertNonPlacement,
  loadEntries,
  loadEntry,
  loadNonPlacement,
  loadNonPlacements,
  lockEntry,
  nonPlacementForRequest,
  nonPlacementsSince,
  updateEntry,
} from './waitlist-repository';

export interface WaitlistServiceDeps {
  database: Database;
  changes: ChangeRunner;
  /** Moving a household to a placement request posts one through the placements module. */
  placements: () => PlacementService;
}

/** A wait may have begun this long ago (data entered late, long waits for vervolg). */
const MAX_WAIT_BACKDATE_DAYS = 3 * 366;

/**
 * Wachtlijst per VO and kind, and niet-plaatsing records: who waits (composition and urgency
 * only), placement with the days waited, moving a household on to a placement request or an
 * overflow stay (OverflowService.register with `waitlistEntryId`).
 */
export class WaitlistService {
  constructor(private readonly deps: WaitlistServiceDeps) {}

  private staffOrganisation(actor: Actor): number {
    assertAccess(
      voRoles.includes(actor.role) && actor.organisationId !== null,
      'Alleen medewerkers van een VO',
      'not_vo_staff',
    );
    return actor.organisationId!;
  }

  /** Waiting now, and who left the list in the last week. */
  async list(viewer: Actor): Promise<WaitlistEntry[]> {
    assertAccess(viewer.role !== 'municipality', 'Gemeenten zien alleen totalen');
    const since = dutchDate(new Date(Date.now() - RECENT_MS));
    const organisationId = oversees(viewer) ? undefined : (viewer.organisationId ?? -1);
    return loadEntries(this.deps.database.db, entriesSince(since, { organisationId }));
  }

  add(actor: Actor, input: WaitlistInput): Promise<WaitlistEntry> {
    const organisationId = this.staffOrganisation(actor);
    return this.deps.changes.run(async (ctx) => {
      const today = dutchDate(ctx.now);
      const waitingSince = input.waitingSince ?? today;
      assertFields([
        unknownRegion(await regionExists(ctx.tx, input.regionId)),
        pastDateProblem('waitingSince', waitingSince, today, MAX_WAIT_BACKDATE_DAYS),
      ]);
      const id = await insertEntry(
        ctx.tx,
        {
          organisationId,
          regionId: input.regionId,
          kind: input.kind,
          urgency: input.urgency,
          household: input.household,
          waitingSince,
          createdByUserId: actor.id,
        },
        ctx.now,
        today.slice(0, 4),
      );
      return this.emit(ctx, actor, id, 'waitlist.added');
    });
  }

  /** One tap: placed in a regular place; the calendar days waited are recorded. */
  placed(actor: Actor, id: number): Promise<WaitlistEntry> {
    return this.leave(actor, id, 'placed', 'waitlist.placed');
  }

  removed(actor: Actor, id: number): Promise<WaitlistEntry> {
    return this.leave(actor, id, 'removed', 'waitlist.removed');
  }

  /**
   * The household goes to a placement request to other regions. The request is posted
   * through the placements module (its own transaction), then the entry is marked moved;
   * should the entry have left the list meanwhile, the request is cancelled again, so the
   * household is never asked for twice.
   */
  async toPlacementRequest(
    actor: Actor,
    id: number,
    input: WaitlistToRequestInput,
  ): Promise<{ entry: WaitlistEntry; request: PlacementRequest }> {
    const organisationId = this.staffOrganisation(actor);
    const entry = await loadEntry(this.deps.database.db, id);
    if (!entry || entry.organisationId !== organisationId)
      throw new AppError('waitlist_not_found', 'Niet gevonden op de wachtlijst');
    this.assertWaiting(entry.status);
    const request = await this.deps.placements().create(actor, {
      kind: entry.kind,
      urgency: entry.urgency,
      household: entry.household,
      needs: input.needs,
      originRegionId: entry.regionId,
      unsafeRegionIds: input.unsafeRegionIds,
      preferredRegionIds: [],
    });
    try {
      const moved = await this.leave(actor, id, 'to_request', 'waitlist.moved', request.id);
      return { entry: moved, request };
    } catch (err) {
      // Best effort: the error that matters is the entry's; a cancel that fails too leaves
      // the request open for the worker to cancel by hand.
      await this.deps
        .placements()
        .cancel(actor, request.id)
        .catch(() => undefined);
      throw err;
    }
  }

  async listNonPlacements(viewer: Actor): Promise<NonPlacement[]> {
    assertAccess(viewer.role !== 'municipality', 'Gemeenten zien alleen totalen');
    const since = dutchDate(new Date(Date.now() - 4 * RECENT_MS));
    const organisationId = oversees(viewer) ? undefined : (viewer.organisationId ?? -1);
    return loadNonPlacements(this.deps.database.db, nonPlacementsSince(since, { organisationId }));
  }

  recordNonPlacement(actor: Actor, input: NonPlacementInput): Promise<NonPlacement> {
    const organisationId = this.staffOrganisation(actor);
    return this.deps.changes.run(async (ctx) => {
      const today = dutchDate(ctx.now);
      const date = input.date ?? today;
      assertFields([
        unknownRegion(await regionExists(ctx.tx, input.regionId)),
        pastDateProblem('date', date, today),
      ]);
      if (input.placementRequestId !== undefined) {
        const request = await lockPlacementRequest(ctx.tx, input.placementRequestId);
        if (!request || request.organisationId !== organisationId)
          throw new AppError('placement_not_found', 'Verzoek niet gevonden');
        if (request.outcome !== 'niet_plaatsing') {
          throw new AppError(
            'placement_outcome_mismatch',
            'Dit verzoek is niet gesloten als niet-plaatsing',
            { params: { outcome: request.outcome ?? request.status } },
          );
        }
        if (await nonPlacementForRequest(ctx.tx, input.placementRequestId)) {
          throw new AppError(
            'placement_already_registered',
            'Voor dit verzoek is de niet-plaatsing al geregistreerd',
          );
        }
      }
      const id = await insertNonPlacement(
        ctx.tx,
        {
          organisationId,
          regionId: input.regionId,
          kind: input.kind,
          urgency: input.urgency,
          reason: input.reason,
          date,
          placementRequestId: input.placementRequestId ?? null,
          createdByUserId: actor.id,
        },
        ctx.now,
      );
      const record = (await loadNonPlacement(ctx.tx, id))!;
      // The municipality sees this month's count: only a record of this month moves it.
      ctx.emit(nonPlacementEvent(actor.id, record, monthOf(date) === monthOf(today)));
      return record;
    });
  }

  private assertWaiting(status: WaitlistStatus): void {
    if (status !== 'waiting') {
      throw new AppError(
        'waitlist_not_waiting',
        'Dit huishouden staat niet meer op de wachtlijst',
        {
          params: { status },
        },
      );
    }
  }

  /** The household leaves the list: how, when, after how many calendar days. */
  private leave(
    actor: Actor,
    id: number,
    status: Exclude<WaitlistStatus, 'waiting' | 'to_overflow'>,
    type: WaitlistEventType,
    placementRequestId?: number,
  ): Promise<WaitlistEntry> {
    return this.deps.changes.run(async (ctx) => {
      const row = await lockEntry(ctx.tx, id);
      if (!row || !seesRecord(actor, row))
        throw new AppError('waitlist_not_found', 'Niet gevonden op de wachtlijst');
      assertAccess(
        isStaffOf(actor, row.organisationId) || actor.role === 'admin',
        'Alleen de eigen VO',
      );
      this.assertWaiting(row.status);
      const today = dutchDate(ctx.now);
      await updateEntry(ctx.tx, id, {
        status,
        endDate: today,
        daysWaited: status === 'removed' ? null : Math.max(0, daysBetween(row.waitingSince, today)),
        placementRequestId: placementRequestId ?? null,
      });
      return this.emit(ctx, actor, id, type);
    });
  }

  private async emit(
    ctx: ChangeContext,
    actor: Actor,
    id: number,
    type: WaitlistEventType,
  ): Promise<WaitlistEntry> {
    const after = (await loadEntry(ctx.tx, id))!;
    ctx.emit(waitlistEvent(type, actor.id, after));
    return after;
  }
}
