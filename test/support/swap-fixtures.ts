import { eq } from 'drizzle-orm';
import { users, type Database } from '@opvangatlas/db';
import type { PlacementRequestInput, Unit, UnitKind } from '@opvangatlas/shared';
import { demoEmail } from './instance';

/**
 * What swap tests share: a planner for each VO in a cycle (the seed has one demo planner
 * only; only planners decide on a swap), units of different VOs in different regions, and
 * a "ruil mogelijk" request that gives one of them.
 */
export async function addPlanner(
  database: Database,
  organisationId: number,
  regionId: number | null = null,
): Promise<string> {
  const [demo] = await database.db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, demoEmail('vo_planner')));
  const email = demoEmail(plannerLocal(organisationId));
  await database.db
    .insert(users)
    .values({
      email,
      displayName: `Planner ${organisationId}`,
      role: 'vo_planner',
      organisationId,
      regionId,
      passwordHash: demo!.passwordHash,
    })
    .onConflictDoNothing();
  return email;
}

/** The local part of a planner's demo e-mail, for logging in through the form. */
export const plannerLocal = (organisationId: number) => `vo_planner.swap-${organisationId}`;

/**
 * One unit per kind asked, each of another VO and region than the others, free or occupied,
 * for one woman (no needs), skipping `used`; each returned unit is added to `used`.
 */
export function pickUnits(all: Unit[], kinds: UnitKind[], used: Set<number>): Unit[] {
  const picked: Unit[] = [];
  for (const kind of kinds) {
    const unit = all.find(
      (u) =>
        !used.has(u.id) &&
        u.kind === kind &&
        (u.status === 'free' || u.status === 'occupied') &&
        u.heldForRequestId === null &&
        !u.mannenopvang &&
        picked.every((p) => p.organisationId !== u.organisationId && p.regionId !== u.regionId),
    );
    if (!unit) throw new Error(`no ${kind} unit left for a swap`);
    used.add(unit.id);
    picked.push(unit);
  }
  return picked;
}

/** A request of the unit's VO, from the unit's region, for one woman, giving that unit. */
export const swapRequest = (
  gives: Unit,
  kind: UnitKind,
  over: Partial<PlacementRequestInput> = {},
): PlacementRequestInput => ({
  kind,
  urgency: 'acuut',
  household: { adults: [{ gender: 'v' }], children: [] },
  needs: { wheelchair: false, pets: false, largeFamily: false, languages: [] },
  originRegionId: gives.regionId,
  unsafeRegionIds: [gives.regionId],
  preferredRegionIds: [],
  swapUnitId: gives.id,
  ...over,
});
