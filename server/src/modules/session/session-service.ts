import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@opvangatlas/db';
import type { LoginRequest, SessionUser } from '@opvangatlas/shared';
import { AppError } from '../../errors';
import type { Bus } from '../../live/bus';
import type { ChangeRunner } from '../events/change-runner';
import { hashPassword, verifyPassword } from './password';
import { sessionEvent } from './session-live';
import {
  deleteExpiredSessions,
  deleteSession,
  extendSession,
  findSession,
  findUserByEmail,
  insertSession,
  listActiveSessionIds,
} from './session-repository';

/** Only the hash of a token is stored, so reading the table does not let anyone log in. */
export const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');

const SESSION_CACHE_MS = 5000;
const MAX_CACHED_SESSIONS = 10_000;

type FoundSession = NonNullable<Awaited<ReturnType<typeof findSession>>>;

interface CachedSession {
  lookup: Promise<FoundSession | undefined>;
  /** What the lookup found, once it answered. */
  found?: FoundSession;
  /** Date.now() after which the session is looked up again. */
  until: number;
}

/** What the audit trail keeps of a session: enough to pair a login with its logout. */
const sessionRef = (sessionId: string) => sessionId.slice(0, 12);

export interface SessionServiceDeps {
  database: Database;
  /** Logins, failed logins and logouts are appended to the audit trail like any change. */
  changes: ChangeRunner;
  /** Told when a session ends, so every instance closes its sockets. */
  bus?: Bus;
  /** Lifetime: a session ends this long after the login, used or not (SESSION_HOURS). */
  sessionHours: number;
  /** A session not used for this long ends earlier (SESSION_IDLE_MINUTES). */
  idleMinutes: number;
}

export class SessionService {
  /** Verified against when the e-mail is unknown, so timing does not reveal which accounts exist. */
  private readonly dummyHash: Promise<string>;

  private readonly database: Database;
  private readonly bus: Bus | undefined;
  private readonly lifetimeMs: number;
  private readonly idleMs: number;
  /** Recent lookups by session id (see userFor). */
  private readonly recent = new Map<string, CachedSession>();

  constructor(private readonly deps: SessionServiceDeps) {
    this.database = deps.database;
    this.bus = deps.bus;
    // A session that ends (logout on any instance) is not answered from the cache again.
    this.bus?.subscribe((msg) => {
      if (msg.kind === 'sessions_ended') for (const id of msg.sessionIds) this.recent.delete(id);
    });
    // Messages sent while the bus was down are lost: any of them may have ended a session.
    this.bus?.onReconnect(() => this.recent.clear());
    this.lifetimeMs = deps.sessionHours * 3_600_000;
    this.idleMs = Math.min(deps.idleMinutes * 60_000, this.lifetimeMs);
    this.dummyHash = hashPassword(randomBytes(16).toString('hex'));
  }

  /**
   * A session ends at `expires_at`: the idle deadline, moved forward by use, never past the
   * lifetime (created_at + SESSION_HOURS). No extra column: the lifetime follows from
   * created_at, the idle deadline is expires_at.
   */
  private deadline(createdAt: Date, now: Date): Date {
    return new Date(Math.min(createdAt.getTime() + this.lifetimeMs, now.getTime() + this.idleMs));
  }

  async login(body: LoginRequest): Promise<{ token: string; user: SessionUser; expiresAt: Date }> {
    const db = this.database.db;
    const found = await findUserByEmail(db, body.email);
    const ok = await verifyPassword(found?.passwordHash ?? (await this.dummyHash), body.password);
    if (!found || !ok) {
      // In the audit trail as the account tried (no e-mail, no password), then refused.
      const reason = found ? 'wrong_password' : 'unknown_account';
      await this.deps.changes.run(async (ctx) =>
        ctx.emit(sessionEvent('session.login_failed', found ?? null, { reason })),
      );
      throw new AppError('invalid_credentials', 'Onbekend e-mailadres of onjuist wachtwoord');
    }
    const { passwordHash: _, ...user } = found;
    const token = randomBytes(32).toString('base64url');
    const id = sessionIdOf(token);
    const now = new Date();
    await deleteExpiredSessions(db, now);
    await this.deps.changes.run(async (ctx) => {
      await insertSession(ctx.tx, id, user.id, this.deadline(now, now));
      ctx.emit(sessionEvent('session.login', user, { session: sessionRef(id) }));
    });
    // The cookie lives as long as the session may; the server ends it earlier when idle.
    return { token, user, expiresAt: new Date(now.getTime() + this.lifetimeMs) };
  }

