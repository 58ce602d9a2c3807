import {
  addDays,
  daysBetween,
  dutchDate,
  nightsIn,
  suppressFigures,
  sumOf,
  unitKinds,
  type Cell,
  type FigureInput,
  type MonitorFigures,
  type UnitKind,
  type UnitStatus,
} from '@opvangatlas/shared';

/** A unit change with what the monitor needs of it: the unit after, its status before. */
export interface MonitorChange {
  at: Date;
  /** `dutchDate(at)`, when the caller keeps it (a cache computes it once per change). */
  day?: string;
  unitId: number;
  regionId: number;
  kind: UnitKind;
  status: UnitStatus;
  beforeStatus: UnitStatus;
  mannenopvang: boolean;
  household: { adults: number; children: number } | null;
}

export interface MonitorInput {
  year: number;
  /** Null: every region. */
  regionId: number | null;
  now: Date;
  /** Every unit change in the log, in seq order. */
  changes: readonly MonitorChange[];
  /** The units now: one without a change in the log has had its present state all along. */
  units: ReadonlyArray<Omit<MonitorChange, 'at' | 'unitId' | 'beforeStatus'> & { id: number }>;
  overflow: ReadonlyArray<{
    regionId: number;
    startDate: string;
    endDate: string | null;
  }>;
  waitlist: ReadonlyArray<{
    regionId: number;
    waitingSince: string;
    status: string;
    endDate: string | null;
    daysWaited: number | null;
  }>;
  nonPlacements: ReadonlyArray<{ regionId: number; date: string }>;
  /** Households that arrived through a placement request: where they came from. */
  placedArrivals: ReadonlyArray<{ regionId: number; originRegionId: number; date: string }>;
}

/** One stretch of a unit in one state: from one change to the next. */
interface Segment {
  unitId: number;
  regionId: number;
  kind: UnitKind;
  status: UnitStatus;
  mannenopvang: boolean;
  household: { adults: number; children: number } | null;
  /** Dutch date it began; null: before the platform's data. */
  from: string | null;
  /** Dutch date it ended; null: it lasts. */
  to: string | null;
}

/**
 * The units' stretches from the log: before a unit's first change, its `before` status; a
 * unit the log has no change of, its present state throughout.
 */
function segmentsOf(changes: readonly MonitorChange[], units: MonitorInput['units']): Segment[] {
  const open = new Map<number, Segment>();
  const done: Segment[] = [];
  // Built field by field, not spread: a year of changes is tens of thousands of them.
  const segment = (
    c: MonitorChange,
    status: UnitStatus,
    household: Segment['household'],
    from: string | null,
    to: string | null,
  ): Segment => ({
    unitId: c.unitId,
    regionId: c.regionId,
    kind: c.kind,
    status,
    mannenopvang: c.mannenopvang,
    household,
    from,
    to,
  });
  for (const c of changes) {
    const date = c.day ?? dutchDate(c.at);
    const current = open.get(c.unitId);
    if (current) {
      current.to = date;
      done.push(current);
    } else {
      done.push(segment(c, c.beforeStatus, null, null, date));
    }
    open.set(c.unitId, segment(c, c.status, c.household, date, null));
  }
  const unchanged = units
    .filter((u) => !open.has(u.id))
    .map((u) => ({ ...u, unitId: u.id, from: null, to: null }));
  return [...done, ...open.values(), ...unchanged];
}

/** A household's stay: consecutive occupied stretches of one unit (its kind may change). */
interface Stay {
  parts: Segment[];
  arrival: string | null;
  departure: string | null;
}

function staysOf(segments: Segment[]): Stay[] {
  const byUnit = new Map<number, Segment[]>();
  for (const s of segments) {
    const list = byUnit.get(s.unitId);
    if (list) list.push(s);
    else byUnit.set(s.unitId, [s]);
  }
  const stays: Stay[] = [];
  for (const list of byUnit.values()) {
    let stay: Stay | null = null;
    for (const s of list) {
      if (s.status !== 'occupied') {
        stay = null;
        continue;
      }
      if (!stay) stays.push((stay = { parts: [], arrival: s.from, departure: null }));
      stay.parts.push(s);
      stay.departure = s.to;
    }
  }
  return stays;
}

const perKind = <T>(make: () => T) =>
  Object.fromEntries(unitKinds.map((k) => [k, make()])) as Record<UnitKind, T>;

/**
 * The monitor's figures for a year and a region (or all), exact from the log (seed 000,
 * Bijlage 1): clients with a stay in the year, capacity in unique rooms, verblijfsdagen of
 * all persons, occupancy = verblijfsdagen / (places x days), stays at outflow, overflow,
 * herkomst, waitlist and niet-plaatsingen. Days are Dutch calendar days: a night counts on
 * the day it begins (shared/src/calendar.ts, nightsIn). The period is cut to the days the
 * platform has data for; what it cannot know is null with a note.
 */
