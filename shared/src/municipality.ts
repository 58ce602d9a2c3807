import { z } from 'zod';
import { Id } from './id';
import { IsoDate, OverflowType, overflowTypes } from './overflow';
import { Cell, SuppressedLabel } from './suppression';
import { UnitKind, unitKinds } from './unit';

/**
 * What a municipality (centrumgemeente) sees of its own region, live: aggregates only, every
 * figure from fewer than 5 households suppressed (shared/src/suppression.ts). The same object
 * goes over the websocket, through the API and into the CSV, so they never differ.
 */

/** Istanbul Convention: one shelter place per 10,000 inhabitants (DOMAIN.md). */
export const ISTANBUL_PLACES_PER_10K = 1;

/** A share or average that follows the suppression of the count it comes from; null: no data. */
export const Ratio = z.union([z.number(), SuppressedLabel]).nullable();
export type Ratio = z.infer<typeof Ratio>;

const HouseholdsPersons = z.object({ households: Cell, persons: Cell });

const KindCapacity = z.object({
  /** Places (units) of the kind, and those in service: capacity, not households. */
  places: z.int().min(0),
  inService: z.int().min(0),
  occupied: Cell,
  /** Occupied over in service. */
  occupancy: Ratio,
});
export type KindCapacity = z.infer<typeof KindCapacity>;

/** A region's units as capacity is counted from them (not sent to clients as such). */
export const CapacitySnapshot = z.object({
  kinds: z.record(
    UnitKind,
    z.object({
      places: z.int().min(0),
      inService: z.int().min(0),
      occupied: z.int().min(0),
      /** Occupied by a household from another region (herkomst). */
      fromElsewhere: z.int().min(0),
    }),
  ),
});
export type CapacitySnapshot = z.infer<typeof CapacitySnapshot>;

export const MunicipalityFigures = z.object({
  regionId: Id,
  /** The day (in the Netherlands) the figures are for. */
  asOf: IsoDate,
  overflow: z.object({
    /** Households and persons in overflow places now. */
    byType: z.record(OverflowType, HouseholdsPersons),
    total: HouseholdsPersons,
    /** Registrations whose safety check-in is overdue (a count only). */
    overdueCheckIns: Cell,
  }),
  nights: z.object({
    /** Overflow nights per calendar month, January last year up to this month (to date). */
    months: z.array(z.object({ month: z.string(), nights: Cell })),
    thisMonth: Cell,
    thisYear: Cell,
    lastYear: Cell,
    /**
     * Last year from 1 January up to today's date, pro rata for the current month, from the
     * published months only: null when one of them is suppressed.
     */
    lastYearSamePeriod: z.number().nullable(),
    /** This year against the same period last year, in whole percent. */
    trendPercent: z.number().nullable(),
  }),
  /** Counted from the region's units, kept live per unit change (overflow-live.ts). */
  capacity: z
    .object({
      byKind: z.record(UnitKind, KindCapacity),
      total: KindCapacity,
      /** Occupied places by the household's region of origin (herkomst). */
      fromElsewhere: Cell,
      ownRegion: Cell,
      outOfRegionShare: Ratio,
      inhabitants: z.int().nullable(),
      /** Places per 10,000 inhabitants, against the Istanbul norm of 1. */
      placesPer10k: z.number().nullable(),
    })
    .nullable(),
  waitlist: z.object({
    byKind: z.record(UnitKind, Cell),
    total: Cell,
    /** Households placed from the waitlist this year, and their average wait in days. */
    placedThisYear: Cell,
    averageWaitDays: Ratio,
  }),
  nonPlacementsThisMonth: Cell,
});
export type MunicipalityFigures = z.infer<typeof MunicipalityFigures>;

export const MunicipalityQuery = z.object({ regionId: Id.optional() });

/** One CSV field (RFC 4180); also the monitor export's (monitor.ts). */
export const csvValue = (v: string | number | null) => {
  const text = v === null ? '' : String(v);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * The figures as CSV (RFC 4180, `.` as decimal mark): one row per figure, suppressed ones
 * as `<5` or `x` exactly as on screen.
 */
export function municipalityCsv(f: MunicipalityFigures, regionName: string): string {
  const rows: Array<[string, string, string, string | number | null]> = [];
  const add = (part: string, category: string, period: string, v: string | number | null) =>
    rows.push([part, category, period, v]);
  for (const type of overflowTypes) {
    add('huishoudens_niet_regulier', type, 'nu', f.overflow.byType[type].households);
    add('personen_niet_regulier', type, 'nu', f.overflow.byType[type].persons);
  }
  add('huishoudens_niet_regulier', 'totaal', 'nu', f.overflow.total.households);
  add('personen_niet_regulier', 'totaal', 'nu', f.overflow.total.persons);
  add('checkins_te_laat', 'totaal', 'nu', f.overflow.overdueCheckIns);
  for (const m of f.nights.months) add('nachten_niet_regulier', 'maand', m.month, m.nights);
  add('nachten_niet_regulier', 'dit_jaar', f.asOf.slice(0, 4), f.nights.thisYear);
  add(
    'nachten_niet_regulier',
    'vorig_jaar',
    String(Number(f.asOf.slice(0, 4)) - 1),
    f.nights.lastYear,
  );
  add('nachten_niet_regulier', 'vorig_jaar_zelfde_periode', f.asOf, f.nights.lastYearSamePeriod);
  add('nachten_niet_regulier', 'trend_procent', f.asOf, f.nights.trendPercent);
  if (f.capacity) {
    for (const kind of unitKinds) {
      const k = f.capacity.byKind[kind];
      add('plekken', kind, 'nu', k.places);
      add('plekken_in_gebruik', kind, 'nu', k.inService);
      add('bezet', kind, 'nu', k.occupied);
      add('bezetting', kind, 'nu', k.occupancy);
    }
    add('plekken', 'totaal', 'nu', f.capacity.total.places);
    add('plekken_in_gebruik', 'totaal', 'nu', f.capacity.total.inService);
    add('bezet', 'totaal', 'nu', f.capacity.total.occupied);
    add('bezetting', 'totaal', 'nu', f.capacity.total.occupancy);
    add('bezet_herkomst', 'andere_regio', 'nu', f.capacity.fromElsewhere);
    add('bezet_herkomst', 'eigen_regio', 'nu', f.capacity.ownRegion);
    add('aandeel_andere_regio', 'totaal', 'nu', f.capacity.outOfRegionShare);
    add('inwoners', 'totaal', 'nu', f.capacity.inhabitants);
    add('plekken_per_10000_inwoners', 'totaal', 'nu', f.capacity.placesPer10k);
    add('istanbul_norm_per_10000_inwoners', 'totaal', 'nu', ISTANBUL_PLACES_PER_10K);
  }
  for (const kind of unitKinds) add('wachtlijst', kind, 'nu', f.waitlist.byKind[kind]);
  add('wachtlijst', 'totaal', 'nu', f.waitlist.total);
  add('geplaatst_van_wachtlijst', 'totaal', f.asOf.slice(0, 4), f.waitlist.placedThisYear);
  add('gemiddelde_wachttijd_dagen', 'totaal', f.asOf.slice(0, 4), f.waitlist.averageWaitDays);
  add('niet_plaatsingen', 'totaal', f.asOf.slice(0, 7), f.nonPlacementsThisMonth);
  const header = ['regio', 'peildatum', 'onderdeel', 'categorie', 'periode', 'waarde'];
  return (
    [header, ...rows.map((r) => [regionName, f.asOf, ...r])]
      .map((r) => r.map(csvValue).join(','))
      .join('\r\n') + '\r\n'
  );
}
