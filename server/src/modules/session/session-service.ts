import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@opvangatlas/db';
import type { LoginRequest, SessionUser } from '@opvangatlas/shared';
import { UnauthorizedError } from '../../errors';
import type { Bus } from '../../live/bus';
import { hashPassword, verifyPassword } from './password';
import {
  deleteExpiredSessions,
  deleteSession,
  findSessionUser,
  findUserByEmail,
  insertSession,
  listActiveSessionIds,
} from './session-repository';

/** Only the hash of a token is stored, so reading the table does not let anyone log in. */
export const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');

export class SessionService {
  /** Verified against when the e-mail is unknown, so timing does not reveal which accounts exist. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly database: Database,
    private readonly sessionHours: number,
    /** Told when a session ends, so every instance closes its sockets. */
    private readonly bus?: Bus,
  ) {
    this.dummyHash = hashPassword(randomBytes(16).toString('hex'));
  }

  async login(body: LoginRequest): Promise<{ token: string; user: SessionUser; expiresAt: Date }> {
    const db = this.database.db;
    const found = await findUserByEmail(db, body.email);
    const ok = await verifyPassword(found?.passwordHash ?? (await this.dummyHash), body.password);
    if (!found || !ok) throw new UnauthorizedError('Onbekend e-mailadres of onjuist wachtwoord');
    const { passwordHash: _, ...user } = found;
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.sessionHours * 3_600_000);
    await deleteExpiredSessions(db, now);
    await insertSession(db, sessionIdOf(token), user.id, expiresAt);
    return { token, user, expiresAt };
  }

  userFor(token: string): Promise<SessionUser | undefined> {
    return findSessionUser(this.database.db, sessionIdOf(token), new Date());
  }

  async logout(token: string): Promise<void> {
    const id = sessionIdOf(token);
    await deleteSession(this.database.db, id);
    this.bus?.publish({ kind: 'sessions_ended', sessionIds: [id] });
  }

  /** Which of these sessions still exist and have not expired. */
  async activeSessions(ids: string[]): Promise<Set<string>> {
    return new Set(await listActiveSessionIds(this.database.db, ids, new Date()));
  }
}
