import { z } from 'zod';
import { Id } from './id';
import { LatLon } from './region';

export const freshnessLevels = ['fresh', 'aging', 'stale'] as const;
export const Freshness = z.enum(freshnessLevels);
export type Freshness = z.infer<typeof Freshness>;

/** Freshness thresholds of a location's last confirmation (issue 2): fresh < 2 h, stale > 8 h. */
export const FRESH_MS = 2 * 60 * 60 * 1000;
export const STALE_MS = 8 * 60 * 60 * 1000;

export function freshnessOf(
  lastConfirmedAt: string | Date | null,
  now: Date = new Date(),
): Freshness {
  if (!lastConfirmedAt) return 'stale';
  const age = now.getTime() - new Date(lastConfirmedAt).getTime();
  if (age < FRESH_MS) return 'fresh';
  return age > STALE_MS ? 'stale' : 'aging';
}

/**
 * What anyone outside the organisation may know of a location. `position` is the region
 * centre: the real address is secret (geheim adres, docs/DOMAIN.md).
 */
export const Location = z.object({
  id: z.int().positive(),
  organisationId: z.int().positive(),
  organisationName: z.string(),
  regionId: z.int().positive(),
  name: z.string(),
  position: LatLon,
  lastConfirmedAt: z.iso.datetime({ offset: true }).nullable(),
  /**
   * The organisation's 24/7 intake line for this location, for VO staff to call after a
   * hold (issue 14). Unit-level roles only: municipalities never get locations.
   */
  intakePhone: z.string().max(30).nullable(),
});
export type Location = z.infer<typeof Location>;

export const Address = z.object({
  street: z.string(),
  postcode: z.string(),
  city: z.string(),
});
export type Address = z.infer<typeof Address>;

/** Only ever sent to members of the location's own organisation. */
export const OwnLocation = Location.extend({ address: Address });
export type OwnLocation = z.infer<typeof OwnLocation>;

/** `tel:` URI of a Dutch phone number as shown (088-123 45 67 → tel:+31881234567). */
export function telUri(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  return `tel:${digits.startsWith('0') ? `+31${digits.slice(1)}` : digits}`;
}

export const LocationParams = z.object({ id: Id });
