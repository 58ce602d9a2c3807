import type { Location, Region, Unit } from '@opvangatlas/shared';

/** Test data builders; real centres from the Monitor Veilige Opvang region list. */
export const regions: Region[] = [
  region(1, 'Rotterdam', 51.922, 4.479),
  region(2, 'Den Haag', 52.07, 4.3),
  region(3, 'Amsterdam', 52.37, 4.895),
  region(4, 'Groningen', 53.219, 6.567),
];

function region(id: number, name: string, lat: number, lon: number): Region {
  return {
    id,
    name,
    centre: { lat, lon },
    inhabitants: null,
    places2023: null,
    acutePlaces2019: null,
  };
}

export const NOW = new Date('2025-03-03T03:00:00Z');

export function hoursAgo(h: number, now: Date = NOW): string {
  return new Date(now.getTime() - h * 3600_000).toISOString();
}

export function makeUnit(overrides: Partial<Unit> & Pick<Unit, 'id'>): Unit {
  return {
    locationId: 10,
    organisationId: 100,
    regionId: 1,
    kind: 'noodbed',
    label: `K${overrides.id}`,
    maxPersons: 3,
    mannenopvang: false,
    wheelchair: false,
    largeFamily: false,
    status: 'free',
    since: hoursAgo(5),
    heldUntil: null,
    heldByOrganisationId: null,
    heldForRequestId: null,
    household: null,
    version: 1,
    ...overrides,
  };
}

export function makeLocation(overrides: Partial<Location> & Pick<Location, 'id'>): Location {
  const regionId = overrides.regionId ?? 1;
  const r = regions.find((x) => x.id === regionId) ?? regions[0]!;
  return {
    organisationId: 100,
    organisationName: 'Arosa',
    regionId,
    name: `Locatie ${overrides.id}`,
    position: r.centre,
    lastConfirmedAt: hoursAgo(1),
    intakePhone: '088-123 45 67',
    ...overrides,
  };
}
