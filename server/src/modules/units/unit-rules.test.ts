import { describe, expect, it } from 'vitest';
import type { Unit } from '@opvangatlas/shared';
import { ConflictError, ValidationError } from '../../errors';
import { mayRelease, planHold, planPatch, planRelease } from './unit-rules';

const now = new Date('2026-11-23T03:00:00Z');
const unit = (over: Partial<Unit> = {}): Unit => ({
  id: 1,
  locationId: 1,
  organisationId: 10,
  regionId: 1,
  kind: 'noodbed',
  label: 'Noodbed 1',
  maxPersons: 4,
  mannenopvang: false,
  wheelchair: false,
  largeFamily: false,
  status: 'free',
  since: '2026-11-22T00:00:00Z',
  heldUntil: null,
  heldByOrganisationId: null,
  heldForRequestId: null,
  household: null,
  version: 3,
  ...over,
});

describe('planPatch', () => {
  it('occupies with a household and restarts since', () => {
    expect(
      planPatch(
        unit(),
        { version: 3, status: 'occupied', household: { adults: 1, children: 3 } },
        now,
      ),
    ).toMatchObject({
      status: 'occupied',
      since: now,
      householdAdults: 1,
      householdChildren: 3,
      heldUntil: null,
    });
  });

  it('clears household and hold when freeing', () => {
    const held = unit({ status: 'held', heldByOrganisationId: 20, heldUntil: now.toISOString() });
    expect(planPatch(held, { version: 3, status: 'free' }, now)).toMatchObject({
      status: 'free',
      householdAdults: null,
      heldByOrganisationId: null,
      heldUntil: null,
    });
  });

  it('keeps since when the status stays the same (a household correction)', () => {
    const occupied = unit({ status: 'occupied', household: { adults: 1, children: 1 } });
    expect(
      planPatch(occupied, { version: 3, household: { adults: 1, children: 2 } }, now).since,
    ).toBeUndefined();
  });

  it('refuses a household that does not fit the unit', () => {
    expect(() =>
      planPatch(
        unit({ maxPersons: 2 }),
        { version: 3, status: 'occupied', household: { adults: 1, children: 2 } },
        now,
      ),
    ).toThrow(ValidationError);
  });

  it('refuses a household on a unit that is not occupied', () => {
    expect(() =>
      planPatch(unit(), { version: 3, household: { adults: 1, children: 0 } }, now),
    ).toThrow(ConflictError);
  });

  it('refuses an empty change', () => {
    expect(() => planPatch(unit(), { version: 3 }, now)).toThrow(ValidationError);
  });
});

describe('holds', () => {
  it('holds for the given minutes on behalf of an organisation', () => {
    expect(planHold(now, 60, { organisationId: 20, userId: 5 })).toMatchObject({
      status: 'held',
      heldByOrganisationId: 20,
      heldByUserId: 5,
      heldUntil: new Date('2026-11-23T04:00:00Z'),
    });
    expect(planRelease(now)).toMatchObject({
      status: 'free',
      heldUntil: null,
      heldByOrganisationId: null,
    });
  });

  it('lets the holder and the owner release, nobody else', () => {
    const held = unit({ status: 'held', heldByOrganisationId: 20 });
    expect(mayRelease(held, 20, false)).toBe(true);
    expect(mayRelease(held, 10, false)).toBe(true);
    expect(mayRelease(held, 30, false)).toBe(false);
    expect(mayRelease(held, null, true)).toBe(true);
  });
});
