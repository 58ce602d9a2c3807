import type { Database } from '@opvangatlas/db';
import {
  daysBetween,
  dutchDate,
  voRoles,
  type CloseOutcome,
  type OverflowEndInput,
  type OverflowInput,
  type OverflowRegistration,
  type StaffMember,
} from '@opvangatlas/shared';
import { OverflowInput as OverflowInputSchema } from '@opvangatlas/shared';
import { AppError } from '../../errors';
import type { ChangeContext, ChangeRunner } from '../events/change-runner';
import { regionExists } from '../regions/region-repository';
import { assertAccess } from '../session/access';
import { overflowEvent, waitlistEvent, type OverflowEventType } from './overflow-live';
import { seesRecord } from './overflow-privacy';
import {
  insertRegistration,
  listOverdue,
  listStaff,
  loadRegistration,
  loadRegistrations,
  lockPlacementRequest,
  lockRegistration,
  raiseOverdueIf,
  registrationForRequest,
  registrationsOnScreen,
  updateRegistration,
} from './overflow-repository';
import {
  assertFields,
  isStaffOf,
  nextCheckInAt,
  oversees,
  pastDateProblem,
  unknownRegion,
  RECENT_MS,
  type Actor,
} from './overflow-rules';
import { loadEntry, lockEntry, updateEntry } from './waitlist-repository';

export interface OverflowServiceDeps {
  database: Database;
  changes: ChangeRunner;
  /** After this long overdue, coordinators are alerted too (OVERFLOW_ESCALATION_GRACE_MINUTES). */
  graceMinutes: number;
}

/** The outcomes of a placement request that open an overflow registration. */
export const overflowOutcomesOfRequest: readonly CloseOutcome[] = [
  'hotel',
  'vakantiepark',
  'other_alternative',
];

/**
 * Niet-reguliere bedden: a VO registers a household placed in a hotel, holiday park, ...,
 * records the agreed safety check-ins with one tap and ends the stay with its outcome. The
 * sweep flags late check-ins, first to the VO, after the grace period to coordinators; each
 * step is a conditional update, so it happens once however many instances sweep.
 */
export class OverflowService {
  constructor(private readonly deps: OverflowServiceDeps) {}

  /** What the viewer may see: stays that last or ended in the last week. */
  async list(viewer: Actor): Promise<OverflowRegistration[]> {
    assertAccess(viewer.role !== 'municipality', 'Gemeenten zien alleen totalen');
    const own = oversees(viewer) ? undefined : (viewer.organisationId ?? -1);
    return loadRegistrations(
      this.deps.database.db,
      registrationsOnScreen(new Date(Date.now() - RECENT_MS), own),
    );
  }

  async get(viewer: Actor, id: number): Promise<OverflowRegistration> {
    const registration = await loadRegistration(this.deps.database.db, id);
    // Not the viewer's to see reads as not there.
    if (!registration || !seesRecord(viewer, registration))
      throw new AppError('overflow_not_found', 'Registratie niet gevonden');
    return registration;
  }

  /** Workers of the own VO, for "who is responsible". */
  async staff(viewer: Actor): Promise<StaffMember[]> {
    assertAccess(
      voRoles.includes(viewer.role) && viewer.organisationId !== null,
      'Alleen medewerkers van een VO',
      'not_vo_staff',
    );
    return listStaff(this.deps.database.db, viewer.organisationId!);
  }

