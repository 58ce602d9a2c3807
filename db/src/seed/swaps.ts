import { and, asc, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { UnitKind } from '@opvangatlas/shared';
import type { Tx } from '../client';
import { locations, organisations, placementRequests, units } from '../schema/index';

/** One "ruil mogelijk" request: its household's kind of place, and the kind of unit it gives. */
interface Party {
  /** The demo VO, so the demo planner sees the proposals; else another VO. */
  demo: boolean;
  wants: UnitKind;
  gives: UnitKind;
}

/**
 * Ruil on first start (issue 9): open "ruil mogelijk" requests that form exactly one swap
 * of two VOs and one of three, so the Ruil tab shows proposals as soon as the server has
 * matched them. Every household is one woman; what links the requests is the kind of
 * place. The pair wants and gives crisis places. In the three-way cycle each household fits
 * only the next one's unit (noodbed -> noodbed unit, crisis -> crisis unit, vervolg ->
 * vervolg unit, each giving another kind), and no household of the three fits back into
 * the unit of the one before: no other cycle of at most three exists among the five.
 * Regulier, so a proposal stays open for hours, not half an hour.
 */
const PAIR: Party[] = [
  { demo: true, wants: 'crisis', gives: 'crisis' },
  { demo: false, wants: 'crisis', gives: 'crisis' },
];
const TRIPLE: Party[] = [
  { demo: true, wants: 'noodbed', gives: 'vervolg' },
  { demo: false, wants: 'crisis', gives: 'noodbed' },
  { demo: false, wants: 'vervolg', gives: 'crisis' },
];

const ONE_WOMAN = { adults: [{ gender: 'v' }], children: [] };
const NO_NEEDS = { wheelchair: false, pets: false, largeFamily: false, languages: [] };

export async function seedSwaps(
  tx: Tx,
  now: Date,
  demoOrganisation: string,
  escalationMinutes: number[],
): Promise<void> {
  const [demo] = await tx
    .select({ id: organisations.id })
    .from(organisations)
    .where(eq(organisations.name, demoOrganisation));
  if (!demo) return;
  // Units a household can move into: no men's shelter (the households are women), not
  // reserved, held or out of service, of one kind (not "geen onderscheid", which fits all).
  const pool = await tx
    .select({
      id: units.id,
      kind: units.kind,
      organisationId: locations.organisationId,
      regionId: locations.regionId,
    })
    .from(units)
    .innerJoin(locations, eq(locations.id, units.locationId))
    .where(
      and(
        inArray(units.status, ['free', 'occupied']),
        eq(units.mannenopvang, false),
        isNull(units.heldForRequestId),
        ne(units.kind, 'geen_onderscheid'),
      ),
    )
    .orderBy(asc(units.id));
  const usedOrgs = new Set<number>();
  const usedRegions = new Set<number>();
  const usedUnits = new Set<number>();
  const demoRegion = pool.find((u) => u.organisationId === demo.id)?.regionId;
  const pick = (party: Party) => {
    const unit = pool.find((u) =>
      party.demo
        ? u.organisationId === demo.id && u.kind === party.gives && !usedUnits.has(u.id)
        : u.organisationId !== demo.id &&
          u.kind === party.gives &&
          !usedOrgs.has(u.organisationId) &&
          u.regionId !== demoRegion &&
          !usedRegions.has(u.regionId),
    );
    if (!unit) return null;
    usedUnits.add(unit.id);
    if (!party.demo) {
      usedOrgs.add(unit.organisationId);
      usedRegions.add(unit.regionId);
    }
    return { party, unit };
  };
  const picked = [...PAIR, ...TRIPLE].map(pick);
  if (picked.some((p) => p === null)) return;

  const sites = await tx
    .selectDistinct({ organisationId: locations.organisationId, regionId: locations.regionId })
    .from(locations);
  for (const { party, unit } of picked.map((p) => p!)) {
    // Fleeing her own region: every VO with a location elsewhere may see the request.
    const audience = [
      ...new Set(sites.filter((s) => s.regionId !== unit.regionId).map((s) => s.organisationId)),
    ].sort((a, b) => a - b);
    const [row] = await tx
      .insert(placementRequests)
      .values({
        reference: `tmp-swap-${unit.id}`,
        organisationId: unit.organisationId,
        originRegionId: unit.regionId,
        kind: party.wants,
        urgency: 'regulier',
        household: ONE_WOMAN,
        needs: NO_NEEDS,
        unsafeRegionIds: [unit.regionId],
        preferredRegionIds: [],
        audienceOrganisationIds: audience,
        respondBy: new Date(now.getTime() + 72 * 3_600_000),
        escalationMinutes,
        swapUnitId: unit.id,
        createdAt: now,
      })
      .returning({ id: placementRequests.id });
    await tx
      .update(placementRequests)
      // As the placement service numbers them.
      .set({ reference: `PV-${now.getFullYear()}-${String(row!.id).padStart(4, '0')}` })
      .where(eq(placementRequests.id, row!.id));
  }
}
