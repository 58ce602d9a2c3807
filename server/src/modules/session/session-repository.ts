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

/** The session's user and times, while it has not expired. */
export async function findSession(
  ex: Executor,
  sessionId: string,
  now: Date,
): Promise<{ user: SessionUser; createdAt: Date; expiresAt: Date } | undefined> {
  const [row] = await ex
    .select({ ...sessionUserColumns, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(organisations, eq(organisations.id, users.organisationId))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)));
  if (!row) return undefined;
  const { createdAt, expiresAt, ...user } = row;
  return { user, createdAt, expiresAt };
}

/** Moves a session's end (the idle deadline) forward; never revives one that has ended. */
export async function extendSession(
  ex: Executor,
  id: string,
  expiresAt: Date,
  now: Date,
): Promise<void> {
  await ex
    .update(sessions)
    .set({ expiresAt })
    .where(
      and(eq(sessions.id, id), gt(sessions.expiresAt, now), lt(sessions.expiresAt, expiresAt)),
    );
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
