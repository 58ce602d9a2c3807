import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import { roles, unitKinds, unitStatuses } from '@opvangatlas/shared';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const unitKind = pgEnum('unit_kind', unitKinds);
export const unitStatus = pgEnum('unit_status', unitStatuses);
export const role = pgEnum('role', roles);

/** The 35 centrumgemeenten vrouwenopvang (../shared/data/nl-regions-2023.csv). */
export const regions = pgTable('regions', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  lat: doublePrecision('lat').notNull(),
  lon: doublePrecision('lon').notNull(),
  inhabitants: integer('inhabitants'),
  places2023: integer('places_2023'),
  acutePlaces2019: integer('acute_places_2019'),
});

export const organisations = pgTable('organisations', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
});

export const organisationRegions = pgTable(
  'organisation_regions',
  {
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    regionId: integer('region_id')
      .notNull()
      .references(() => regions.id),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.regionId] })],
);

/** A shelter building. The address columns are secret: they never leave the own organisation. */
export const locations = pgTable(
  'locations',
  {
    id: serial('id').primaryKey(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    regionId: integer('region_id')
      .notNull()
      .references(() => regions.id),
    name: text('name').notNull(),
    street: text('street').notNull(),
    postcode: text('postcode').notNull(),
    city: text('city').notNull(),
    lastConfirmedAt: tstz('last_confirmed_at'),
    lastConfirmedBy: integer('last_confirmed_by'),
  },
  (t) => [
    index('locations_organisation_idx').on(t.organisationId),
    index('locations_region_idx').on(t.regionId),
  ],
);

/** A room or apartment for one household (DOMAIN.md "Unit"). */
export const units = pgTable(
  'units',
  {
    id: serial('id').primaryKey(),
    locationId: integer('location_id')
      .notNull()
      .references(() => locations.id),
    kind: unitKind('kind').notNull(),
    label: text('label').notNull(),
    maxPersons: smallint('max_persons').notNull(),
    mannenopvang: boolean('mannenopvang').notNull().default(false),
    wheelchair: boolean('wheelchair').notNull().default(false),
    largeFamily: boolean('large_family').notNull().default(false),
    status: unitStatus('status').notNull().default('free'),
    since: tstz('since').notNull().defaultNow(),
    heldUntil: tstz('held_until'),
    heldByOrganisationId: integer('held_by_organisation_id').references(() => organisations.id),
    heldByUserId: integer('held_by_user_id'),
    householdAdults: smallint('household_adults'),
    householdChildren: smallint('household_children'),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('units_location_idx').on(t.locationId),
    index('units_held_until_idx')
      .on(t.heldUntil)
      .where(sql`${t.status} = 'held'`),
  ],
);

export const users = pgTable('users', {
  id: serial('id').primaryKey(),
  email: text('email').notNull().unique(),
  displayName: text('display_name').notNull(),
  role: role('role').notNull(),
  organisationId: integer('organisation_id').references(() => organisations.id),
  regionId: integer('region_id').references(() => regions.id),
  passwordHash: text('password_hash').notNull(),
});

/** Server-side sessions; `id` is the SHA-256 of the cookie token, so a leaked table grants nothing. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/**
 * Append-only log of every change, and the audit trail (who did what, when). `seq` orders
 * all changes; writers take an advisory lock before appending, so seq order is commit order
 * and a reader that has seen seq N has seen every event below it.
 */
export const events = pgTable(
  'events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: tstz('at').notNull().defaultNow(),
    type: text('type').notNull(),
    /** Null for the system (hold expiry, timers). */
    actorUserId: integer('actor_user_id').references(() => users.id),
    /** The organisation and region the subject belongs to (null when it has none). */
    organisationId: integer('organisation_id'),
    regionId: integer('region_id'),
    locationId: integer('location_id'),
    unitId: integer('unit_id'),
    /**
     * Who may receive the event (server/src/live/live-event.ts, Audience): roles, members
     * of organisations, region-bound viewers of regions. Replay filters on these columns.
     */
    audienceRoles: role('audience_roles')
      .array()
      .notNull()
      .default(sql`'{}'`),
    audienceOrganisations: integer('audience_organisations')
      .array()
      .notNull()
      .default(sql`'{}'`),
    audienceRegions: integer('audience_regions')
      .array()
      .notNull()
      .default(sql`'{}'`),
    data: jsonb('data').notNull(),
  },
  (t) => [
    index('events_unit_idx').on(t.unitId),
    index('events_type_at_idx').on(t.type, t.at),
    index('events_at_idx').on(t.at),
  ],
);

export const schema = {
  regions,
  organisations,
  organisationRegions,
  locations,
  units,
  users,
  sessions,
  events,
};