  /**
   * The session's user, for every API request. One lookup answers a session's requests for
   * SESSION_CACHE_MS: websocket upgrades come in storms (a restart or a network blip
   * reconnects every screen at once, many on one session), and a change would otherwise pay
   * a query for the session on top of its own (a fifth of its round trips). A logout
   * anywhere evicts the session at once. The cache changes no outcome: an entry lives no
   * longer than its session, and a use that moves the idle deadline asks again.
   */
  async userFor(token: string): Promise<SessionUser | undefined> {
    const id = sessionIdOf(token);
    const now = Date.now();
    const hit = this.recent.get(id);
    if (hit && hit.until > now && !(hit.found && this.movesDeadline(hit.found, now))) {
      return (await hit.lookup)?.user;
    }
    if (this.recent.size >= MAX_CACHED_SESSIONS) {
      for (const [k, v] of this.recent) if (v.until <= now) this.recent.delete(k);
      // Still full (a flood of made-up tokens): the oldest go, in flight or not.
      for (const k of this.recent.keys()) {
        if (this.recent.size < MAX_CACHED_SESSIONS / 2) break;
        this.recent.delete(k);
      }
    }
    // Requests that come while it is asked share the lookup in flight.
    const entry: CachedSession = { lookup: this.lookup(id), until: now + SESSION_CACHE_MS };
    this.recent.set(id, entry);
    try {
      const found = await entry.lookup;
      entry.found = found;
      entry.until = Math.min(entry.until, found?.expiresAt.getTime() ?? now);
      return found?.user;
    } catch (err) {
      if (this.recent.get(id) === entry) this.recent.delete(id);
      throw err;
    }
  }

  /** Not a write per request: the deadline moves only by a noticeable step. */
  private movesDeadline(session: FoundSession, now: number): boolean {
    const step = Math.min(60_000, this.idleMs / 4);
    return (
      this.deadline(session.createdAt, new Date(now)).getTime() - session.expiresAt.getTime() >=
      step
    );
  }

  /** The session, its idle deadline moved forward by this use if that is due. */
  private async lookup(id: string): Promise<FoundSession | undefined> {
    const now = new Date();
    const session = await findSession(this.database.db, id, now);
    if (!session || !this.movesDeadline(session, now.getTime())) return session;
    const expiresAt = this.deadline(session.createdAt, now);
    await extendSession(this.database.db, id, expiresAt, now);
    return { ...session, expiresAt };
  }

  /** Ends the session (on every instance) and records the logout of `user`. */
  async logout(token: string, user: SessionUser | null): Promise<void> {
    const id = sessionIdOf(token);
    try {
      await this.deps.changes.run(async (ctx) => {
        await deleteSession(ctx.tx, id);
        if (user) ctx.emit(sessionEvent('session.logout', user, { session: sessionRef(id) }));
      });
    } finally {
      // Also when it failed: the commit's outcome may be unknown (asked again, at worst).
      this.recent.delete(id);
    }
    // Only an ended session closes sockets everywhere.
    this.bus?.publish({ kind: 'sessions_ended', sessionIds: [id] });
  }

  /** Which of these sessions still exist and have not expired. */
  async activeSessions(ids: string[]): Promise<Set<string>> {
    return new Set(await listActiveSessionIds(this.database.db, ids, new Date()));
  }
}
