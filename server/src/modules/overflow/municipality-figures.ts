import {
  daysInMonth,
  monthOf,
  monthsFrom,
  nextMonthStart,
  nightsIn,
  overflowTypes,
  sameTotal,
  sumOf,
  suppressFigures,
  unitKinds,
  type CapacitySnapshot,
  type Cell,
  type FigureInput,
  type KindCapacity,
  type MunicipalityFigures,
  type NonPlacement,
  type OverflowRegistration,
  type Ratio,
  type WaitlistEntry,
} from '@opvangatlas/shared';

/** Persons one household can be at most (6 adults, 12 children: shared/src/placement.ts). */
const MAX_PERSONS = 18;

export interface FiguresInput {
  regionId: number;
  /** Today in the Netherlands (shared/src/calendar.ts). */
  today: string;
  registrations: Iterable<
    Pick<
      OverflowRegistration,
      'id' | 'regionId' | 'type' | 'startDate' | 'endDate' | 'adults' | 'children' | 'overdueLevel'
    >
  >;
  waitlist: Iterable<
    Pick<WaitlistEntry, 'regionId' | 'kind' | 'status' | 'endDate' | 'daysWaited'>
  >;
  nonPlacements: Iterable<Pick<NonPlacement, 'regionId' | 'date'>>;
  capacity: CapacitySnapshot | null;
  inhabitants: number | null;
}

const round = (n: number, digits = 0) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A share of a count, shown only when the count and what it is divided by are shown. */
function ratio(part: Cell, whole: Cell | number, value: () => number | null): Ratio {
  if (typeof part !== 'number') return part;
  if (typeof whole !== 'number') return whole;
  return value();
}

/**
 * A municipality's view of its own region (issue 10): overflow now, nights, overdue
 * check-ins, occupancy and herkomst, waitlist and niet-plaatsingen, every figure suppressed
 * with the sums that hold between them (shared/src/suppression.ts). Pure, so the live view
 * (from memory, per change) and the API and CSV (from the database) give the same answer.
 */
