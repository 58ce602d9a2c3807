import { isDeepStrictEqual } from 'node:util';
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '@opvangatlas/db';
import {
  type SessionUser,
  type SwapFallReason,
  type SwapProposal,
  type Urgency,
} from '@opvangatlas/shared';
import { AppError, ConflictError } from '../../errors';
import type { ChangeContext, ChangeRunner } from '../events/change-runner';
import { assertAccess } from '../session/access';
import { lockRequest } from '../placements/placement-repository';
import { lockUnits, unitVersions } from '../units/unit-repository';
import { executeSwap, SwapFailed } from './swap-execution';
import { RECENT_SWAP_MS, swapEvent, type SwapEventType } from './swap-live';
import { proposalFor, seesProposal } from './swap-privacy';
import {
  bumpProposal,
  endProposal,
  insertProposal,
  listCandidates,
  listLiveProposalIds,
  listNamedUnitIds,
  listOpenProposalIds,
  listOverdueProposalIds,
  listRefusedProposalIds,
  loadProposals,
  lockProposal,
  regionCentres,
  type CandidateRow,
  setDecision,
} from './swap-repository';
import type { SwapSolveInput } from './swap-solve';
import { SolveRunner } from './swap-solve-runner';
import type { SwapCycle } from './swap-solver';
import { nextOf, previousOf, type FullProposal } from './swap-types';

export interface SwapDeadlines {
  /** Minutes to decide when a party is code rood or acuut (issue 9: default 30). */
  urgent: number;
  regular: number;
}

export interface SwapServiceDeps {
  database: Database;
  changes: ChangeRunner;
  deadlines: SwapDeadlines;
  /** Told if the solver's worker thread cannot start (the solves then run inline). */
  log: FastifyBaseLogger;
}

type Actor = Pick<SessionUser, 'id' | 'role' | 'organisationId' | 'regionId'>;

/**
 * Moves a party turned down (declined, or let the deadline pass): the household coming to
 * its unit and its own household's move, as `from>to` request ids. The others' moves stay
 * possible, so the remaining requests are matched again.
 */
function refusedMoves(fallen: FullProposal[]): Set<string> {
  const moves = new Set<string>();
  for (const { parties } of fallen) {
    parties.forEach((p, i) => {
      if (p.decision === 'accepted') return;
      moves.add(`${previousOf(parties, i).requestId}>${p.requestId}`);
      moves.add(`${p.requestId}>${nextOf(parties, i).requestId}`);
    });
  }
  return moves;
}

/** Everything a solve uses: when any of it changed, its cycles are not proposed. */
interface SolveInput extends SwapSolveInput {
  candidates: CandidateRow[];
}

async function readSolveInput(tx: ChangeContext['tx']): Promise<SolveInput> {
  const fallen = await loadProposals(tx, await listRefusedProposalIds(tx));
  return {
    candidates: await listCandidates(tx),
    centres: await regionCentres(tx),
    refused: [...refusedMoves(fallen)].sort(),
  };
}

/**
 * Field by field, not by versions alone: a request or unit version covers its own row, but
 * a request joining or leaving the candidates (placed, cancelled, taken into another
 * instance's proposal) or a new refusal changes the optimum too.
 */
function sameInput(a: SolveInput, b: SolveInput): boolean {
  return isDeepStrictEqual(a, b);
}

/** Why a proposal can no longer be executed as proposed, given its units' current versions. */
function brokenBy(
  proposal: FullProposal,
  versions: ReadonlyMap<number, number>,
): SwapFallReason | null {
  for (const party of proposal.parties) {
    if (party.requestStatus !== 'open') return 'request_closed';
    if (party.requestSwapUnitId !== party.gives.unitId) return 'request_changed';
    if (versions.get(party.gives.unitId) !== party.gives.version) return 'unit_changed';
  }
  return null;
}

const givenUnitIds = (proposals: readonly FullProposal[]) =>
  proposals.flatMap((p) => p.parties.map((party) => party.gives.unitId));

/** After this many solves overtaken by changes, a recompute leaves it to the next trigger. */
const MAX_SOLVE_ATTEMPTS = 3;