  async register(actor: Actor, raw: OverflowInput): Promise<OverflowRegistration> {
    const organisationId = actor.organisationId;
    assertAccess(
      voRoles.includes(actor.role) && organisationId !== null,
      'Alleen medewerkers van een VO registreren een plaatsing',
      'not_vo_staff',
    );
    const input = OverflowInputSchema.parse(raw);
    return this.deps.changes.run(async (ctx) => {
      const today = dutchDate(ctx.now);
      const staff = await listStaff(ctx.tx, organisationId);
      const responsibleUserId = input.responsibleUserId ?? actor.id;
      assertFields([
        unknownRegion(await regionExists(ctx.tx, input.regionId)),
        pastDateProblem('startDate', input.startDate, today),
        staff.some((s) => s.id === responsibleUserId)
          ? null
          : {
              path: 'responsibleUserId',
              code: 'responsible_not_staff',
              message: 'Kies een medewerker van je eigen VO',
            },
      ]);
      if (input.placementRequestId !== undefined) {
        await this.assertRequestEndedInOverflow(ctx, organisationId, input.placementRequestId);
      }
      const id = await insertRegistration(
        ctx.tx,
        {
          organisationId,
          regionId: input.regionId,
          type: input.type,
          startDate: input.startDate,
          expectedEndDate: input.expectedEndDate ?? null,
          adults: input.adults,
          children: input.children,
          responsibleUserId,
          checkInIntervalHours: input.checkInIntervalHours,
          nextCheckInAt: nextCheckInAt(ctx.now, input.checkInIntervalHours),
          placementRequestId: input.placementRequestId ?? null,
          waitlistEntryId: input.waitlistEntryId ?? null,
          createdByUserId: actor.id,
        },
        ctx.now,
        today.slice(0, 4),
      );
      if (input.waitlistEntryId !== undefined) {
        await this.moveFromWaitlist(ctx, actor, organisationId, input.waitlistEntryId, id);
      }
      return this.emit(ctx, actor, id, 'overflow.registered', true);
    });
  }

  /** "Contact gehad, veilig": the next check-in is due one interval from now. */
  checkIn(actor: Actor, id: number): Promise<OverflowRegistration> {
    return this.step(actor, id, async (ctx, row) => {
      await updateRegistration(ctx.tx, id, {
        lastCheckInAt: ctx.now,
        lastCheckInByUserId: actor.id,
        nextCheckInAt: nextCheckInAt(ctx.now, row.checkInIntervalHours),
        overdueLevel: 0,
      });
      // The municipality's count of late check-ins moves only when this one was late.
      return { type: 'overflow.checked_in', movesFigures: row.overdueLevel > 0 };
    });
  }

  end(actor: Actor, id: number, input: OverflowEndInput): Promise<OverflowRegistration> {
    return this.step(actor, id, async (ctx, row) => {
      const today = dutchDate(ctx.now);
      const endDate = input.endDate ?? today;
      assertFields([
        pastDateProblem('endDate', endDate, today),
        endDate < row.startDate
          ? { path: 'endDate', code: 'end_before_start', message: 'Vóór de begindatum' }
          : null,
      ]);
      const regular = input.outcome === 'regular_place';
      if (regular) assertFields([unknownRegion(await regionExists(ctx.tx, input.regionId!))]);
      await updateRegistration(ctx.tx, id, {
        endDate,
        outcome: input.outcome,
        outcomeKind: regular ? input.kind! : null,
        outcomeRegionId: regular ? input.regionId! : null,
        endedAt: ctx.now,
        overdueLevel: 0,
      });
      return { type: 'overflow.ended', movesFigures: true };
    });
  }

  /** Sweep: stays whose check-in is due go to overdue level 1 (the VO is alerted). */
  flagOverdue(now = new Date()): Promise<number> {
    return this.raise(0, now, 'overflow.overdue');
  }

  /** Sweep: still overdue after the grace period: level 2, coordinators are alerted. */
  escalateOverdue(now = new Date()): Promise<number> {
    const dueBy = new Date(now.getTime() - this.deps.graceMinutes * 60_000);
    return this.raise(1, dueBy, 'overflow.escalated');
  }