export function monitorFigures(input: MonitorInput, suppress: boolean): MonitorFigures {
  const { year, regionId } = input;
  const inRegion = (id: number) => regionId === null || id === regionId;
  const today = dutchDate(input.now);
  const yearStart = `${year}-01-01`;
  const yearEnd = `${year}-12-31`;
  const coveredTo = today < yearEnd ? today : yearEnd;
  const first = input.changes[0] ? dutchDate(input.changes[0].at) : null;
  const coveredFrom =
    first === null || first > coveredTo ? null : first > yearStart ? first : yearStart;
  const end = addDays(coveredTo, 1); // exclusive
  const notes: string[] = [];

  const segments = segmentsOf(input.changes, input.units).filter((s) => inRegion(s.regionId));
  const nights = (s: { from: string | null; to: string | null }) =>
    coveredFrom === null
      ? 0
      : nightsIn({ startDate: s.from ?? coveredFrom, endDate: s.to }, coveredFrom, end, today);
  const overlaps = (s: Segment) =>
    coveredFrom !== null &&
    (s.from ?? coveredFrom) <= coveredTo &&
    (s.to === null || s.to > coveredFrom);

  // Capacity: unique rooms per kind in service at some time of the period.
  const rooms = perKind(() => new Set<number>());
  const allRooms = new Set<number>();
  for (const s of segments) {
    if (s.status === 'out_of_service' || !overlaps(s)) continue;
    rooms[s.kind].add(s.unitId);
    allRooms.add(s.unitId);
  }

  const allStays = staysOf(segments);
  const stays = allStays.filter((st) => st.parts.some((p) => nights(p) > 0));
  const verblijfsdagen = perKind(() => 0);
  const stayHouseholds = perKind(() => new Set<Stay>());
  let women = 0;
  let men = 0;
  let minors = 0;
  const unknownHouseholds = stays.filter((st) => st.parts.some((p) => p.household === null));
  if (unknownHouseholds.length > 0)
    notes.push(
      `${unknownHouseholds.length} verblijven liepen al toen het platform begon; hun samenstelling is niet bekend en telt als één volwassene (een ondergrens).`,
    );
  for (const stay of stays) {
    const h = stay.parts.at(-1)!.household ?? { adults: 1, children: 0 };
    if (stay.parts.at(-1)!.mannenopvang) men += h.adults;
    else women += h.adults;
    minors += h.children;
    for (const p of stay.parts) {
      const n = nights(p);
      const persons = (p.household?.adults ?? 1) + (p.household?.children ?? 0);
      verblijfsdagen[p.kind] += n * persons;
      if (n > 0) stayHouseholds[p.kind].add(stay);
    }
  }

  // Stays that ended in the period, by the kind at departure; begun before the data: apart.
  const ended = allStays.filter(
    (st) =>
      st.departure !== null &&
      coveredFrom !== null &&
      st.departure >= coveredFrom &&
      st.departure <= coveredTo,
  );
  const lengths = perKind((): number[] => []);
  let unknownStart = 0;
  for (const st of ended) {
    if (st.arrival === null) unknownStart++;
    else lengths[st.parts.at(-1)!.kind].push(daysBetween(st.arrival, st.departure!));
  }
  if (unknownStart > 0)
    notes.push(
      `${unknownStart} verblijven eindigden in deze periode maar begonnen voordat het platform gegevens had: ze tellen niet mee in de gemiddelde verblijfsduur.`,
    );

  const days = coveredFrom === null ? 0 : daysBetween(coveredFrom, end);
  const overflow = input.overflow.filter(
    (o) => inRegion(o.regionId) && nightsIn(o, yearStart, end, today) > 0,
  );
  const arrivals = stays.filter(
    (st) => st.arrival !== null && st.arrival >= (coveredFrom ?? end) && st.arrival <= coveredTo,
  );
  const fromElsewhere = input.placedArrivals.filter(
    (a) =>
      inRegion(a.regionId) &&
      a.originRegionId !== a.regionId &&
      a.date >= yearStart &&
      a.date <= coveredTo,
  ).length;
  const waiting = input.waitlist.filter(
    (w) =>
      inRegion(w.regionId) &&
      w.waitingSince <= coveredTo &&
      (w.status === 'waiting' || (w.endDate !== null && w.endDate > coveredTo)),
  );
  const placed = input.waitlist.filter(
    (w) =>
      inRegion(w.regionId) &&
      w.status === 'placed' &&
      w.daysWaited !== null &&
      w.endDate !== null &&
      w.endDate >= yearStart &&
      w.endDate <= coveredTo,
  );
  const nonPlacements = input.nonPlacements.filter(
    (n) => inRegion(n.regionId) && n.date >= yearStart && n.date <= coveredTo,
  ).length;

  if (coveredFrom === null) notes.push('Het platform heeft voor deze periode geen gegevens.');
  else if (coveredFrom > yearStart)
    notes.push(
      `Het platform heeft gegevens vanaf ${coveredFrom}: cijfers over de dagen daarvoor ontbreken (niet geschat).`,
    );
  notes.push(
    'Een ruimte legt alleen het aantal volwassenen en kinderen vast: volwassenen in vrouwenopvang tellen als vrouw, in mannenopvang als man; kinderen als overig/onbekend 18-. Een huishouden dat van ruimte wisselt, telt per verblijf.',
    'Herkomst uit een andere regio: aankomsten via een plaatsingsverzoek; de overige aankomsten tellen als eigen regio.',
  );

  // Every figure with the households it comes from, for suppression (suppression.ts).
  const mean = (xs: number[]) =>
    xs.length === 0 ? null : Math.round((xs.reduce((s, x) => s + x, 0) / xs.length) * 10) / 10;
  const figures: Record<string, FigureInput> = {};
  const put = (id: string, value: number, households: number, smallMax?: number) =>
    (figures[id] = { value, households, ...(smallMax === undefined ? {} : { smallMax }) });
  put('households', stays.length, stays.length);
  put('women', women, stays.filter((s) => !s.parts.at(-1)!.mannenopvang).length, 4 * 6);
  put('men', men, stays.filter((s) => s.parts.at(-1)!.mannenopvang).length, 4 * 6);
  put(
    'minors',
    minors,
    stays.filter((s) => (s.parts.at(-1)!.household?.children ?? 0) > 0).length,
    4 * 12,
  );
  put('clients', women + men + minors, stays.length, 4 * 18);
  for (const k of unitKinds)
    put(`vd.${k}`, verblijfsdagen[k], stayHouseholds[k].size, 4 * 18 * 366);
  const vdTotal = unitKinds.reduce((s, k) => s + verblijfsdagen[k], 0);
  put('vd.total', vdTotal, stays.length, 4 * 18 * 366);
  put('overflow.households', overflow.length, overflow.length);
  const overflowNights = overflow.reduce((s, o) => s + nightsIn(o, yearStart, end, today), 0);
  put('overflow.nights', overflowNights, overflow.length, 4 * 366);
  put('arrivals', arrivals.length, arrivals.length);
  put(
    'own',
    Math.max(0, arrivals.length - fromElsewhere),
    Math.max(0, arrivals.length - fromElsewhere),
  );
  put('other', fromElsewhere, fromElsewhere);
  put('waiting', waiting.length, waiting.length);
  put('placed', placed.length, placed.length);
  put('nonPlacements', nonPlacements, nonPlacements);
  const cells: Record<string, Cell> = suppress
    ? suppressFigures(figures, [
        sumOf(['women', 'men', 'minors'], 'clients'),
        sumOf(
          unitKinds.map((k) => `vd.${k}`),
          'vd.total',
        ),
        sumOf(['own', 'other'], 'arrivals'),
      ])
    : Object.fromEntries(Object.entries(figures).map(([id, f]) => [id, f.value]));
  // A ratio is shown only when the figures it comes from are.
  const ratio = (value: number | null, from: Cell): Cell | null =>
    value === null ? null : typeof from === 'number' ? value : from;
  const occupancyOf = (vd: number, places: number) =>
    places * days > 0 ? Math.round((vd / (places * days)) * 1000) / 1000 : null;

  return {
    year,
    regionId,
    coveredFrom,
    coveredTo,
    suppressed: suppress,
    clients: {
      households: cells.households!,
      women18plus: cells.women!,
      men18plus: cells.men!,
      otherUnder18: cells.minors!,
      total: cells.clients!,
    },
    capacity: Object.fromEntries(unitKinds.map((k) => [k, rooms[k].size])) as Record<
      UnitKind,
      Cell | null
    >,
    capacityTotal: allRooms.size,
    // A mean of fewer than 5 stays is a small number too.
    averageStayDays: Object.fromEntries(
      unitKinds.map((k) => {
        const n = lengths[k].length;
        return [k, n === 0 ? null : suppress && n < 5 ? '<5' : mean(lengths[k])];
      }),
    ) as Record<UnitKind, Cell | null>,
    verblijfsdagen: Object.fromEntries(unitKinds.map((k) => [k, cells[`vd.${k}`]!])) as Record<
      UnitKind,
      Cell | null
    >,
    verblijfsdagenTotal: cells['vd.total']!,
    occupancy: Object.fromEntries(
      unitKinds.map((k) => [
        k,
        ratio(occupancyOf(verblijfsdagen[k], rooms[k].size), cells[`vd.${k}`]!),
      ]),
    ) as Record<UnitKind, Cell | null>,
    occupancyTotal: ratio(occupancyOf(vdTotal, allRooms.size), cells['vd.total']!),
    overflow: { households: cells['overflow.households']!, nights: cells['overflow.nights']! },
    herkomst: { arrivals: cells.arrivals!, ownRegion: cells.own!, otherRegions: cells.other! },
    waitlist: {
      waitingAtEnd: cells.waiting!,
      placed: cells.placed!,
      averageWaitDays: ratio(mean(placed.map((w) => w.daysWaited!)), cells.placed!),
    },
    nonPlacements: cells.nonPlacements!,
    staysWithUnknownStart: unknownStart,
    notes,
  };
}