/** One recompute at a time across every instance: the lock lives as long as its transaction. */
const SWAP_RECOMPUTE_LOCK = 9_000_002;

export interface RecomputeResult {
  proposed: number[];
  fallen: number[];
  /** Units named by requests in play: a change to one of them means a recompute. */
  namedUnitIds: number[];
  /** Overtaken by changes every time it solved: the caller runs it once more. */
  retry?: boolean;
}

/**
 * Ruil (issue 9): finds cycles among open "ruil mogelijk" requests, proposes them to the
 * VOs in them, collects their decisions and executes a cycle all or nothing once every
 * party accepted. A proposal falls on a decline, at its deadline, or when what it was built
 * on changed (a unit, a request); the rest is matched again at once.
 */
export class SwapService {
  /** The solves, off the event loop: the live fan-out never waits for one (issue 15). */
  private readonly solver: SolveRunner;

  constructor(private readonly deps: SwapServiceDeps) {
    this.solver = new SolveRunner({ log: deps.log });
  }

  /**
   * Stops the solver's worker thread: a recompute solving now, and any later, rejects with
   * a SolverClosedError. Safe to call more than once (the swap triggers call it early in
   * the app's close, to cut a running solve short; the services plugin at the end).
   */
  close(): Promise<void> {
    return this.solver.close();
  }

  async list(viewer: Actor): Promise<SwapProposal[]> {
    assertAccess(viewer.role !== 'municipality', 'Gemeenten zien alleen totalen');
    const db = this.deps.database.db;
    const ids = await listLiveProposalIds(db, new Date(Date.now() - RECENT_SWAP_MS));
    const all = await loadProposals(db, ids);
    return all.filter((p) => seesProposal(viewer, p)).map((p) => proposalFor(viewer, p));
  }

  async get(viewer: Actor, id: number): Promise<SwapProposal> {
    const [proposal] = await loadProposals(this.deps.database.db, [id]);
    if (!proposal || !seesProposal(viewer, proposal))
      throw new AppError('swap_not_found', 'Ruilvoorstel niet gevonden');
    return proposalFor(viewer, proposal);
  }

  /**
   * A planner of a party's VO accepts. The last acceptance executes every move in the same
   * transaction; when that cannot be done, the proposal falls with the reason instead.
   */
  accept(actor: Actor, id: number, version: number): Promise<SwapProposal> {
    return this.decide(actor, id, version, async (ctx, proposal, requestId) => {
      await setDecision(ctx.tx, id, requestId, 'accepted', actor.id, ctx.now);
      await bumpProposal(ctx.tx, id);
      const after = await this.emit(ctx, actor, id, 'swap.accepted');
      if (!after.parties.every((p) => p.decision === 'accepted')) return after;
      try {
        // A savepoint: a failed move undoes every move, and the acceptance stays.
        await ctx.tx.transaction(async (tx) => {
          const pending: Parameters<ChangeContext['emit']>[0][] = [];
          await executeSwap({ tx, now: ctx.now, emit: (e) => void pending.push(e) }, actor, after);
          for (const e of pending) ctx.emit(e);
        });
      } catch (err) {
        if (!(err instanceof SwapFailed)) throw err;
        await endProposal(ctx.tx, id, 'fallen', err.reason, ctx.now);
        return this.emit(ctx, actor, id, 'swap.fallen');
      }
      await endProposal(ctx.tx, id, 'executed', null, ctx.now);
      return this.emit(ctx, actor, id, 'swap.executed');
    });
  }

  /** A party declines: the proposal falls, and the others are matched again at once. */
  decline(actor: Actor, id: number, version: number): Promise<SwapProposal> {
    return this.decide(actor, id, version, async (ctx, _proposal, requestId) => {
      await setDecision(ctx.tx, id, requestId, 'declined', actor.id, ctx.now);
      await endProposal(ctx.tx, id, 'fallen', 'declined', ctx.now);
      return this.emit(ctx, actor, id, 'swap.declined');
    });
  }

