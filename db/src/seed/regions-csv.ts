import { readFileSync } from 'node:fs';
import { dbFile } from '../files';

export interface RegionRow {
  name: string;
  lat: number;
  lon: number;
  inhabitants: number | null;
  places2023: number | null;
  avgClients: number | null;
  acutePlaces2019: number | null;
  organisations: string[];
}

const num = (s: string | undefined): number | null => (s ? Number(s) : null);

/** Parses nl-regions-2023.csv (sources: README.md, "Data"; the kinds of place: docs/DOMAIN.md). */
export function readRegions(): RegionRow[] {
  const text = readFileSync(dbFile('src/seed/nl-regions-2023.csv'), 'utf8');
  const [, ...lines] = text.trim().split('\n');
  return lines.map((line) => {
    const [name, lat, lon, inh, places, clients, acute, orgs] = line.split(',');
    return {
      name: name!,
      lat: Number(lat),
      lon: Number(lon),
      inhabitants: num(inh),
      places2023: num(places),
      avgClients: num(clients),
      acutePlaces2019: num(acute),
      organisations: orgs ? orgs.split(';') : [],
    };
  });
}