export function municipalityFigures(input: FiguresInput): MunicipalityFigures {
  const { regionId, today } = input;
  const year = Number(today.slice(0, 4));
  const thisMonth = monthOf(today);
  const stays = [...input.registrations].filter((r) => r.regionId === regionId);
  const figures: Record<string, FigureInput> = {};
  const count = (id: string, value: number, extra: Partial<FigureInput> = {}) =>
    (figures[id] = { value, households: value, ...extra });

  // Overflow now: households and persons per type, shown or hidden together per type.
  const now = stays.filter(
    (r) => r.startDate <= today && (r.endDate === null || r.endDate > today),
  );
  let households = 0;
  let persons = 0;
  for (const type of overflowTypes) {
    const of = now.filter((r) => r.type === type);
    const p = of.reduce((s, r) => s + r.adults + r.children, 0);
    count(`oh.${type}`, of.length, { group: `type.${type}` });
    figures[`op.${type}`] = {
      value: p,
      households: of.length,
      smallMax: 4 * MAX_PERSONS,
      group: `type.${type}`,
    };
    households += of.length;
    persons += p;
  }
  count('oh.total', households);
  figures['op.total'] = { value: persons, households, smallMax: 4 * MAX_PERSONS };
  count('overdue', now.filter((r) => r.endDate === null && r.overdueLevel > 0).length);

  // Nights per calendar month, January last year up to this month; basis: households with
  // at least one night in the month (or year).
  const months = monthsFrom(`${year - 1}-01`, thisMonth);
  const yearStays = { [year]: new Set<number>(), [year - 1]: new Set<number>() };
  for (const month of months) {
    let nights = 0;
    let basis = 0;
    for (const r of stays) {
      const n = nightsIn(r, `${month}-01`, nextMonthStart(month), today);
      if (n === 0) continue;
      nights += n;
      basis += 1;
      yearStays[Number(month.slice(0, 4))]!.add(r.id);
    }
    figures[`n.${month}`] = { value: nights, households: basis, smallMax: 4 * daysInMonth(month) };
  }
  const monthsOf = (y: number) => months.filter((m) => m.startsWith(`${y}-`));
  for (const y of [year, year - 1]) {
    figures[`n.${y}`] = {
      value: monthsOf(y).reduce((s, m) => s + figures[`n.${m}`]!.value, 0),
      households: yearStays[y]!.size,
      smallMax: 4 * 366,
    };
  }

  // Capacity (from the sweep): occupied places per kind, and by herkomst.
  const cap = input.capacity;
  if (cap) {
    let occupied = 0;
    let fromElsewhere = 0;
    for (const kind of unitKinds) {
      count(`occ.${kind}`, cap.kinds[kind].occupied);
      occupied += cap.kinds[kind].occupied;
      fromElsewhere += cap.kinds[kind].fromElsewhere;
    }
    count('occ.total', occupied);
    count('her.elsewhere', fromElsewhere);
    count('her.own', occupied - fromElsewhere);
  }

  // Waitlist now per kind; placed from it this year (the basis of the average wait).
  const list = [...input.waitlist].filter((e) => e.regionId === regionId);
  const waiting = list.filter((e) => e.status === 'waiting');
  for (const kind of unitKinds) count(`wl.${kind}`, waiting.filter((e) => e.kind === kind).length);
  count('wl.total', waiting.length);
  const placed = list.filter(
    (e) => e.status === 'placed' && e.endDate?.startsWith(`${year}-`) && e.daysWaited !== null,
  );
  count('wl.placed', placed.length);
  count(
    'np.month',
    [...input.nonPlacements].filter((n) => n.regionId === regionId && monthOf(n.date) === thisMonth)
      .length,
  );

  const ids = (prefix: string, keys: readonly string[]) => keys.map((k) => `${prefix}.${k}`);
  const kindsSum = sumOf(ids('occ', unitKinds), 'occ.total');
  const herkomstSum = sumOf(['her.elsewhere', 'her.own'], 'occ.total');
  const cells = suppressFigures(figures, [
    sumOf(ids('oh', overflowTypes), 'oh.total'),
    sumOf(ids('op', overflowTypes), 'op.total'),
    sumOf(ids('n', monthsOf(year)), `n.${year}`),
    sumOf(ids('n', monthsOf(year - 1)), `n.${year - 1}`),
    sumOf(ids('wl', unitKinds), 'wl.total'),
    ...(cap ? [kindsSum, herkomstSum, sameTotal(kindsSum, herkomstSum)] : []),
  ]);
  const cell = (id: string): Cell => cells[id]!;

  // Last year up to today's date: the published months before this one, and this month of
  // last year pro rata; only from shown cells, so it opens nothing that is hidden.
  const day = Number(today.slice(8, 10));
  const lastYearMonths = monthsOf(year - 1).filter((m) => m.slice(5) <= thisMonth.slice(5));
  const sameMonth = lastYearMonths.at(-1)!;
  const lastYearCells = lastYearMonths.map((m) => cell(`n.${m}`));
  const lastYearSamePeriod = lastYearCells.every((c) => typeof c === 'number')
    ? round(
        lastYearMonths.reduce(
          (s, m) =>
            s + (cell(`n.${m}`) as number) * (m === sameMonth ? day / daysInMonth(sameMonth) : 1),
          0,
        ),
      )
    : null;
  const thisYear = cell(`n.${year}`);
  const trendPercent =
    lastYearSamePeriod && typeof thisYear === 'number'
      ? round((thisYear / lastYearSamePeriod - 1) * 100)
      : null;

  const kindCapacity = (places: number, inService: number, occupied: Cell): KindCapacity => ({
    places,
    inService,
    occupied,
    occupancy:
      inService === 0
        ? null
        : ratio(occupied, inService, () => round(Number(occupied) / inService, 3)),
  });
  let capacity: MunicipalityFigures['capacity'] = null;
  if (cap) {
    const byKind = Object.fromEntries(
      unitKinds.map((k) => [
        k,
        kindCapacity(cap.kinds[k].places, cap.kinds[k].inService, cell(`occ.${k}`)),
      ]),
    ) as Record<(typeof unitKinds)[number], KindCapacity>;
    const places = unitKinds.reduce((s, k) => s + cap.kinds[k].places, 0);
    const inService = unitKinds.reduce((s, k) => s + cap.kinds[k].inService, 0);
    const total = kindCapacity(places, inService, cell('occ.total'));
    const elsewhere = cell('her.elsewhere');
    capacity = {
      byKind,
      total,
      fromElsewhere: elsewhere,
      ownRegion: cell('her.own'),
      outOfRegionShare: ratio(elsewhere, total.occupied, () =>
        total.occupied === 0 ? null : round(Number(elsewhere) / Number(total.occupied), 3),
      ),
      inhabitants: input.inhabitants,
      placesPer10k: input.inhabitants ? round((places / input.inhabitants) * 10_000, 2) : null,
    };
  }

  const placedCell = cell('wl.placed');
  return {
    regionId,
    asOf: today,
    overflow: {
      byType: Object.fromEntries(
        overflowTypes.map((t) => [t, { households: cell(`oh.${t}`), persons: cell(`op.${t}`) }]),
      ) as MunicipalityFigures['overflow']['byType'],
      total: { households: cell('oh.total'), persons: cell('op.total') },
      overdueCheckIns: cell('overdue'),
    },
    nights: {
      months: months.map((m) => ({ month: m, nights: cell(`n.${m}`) })),
      thisMonth: cell(`n.${thisMonth}`),
      thisYear,
      lastYear: cell(`n.${year - 1}`),
      lastYearSamePeriod,
      trendPercent,
    },
    capacity,
    waitlist: {
      byKind: Object.fromEntries(unitKinds.map((k) => [k, cell(`wl.${k}`)])) as Record<
        (typeof unitKinds)[number],
        Cell
      >,
      total: cell('wl.total'),
      placedThisYear: placedCell,
      averageWaitDays: ratio(placedCell, placedCell, () =>
        placed.length === 0
          ? null
          : round(placed.reduce((s, e) => s + e.daysWaited!, 0) / placed.length, 1),
      ),
    },
    nonPlacementsThisMonth: cell('np.month'),
  };
}
