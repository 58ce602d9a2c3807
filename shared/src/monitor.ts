import { z } from 'zod';
import { Id } from './id';
import { csvValue } from './municipality';
import { Cell } from './suppression';
import { UnitKind, unitKinds } from './unit';

/**
 * The yearly Monitor Veilige Opvang figures (seed 000, Bijlage 1; docs/DOMAIN.md) computed
 * from the platform's own log. Figures the platform cannot know are null with a note, never
 * an estimate: stays that began before the platform was in use, gender and age of persons
 * in a unit (a unit records adults and children only).
 */
export const MonitorQuery = z.object({
  year: z.coerce.number().int().min(2020).max(2100),
  regionId: Id.optional(),
});
export type MonitorQuery = z.infer<typeof MonitorQuery>;

const PerKind = z.record(UnitKind, Cell.nullable());

export const MonitorFigures = z.object({
  year: z.int(),
  /** Null: all regions. */
  regionId: Id.nullable(),
  /** The first day the platform has data for in this year; null when it has none. */
  coveredFrom: z.iso.date().nullable(),
  /** The last day counted: 31 December, or today in the running year. */
  coveredTo: z.iso.date(),
  /** Whether small numbers are hidden (any export beyond the coordinators). */
  suppressed: z.boolean(),
  clients: z.object({
    households: Cell,
    women18plus: Cell,
    men18plus: Cell,
    /** The platform records no gender of a minor: all minors are "overig/onbekend 18-". */
    otherUnder18: Cell,
    total: Cell,
  }),
  /** Unique rooms per kind that were in service at some time of the period. */
  capacity: PerKind,
  capacityTotal: Cell,
  /** Mean days of the stays that ended in the period, by kind at departure (known starts only). */
  averageStayDays: PerKind,
  /** Nights of every person (children included). */
  verblijfsdagen: PerKind,
  verblijfsdagenTotal: Cell,
  /** Verblijfsdagen / (places x days). */
  occupancy: PerKind,
  occupancyTotal: Cell.nullable(),
  overflow: z.object({ households: Cell, nights: Cell }),
  herkomst: z.object({ arrivals: Cell, ownRegion: Cell, otherRegions: Cell }),
  waitlist: z.object({
    waitingAtEnd: Cell,
    placed: Cell,
    averageWaitDays: Cell.nullable(),
  }),
  nonPlacements: Cell,
  /** Stays that ended in the period but began before the platform's data: not in the average. */
  staysWithUnknownStart: z.int().min(0),
  notes: z.array(z.string()),
});
export type MonitorFigures = z.infer<typeof MonitorFigures>;

/**
 * The figures in the monitor's layout (its chapters: cliënten, capaciteit, verblijfsduur,
 * verblijfsdagen and bezettingsgraad, niet-reguliere bedden, herkomst, wachtlijst,
 * niet-plaatsingen), one figure a row, then the notes on what the platform cannot know.
 */
export function monitorCsv(f: MonitorFigures, regionName: string): string {
  const rows: Array<[string, string, string | number | null]> = [];
  const add = (part: string, category: string, v: string | number | null) =>
    rows.push([part, category, v]);
  add('1_clienten', 'huishoudens', f.clients.households);
  add('1_clienten', 'vrouwen_18plus', f.clients.women18plus);
  add('1_clienten', 'mannen_18plus', f.clients.men18plus);
  add('1_clienten', 'overig_onbekend_18min', f.clients.otherUnder18);
  add('1_clienten', 'totaal', f.clients.total);
  for (const k of unitKinds) add('2_capaciteit', k, f.capacity[k]);
  add('2_capaciteit', 'totaal', f.capacityTotal);
  for (const k of unitKinds)
    add('3_gemiddelde_verblijfsduur_dagen_bij_uitstroom', k, f.averageStayDays[k]);
  for (const k of unitKinds) add('4_verblijfsdagen', k, f.verblijfsdagen[k]);
  add('4_verblijfsdagen', 'totaal', f.verblijfsdagenTotal);
  for (const k of unitKinds) add('4_bezettingsgraad', k, f.occupancy[k]);
  add('4_bezettingsgraad', 'totaal', f.occupancyTotal);
  add('5_niet_reguliere_bedden', 'huishoudens', f.overflow.households);
  add('5_niet_reguliere_bedden', 'nachten', f.overflow.nights);
  add('6_herkomst', 'instroom', f.herkomst.arrivals);
  add('6_herkomst', 'eigen_regio', f.herkomst.ownRegion);
  add('6_herkomst', 'andere_regio', f.herkomst.otherRegions);
  add('7_wachtlijst', 'wachtend_einde_periode', f.waitlist.waitingAtEnd);
  add('7_wachtlijst', 'geplaatst', f.waitlist.placed);
  add('7_wachtlijst', 'gemiddelde_wachttijd_dagen', f.waitlist.averageWaitDays);
  add('8_niet_plaatsingen', 'totaal', f.nonPlacements);
  f.notes.forEach((n, i) => add('opmerking', String(i + 1), n));
  const period = `${f.coveredFrom ?? ''}/${f.coveredTo}`;
  const header = ['regio', 'jaar', 'periode_met_gegevens', 'onderdeel', 'categorie', 'waarde'];
  return (
    [header, ...rows.map((r) => [regionName, String(f.year), period, ...r])]
      .map((r) => r.map(csvValue).join(','))
      .join('\r\n') + '\r\n'
  );
}
