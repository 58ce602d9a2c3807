import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@opvangatlas/db';
import type { LoginRequest, SessionUser } from '@opvangatlas/shared';
import { UnauthorizedError } from '../../errors';
import { hashPassword, verifyPassword } from './password';
import {
  deleteExpiredSessions,
  deleteSession,
  findSessionUser,
  findUserByEmail,
  insertSession,
} from './session-repository';

/** Only the hash of a token is stored, so reading the table does not let anyone log in. */
const sessionId = (token: string) => createHash('sha256').update(token).digest('hex');

export class SessionService {
  /** Verified against when the e-mail is unknown, so timing does not reveal which accounts exist. */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly database: Database,
    private readonly sessionHours: number,
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
    await insertSession(db, sessionId(token), user.id, expiresAt);
    return { token, user, expiresAt };
  }

  userFor(token: string): Promise<SessionUser | undefined> {
    return findSessionUser(this.database.db, sessionId(token), new Date());
  }

  logout(token: string): Promise<void> {
    return deleteSession(this.database.db, sessionId(token));
  }
}