  /** Proposals past their deadline fall; each is conditional, so it happens once. */
  async expireDue(now = new Date()): Promise<number> {
    let fallen = 0;
    for (const id of await listOverdueProposalIds(this.deps.database.db, now)) {
      const done = await this.deps.changes.run(async (ctx) => {
        const row = await lockProposal(ctx.tx, id);
        if (!row || row.status !== 'open' || row.deadline > now) return false;
        await endProposal(ctx.tx, id, 'fallen', 'expired', ctx.now);
        await this.emit(ctx, null, id, 'swap.fallen');
        return true;
      });
      if (done) fallen += 1;
    }
    return fallen;
  }

  /**
   * Lets open proposals whose requests or units changed fall, then proposes the best set of
   * cycles among the requests not in an open proposal. The solve (seconds on a large
   * instance, on the solver's worker thread) holds no transaction and no lock: a short
   * locked transaction lets broken proposals fall and reads what the solve needs, and
   * another stores the proposals only if nothing the solve used changed meanwhile (else it
   * reads and solves again). The transaction-scoped advisory lock orders the reads and
   * writes of every instance, so each stores against the proposals the one before made: a
   * request is never in two open proposals, and a cycle is proposed once however many
   * instances recompute.
   */
  async recompute(): Promise<RecomputeResult> {
    const fallen: number[] = [];
    for (let attempt = 1; ; attempt += 1) {
      const read = await this.deps.changes.run(async (ctx) => {
        await ctx.tx.execute(sql`select pg_advisory_xact_lock(${SWAP_RECOMPUTE_LOCK})`);
        return {
          // Kept only once committed: a change can run again after its transaction failed.
          fell: await this.fallBroken(ctx),
          namedUnitIds: await listNamedUnitIds(ctx.tx),
          input: await readSolveInput(ctx.tx),
        };
      });
      fallen.push(...read.fell);
      const { namedUnitIds, input } = read;
      const cycles = await this.solver.solve(input);
      if (cycles.length === 0) return { proposed: [], fallen, namedUnitIds };
      const proposed = await this.deps.changes.run(async (ctx) => {
        await ctx.tx.execute(sql`select pg_advisory_xact_lock(${SWAP_RECOMPUTE_LOCK})`);
        // Writers (accept, cancel, a unit's change) take these rows' locks, not the advisory
        // one: held from the check to the commit, nothing the proposals rest on can change in
        // between. Requests, then units, as executeSwap and the placement workflow lock.
        const requestIds = [...new Set(cycles.flatMap((c) => c.requestIds))].sort((a, b) => a - b);
        for (const id of requestIds) await lockRequest(ctx.tx, id);
        const unitOf = new Map(input.candidates.map((c) => [c.requestId, c.unit.id]));
        await lockUnits(
          ctx.tx,
          requestIds.map((id) => unitOf.get(id)!),
        );
        if (!sameInput(input, await readSolveInput(ctx.tx))) return null;
        return this.propose(ctx, input, cycles);
      });
      if (proposed) return { proposed, fallen, namedUnitIds };
      // Something the solve used changed while it ran. A change is not sure to trigger a
      // recompute of its own (a unit named meanwhile is not yet in `namedUnitIds`), so after
      // a few tries in a storm of changes the caller is asked to run it once more.
      if (attempt >= MAX_SOLVE_ATTEMPTS) return { proposed: [], fallen, namedUnitIds, retry: true };
    }
  }

  /** Open proposals whose requests or units changed fall; their ids. */
  private async fallBroken(ctx: ChangeContext): Promise<number[]> {
    const fallen: number[] = [];
    const open = await loadProposals(ctx.tx, await listOpenProposalIds(ctx.tx));
    // One read of the units for all of them: on the embedded database every query of a
    // recompute holds the one connection that a unit's change waits for.
    const versions = await unitVersions(ctx.tx, givenUnitIds(open));
    for (const seen of open) {
      if (!brokenBy(seen, versions)) continue;
      // Checked again under the proposal's lock: a last acceptance may have executed it.
      const row = await lockProposal(ctx.tx, seen.id);
      const [proposal] = row?.status === 'open' ? await loadProposals(ctx.tx, [seen.id]) : [];
      const reason = proposal
        ? brokenBy(proposal, await unitVersions(ctx.tx, givenUnitIds([proposal])))
        : null;
      if (!proposal || !reason) continue;
      await endProposal(ctx.tx, proposal.id, 'fallen', reason, ctx.now);
      await this.emit(ctx, null, proposal.id, 'swap.fallen');
      fallen.push(proposal.id);
    }
    return fallen;
  }

