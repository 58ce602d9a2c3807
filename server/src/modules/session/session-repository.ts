import { and, eq, gt, inArray, lt } from 'drizzle-orm';
import { organisations, sessions, users, type Executor } from '@opvangatlas/db';
import type { SessionUser } from '@opvangatlas/shared';

const sessionUserColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  role: users.role,
  organisationId: users.organisationId,
  organisationName: organisations.name,
  regionId: users.regionId,
};

export async function findUserByEmail(ex: Executor, email: string) {
  const [row] = await ex
    .select({ ...sessionUserColumns, passwordHash: users.passwordHash })
    .from(users)
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(eq(users.email, email.toLowerCase()));
  return row;
}

export async function findSessionUser(
  ex: Executor,
  sessionId: string,
  now: Date,
): Promise<SessionUser | undefined> {
  const [row] = await ex
    .select(sessionUserColumns)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)));
  return row;
}

export async function insertSession(
  ex: Executor,
  id: string,
  userId: number,
  expiresAt: Date,
): Promise<void> {
  await ex.insert(sessions).values({ id, userId, expiresAt });
}

export async function deleteSession(ex: Executor, id: string): Promise<void> {
  await ex.delete(sessions).where(eq(sessions.id, id));
}

export async function deleteExpiredSessions(ex: Executor, now: Date): Promise<void> {
  await ex.delete(sessions).where(lt(sessions.expiresAt, now));
}

export async function listActiveSessionIds(
  ex: Executor,
  ids: string[],
  now: Date,
): Promise<string[]> {
  const rows = await ex
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(inArray(sessions.id, ids), gt(sessions.expiresAt, now)));
  return rows.map((r) => r.id);
}
