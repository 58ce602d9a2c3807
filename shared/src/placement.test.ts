import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fitProblemsOf,
  fits,
  PlacementRequestInput,
  personsOf,
  type HouseholdProfile,
} from './placement';
import { unitKinds, type UnitKind } from './unit';

const unit = (over: Partial<Parameters<typeof fits>[1]> = {}) => ({
  kind: 'noodbed' as UnitKind,
  maxPersons: 4,
  mannenopvang: false,
  wheelchair: false,
  largeFamily: false,
  ...over,
});
const woman = { gender: 'v' as const };
const man = { gender: 'm' as const };
const request = (
  household: HouseholdProfile,
  needs = { wheelchair: false, largeFamily: false },
) => ({
  kind: 'noodbed' as UnitKind,
  household,
  needs,
});

describe('fit', () => {
  it('fits a mother with three children in a unit for four', () => {
    expect(fitProblemsOf(request({ adults: [woman], children: [2, 5, 9] }), unit())).toEqual([]);
  });

  it('says every reason a unit does not fit', () => {
    const r = request(
      { adults: [man], children: [1, 2, 3, 4] },
      { wheelchair: true, largeFamily: true },
    );
    expect(fitProblemsOf(r, unit({ kind: 'crisis' }))).toEqual([
      'kind',
      'persons',
      'needs_mannenopvang',
      'wheelchair',
      'large_family',
    ]);
  });

  it('keeps mannenopvang for men and men in mannenopvang', () => {
    expect(fits(request({ adults: [man], children: [] }), unit({ mannenopvang: true }))).toBe(true);
    expect(
      fitProblemsOf(request({ adults: [woman], children: [] }), unit({ mannenopvang: true })),
    ).toEqual(['is_mannenopvang']);
  });

  it('lets a unit of a region without kinds (geen onderscheid) take any kind', () => {
    expect(
      fits(request({ adults: [woman], children: [] }), unit({ kind: 'geen_onderscheid' })),
    ).toBe(true);
  });

  const household = fc.record({
    adults: fc.array(
      fc.record({ gender: fc.constantFrom('v' as const, 'm' as const, 'x' as const) }),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
    children: fc.array(fc.integer({ min: 0, max: 17 }), { maxLength: 12 }),
  });
  const anyUnit = fc.record({
    kind: fc.constantFrom(...unitKinds),
    maxPersons: fc.integer({ min: 1, max: 12 }),
    mannenopvang: fc.boolean(),
    wheelchair: fc.boolean(),
    largeFamily: fc.boolean(),
  });
  const needs = fc.record({ wheelchair: fc.boolean(), largeFamily: fc.boolean() });

  it('never fits a unit too small, of another kind, or missing a needed feature', () => {
    fc.assert(
      fc.property(household, needs, fc.constantFrom(...unitKinds), anyUnit, (h, n, kind, u) => {
        const ok = fits({ kind, household: h, needs: n }, u);
        const man = h.adults.some((a) => a.gender === 'm');
        const expected =
          personsOf(h) <= u.maxPersons &&
          (u.kind === kind || u.kind === 'geen_onderscheid') &&
          man === u.mannenopvang &&
          (!n.wheelchair || u.wheelchair) &&
          (!n.largeFamily || u.largeFamily);
        expect(ok).toBe(expected);
      }),
    );
  });

  it('is monotone in room: a fitting household still fits a larger otherwise equal unit', () => {
    fc.assert(
      fc.property(household, needs, anyUnit, fc.integer({ min: 1, max: 6 }), (h, n, u, extra) => {
        const r = { kind: u.kind, household: h, needs: n };
        if (fits(r, u)) expect(fits(r, { ...u, maxPersons: u.maxPersons + extra })).toBe(true);
      }),
    );
  });
});

describe('PlacementRequestInput', () => {
  const valid = {
    kind: 'noodbed',
    urgency: 'code_rood',
    household: { adults: [woman], children: [2, 5, 9] },
    needs: { wheelchair: false, pets: false, largeFamily: false, languages: ['ar'] },
    originRegionId: 1,
    unsafeRegionIds: [1],
    preferredRegionIds: [],
  };

  it('takes a household described by composition only', () => {
    expect(PlacementRequestInput.safeParse(valid).success).toBe(true);
  });

  it('refuses a note with personal data, and unknown fields such as a name', () => {
    const withBsn = PlacementRequestInput.safeParse({ ...valid, note: 'bsn 111222333' });
    expect(withBsn.success).toBe(false);
    expect(withBsn.error!.issues[0]!.path).toEqual(['note']);
    const withName = PlacementRequestInput.safeParse({ ...valid, name: 'Fatima' });
    expect(withName.success).toBe(false);
  });
});
