import { voRoles, type Role, type SessionUser } from '@opvangatlas/shared';

/** Where a user lands after login: the night-shift worker goes straight to free noodbedden. */
export function roleHome(role: Role): '/' | '/noodbed' {
  return role === 'vo_worker' ? '/noodbed' : '/';
}

/** Noodbed nu and Mijn locaties are for a VO's own staff. */
export function isVoStaff(user: Pick<SessionUser, 'role'>): boolean {
  return voRoles.includes(user.role);
}

/** Only same-origin paths may be used as a post-login redirect target. */
export function safeNext(next: string | null): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) {
    return null;
  }
  return next;
}