  private async raise(from: number, dueBy: Date, type: OverflowEventType): Promise<number> {
    let done = 0;
    for (const id of await listOverdue(this.deps.database.db, from, dueBy)) {
      const raised = await this.deps.changes.run(async (ctx) => {
        if (!(await raiseOverdueIf(ctx.tx, id, from, dueBy))) return false;
        // Late at all changes the municipality's count; later still does not.
        await this.emit(ctx, null, id, type, from === 0);
        return true;
      });
      if (raised) done += 1;
    }
    return done;
  }

  /** The request must be the own VO's, closed with hotel, vakantiepark or an alternative. */
  private async assertRequestEndedInOverflow(
    ctx: ChangeContext,
    organisationId: number,
    requestId: number,
  ): Promise<void> {
    const request = await lockPlacementRequest(ctx.tx, requestId);
    if (!request || request.organisationId !== organisationId)
      throw new AppError('placement_not_found', 'Verzoek niet gevonden');
    if (
      request.status !== 'closed' ||
      !request.outcome ||
      !(overflowOutcomesOfRequest as readonly string[]).includes(request.outcome)
    ) {
      throw new AppError(
        'placement_outcome_mismatch',
        'Dit verzoek is niet gesloten met een hotel, vakantiepark of ander alternatief',
        { params: { outcome: request.outcome ?? request.status } },
      );
    }
    if (await registrationForRequest(ctx.tx, requestId)) {
      throw new AppError(
        'placement_already_registered',
        'Voor dit verzoek is al een registratie gemaakt',
      );
    }
  }

  /** A household from the own waitlist goes to this stay: the wait ends, its days recorded. */
  private async moveFromWaitlist(
    ctx: ChangeContext,
    actor: Actor,
    organisationId: number,
    entryId: number,
    registrationId: number,
  ): Promise<void> {
    const entry = await lockEntry(ctx.tx, entryId);
    if (!entry || entry.organisationId !== organisationId)
      throw new AppError('waitlist_not_found', 'Niet gevonden op de wachtlijst');
    if (entry.status !== 'waiting') {
      throw new AppError(
        'waitlist_not_waiting',
        'Dit huishouden staat niet meer op de wachtlijst',
        {
          params: { status: entry.status },
        },
      );
    }
    const today = dutchDate(ctx.now);
    await updateEntry(ctx.tx, entryId, {
      status: 'to_overflow',
      endDate: today,
      daysWaited: Math.max(0, daysBetween(entry.waitingSince, today)),
      overflowRegistrationId: registrationId,
    });
    ctx.emit(waitlistEvent('waitlist.moved', actor.id, (await loadEntry(ctx.tx, entryId))!));
  }

  /**
   * One step on a stay: lock it, check the actor is its VO (or an admin) and it lasts,
   * change, emit the registration as it is after the change.
   */
  private step(
    actor: Actor,
    id: number,
    work: (
      ctx: ChangeContext,
      row: NonNullable<Awaited<ReturnType<typeof lockRegistration>>>,
    ) => Promise<{ type: OverflowEventType; movesFigures: boolean }>,
  ): Promise<OverflowRegistration> {
    return this.deps.changes.run(async (ctx) => {
      const row = await lockRegistration(ctx.tx, id);
      if (!row || !seesRecord(actor, row))
        throw new AppError('overflow_not_found', 'Registratie niet gevonden');
      assertAccess(
        isStaffOf(actor, row.organisationId) || actor.role === 'admin',
        'Alleen de verantwoordelijke VO',
      );
      if (row.endedAt !== null) throw new AppError('overflow_ended', 'Dit verblijf is beëindigd');
      const { type, movesFigures } = await work(ctx, row);
      return this.emit(ctx, actor, id, type, movesFigures);
    });
  }

  private async emit(
    ctx: ChangeContext,
    actor: Actor | null,
    id: number,
    type: OverflowEventType,
    movesFigures: boolean,
  ): Promise<OverflowRegistration> {
    const after = (await loadRegistration(ctx.tx, id))!;
    ctx.emit(overflowEvent(type, actor?.id ?? null, after, movesFigures));
    return after;
  }
}