  private async propose(
    ctx: ChangeContext,
    input: SolveInput,
    cycles: readonly SwapCycle[],
  ): Promise<number[]> {
    const byId = new Map(input.candidates.map((c) => [c.requestId, c]));
    const proposed: number[] = [];
    for (const cycle of cycles) {
      const members = cycle.requestIds.map((r) => byId.get(r)!);
      const id = await insertProposal(
        ctx.tx,
        {
          deadline: this.deadlineFor(
            members.map((m) => m.urgency),
            ctx.now,
          ),
          parties: members.map((m, i) => ({
            requestId: m.requestId,
            organisationId: m.organisationId,
            givesUnitId: m.unit.id,
            givesUnitVersion: m.unit.version,
            receivesUnitId: members[(i + 1) % members.length]!.unit.id,
          })),
        },
        ctx.now,
      );
      await this.emit(ctx, null, id, 'swap.proposed');
      proposed.push(id);
    }
    return proposed;
  }

  /** The shortest deadline of its parties' urgencies: code rood and acuut cannot wait. */
  private deadlineFor(urgencies: Urgency[], now: Date): Date {
    const urgent = urgencies.some((u) => u !== 'regulier');
    const minutes = urgent ? this.deps.deadlines.urgent : this.deps.deadlines.regular;
    return new Date(now.getTime() + minutes * 60_000);
  }

  /**
   * A party's decision: only a planner of that party's VO, on the version she saw, while
   * the proposal is open and she has not decided yet.
   */
  private decide(
    actor: Actor,
    id: number,
    version: number,
    work: (ctx: ChangeContext, proposal: FullProposal, requestId: number) => Promise<FullProposal>,
  ): Promise<SwapProposal> {
    return this.deps.changes.run(async (ctx) => {
      const row = await lockProposal(ctx.tx, id);
      const [proposal] = row ? await loadProposals(ctx.tx, [id]) : [];
      if (!proposal || !seesProposal(actor, proposal))
        throw new AppError('swap_not_found', 'Ruilvoorstel niet gevonden');
      const party = proposal.parties.find((p) => p.organisationId === actor.organisationId);
      assertAccess(
        actor.role === 'vo_planner' && party !== undefined,
        'Alleen een planner van een VO in deze ruil beslist',
      );
      if (proposal.status !== 'open') {
        throw new AppError('swap_not_open', 'Dit ruilvoorstel staat niet meer open', {
          params: { status: proposal.status },
          current: proposalFor(actor, proposal),
        });
      }
      if (proposal.version !== version) {
        throw new ConflictError(
          'Het ruilvoorstel is intussen veranderd',
          proposalFor(actor, proposal),
        );
      }
      if (party.decision !== 'pending') {
        throw new AppError('swap_already_decided', 'Je organisatie heeft al beslist', {
          current: proposalFor(actor, proposal),
        });
      }
      if (Date.parse(proposal.deadline) <= ctx.now.getTime()) {
        throw new AppError('swap_not_open', 'De termijn van dit ruilvoorstel is verstreken', {
          params: { status: 'expired' },
          current: proposalFor(actor, proposal),
        });
      }
      return proposalFor(actor, await work(ctx, proposal, party.requestId));
    });
  }

  private async emit(
    ctx: ChangeContext,
    actor: Actor | null,
    id: number,
    type: SwapEventType,
  ): Promise<FullProposal> {
    const [after] = await loadProposals(ctx.tx, [id]);
    ctx.emit(swapEvent(type, actor?.id ?? null, after!));
    return after!;
  }
}
