import { z } from 'zod';

export const LatLon = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type LatLon = z.infer<typeof LatLon>;

/** A centrumgemeente vrouwenopvang; figures from the Monitor Veilige Opvang 2022-2023. */
export const Region = z.object({
  id: z.int().positive(),
  name: z.string(),
  centre: LatLon,
  inhabitants: z.int().nullable(),
  places2023: z.int().nullable(),
  acutePlaces2019: z.int().nullable(),
});
export type Region = z.infer<typeof Region>;

export const Organisation = z.object({
  id: z.int().positive(),
  name: z.string(),
  regionIds: z.array(z.int().positive()),
});
export type Organisation = z.infer<typeof Organisation>;
