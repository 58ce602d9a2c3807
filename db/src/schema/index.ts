import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
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
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import {
  declineReasons,
  nonPlacementReasons,
  offerStatuses,
  outcomes,
  overflowOutcomes,
  overflowTypes,
  placementStatuses,
  roles,
  swapDecisions,
  swapFallReasons,
  swapProposalStatuses,
  unitKinds,
  unitStatuses,
  urgencies,
  waitlistStatuses,
} from '@opvangatlas/shared';

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const unitKind = pgEnum('unit_kind', unitKinds);
export const unitStatus = pgEnum('unit_status', unitStatuses);
export const role = pgEnum('role', roles);
export const urgency = pgEnum('urgency', urgencies);
export const placementStatus = pgEnum('placement_status', placementStatuses);
export const placementOutcome = pgEnum('placement_outcome', outcomes);
export const declineReason = pgEnum('decline_reason', declineReasons);
export const offerStatus = pgEnum('offer_status', offerStatuses);
export const quotaMode = pgEnum('quota_mode', ['warn', 'block']);

/** The 35 centrumgemeenten vrouwenopvang (db/src/seed/nl-regions-2023.csv). */
export const regions = pgTable('regions', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  lat: doublePrecision('lat').notNull(),
  lon: doublePrecision('lon').notNull(),
  inhabitants: integer('inhabitants'),
  places2023: integer('places_2023'),
  acutePlaces2019: integer('acute_places_2019'),
  /**
   * At most this share of crisis capacity for clients from other regions (Rotterdam 25% for
   * Code Rood, seed 004); null: no quota. `warn` flags an offer over it, `block` refuses it.
   */
  quotaOutOfRegionPercent: smallint('quota_out_of_region_percent'),
  quotaMode: quotaMode('quota_mode').notNull().default('warn'),
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
    /** The organisation's 24/7 intake line for this location: VO staff call it after a hold. */
    intakePhone: text('intake_phone'),
    lastConfirmedAt: tstz('last_confirmed_at'),
    lastConfirmedBy: integer('last_confirmed_by'),
  },
  (t) => [
    index('locations_organisation_idx').on(t.organisationId),
    index('locations_region_idx').on(t.regionId),
  ],
);

/** A room or apartment for one household (docs/DOMAIN.md, "Terms"). */
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
    /** How often the current hold was extended (issue 14: once by default, HOLD_MAX_EXTENSIONS). */
    holdExtensions: smallint('hold_extensions').notNull().default(0),
    householdAdults: smallint('household_adults'),
    householdChildren: smallint('household_children'),
    /** Held as an offer to this placement request: only the request's workflow frees it. */
    heldForRequestId: integer('held_for_request_id'),
    /** The request a reserved or occupied unit is for, and the household's region of origin. */
    placementRequestId: integer('placement_request_id'),
    originRegionId: integer('origin_region_id').references(() => regions.id),
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
 * A placement request to other regions (bovenregionale plaatsing, docs/DOMAIN.md). The
 * household is described by composition and needs only; `household`, `needs`, `note` and
 * the region lists are deleted a retention time after the request ends, the anonymous rest
 * stays for the monitor.
 */
export const placementRequests = pgTable(
  'placement_requests',
  {
    id: serial('id').primaryKey(),
    reference: text('reference').notNull().unique(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    originRegionId: integer('origin_region_id')
      .notNull()
      .references(() => regions.id),
    kind: unitKind('kind').notNull(),
    urgency: urgency('urgency').notNull(),
    household: jsonb('household'),
    needs: jsonb('needs'),
    note: text('note'),
    unsafeRegionIds: integer('unsafe_region_ids').array(),
    preferredRegionIds: integer('preferred_region_ids').array(),
    /** The VOs that may see it: those with a location in a region that is not unsafe. */
    audienceOrganisationIds: integer('audience_organisation_ids').array().notNull(),
    respondBy: tstz('respond_by').notNull(),
    escalationMinutes: integer('escalation_minutes').array().notNull(),
    escalationLevel: smallint('escalation_level').notNull().default(0),
    status: placementStatus('status').notNull().default('open'),
    outcome: placementOutcome('outcome'),
    claimedByUserId: integer('claimed_by_user_id').references(() => users.id),
    acceptedOfferId: integer('accepted_offer_id'),
    destinationRegionId: integer('destination_region_id').references(() => regions.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    placedAt: tstz('placed_at'),
    arrivedAt: tstz('arrived_at'),
    departedAt: tstz('departed_at'),
    endedAt: tstz('ended_at'),
    detailsDeletedAt: tstz('details_deleted_at'),
    /** "Ruil mogelijk" (issue 9): the own unit this household frees, or one offered in exchange. */
    swapUnitId: integer('swap_unit_id').references(() => units.id),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('placement_requests_status_idx').on(t.status),
    index('placement_requests_ended_idx').on(t.endedAt),
  ],
);

export const placementOffers = pgTable(
  'placement_offers',
  {
    id: serial('id').primaryKey(),
    requestId: integer('request_id')
      .notNull()
      .references(() => placementRequests.id),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    status: offerStatus('status').notNull().default('offered'),
    quotaWarning: boolean('quota_warning').notNull().default(false),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('placement_offers_request_idx').on(t.requestId),
    // A unit is offered to one request at a time, whatever the race.
    uniqueIndex('placement_offers_unit_offered_idx')
      .on(t.unitId)
      .where(sql`${t.status} = 'offered'`),
  ],
);

/** Per receiving VO: seen, declined (with a reason). Offers are in placement_offers. */
export const placementResponses = pgTable(
  'placement_responses',
  {
    requestId: integer('request_id')
      .notNull()
      .references(() => placementRequests.id),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    seenAt: tstz('seen_at'),
    declinedAt: tstz('declined_at'),
    declineReason: declineReason('decline_reason'),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.organisationId] })],
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

/**
 * A household placed outside regular capacity (niet-reguliere bedden, DOMAIN.md): hotel,
 * vakantiepark, Airbnb, ... Never the name or address of the place: a pseudonymous
 * reference and counts. Nights are counted per calendar day from the dates (shared/src/calendar.ts).
 */
export const overflowType = pgEnum('overflow_type', overflowTypes);
export const overflowOutcome = pgEnum('overflow_outcome', overflowOutcomes);
export const waitlistStatus = pgEnum('waitlist_status', waitlistStatuses);
export const nonPlacementReason = pgEnum('non_placement_reason', nonPlacementReasons);

export const overflowRegistrations = pgTable(
  'overflow_registrations',
  {
    id: serial('id').primaryKey(),
    reference: text('reference').notNull().unique(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    regionId: integer('region_id')
      .notNull()
      .references(() => regions.id),
    type: overflowType('type').notNull(),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    expectedEndDate: date('expected_end_date', { mode: 'string' }),
    adults: smallint('adults').notNull(),
    children: smallint('children').notNull(),
    responsibleUserId: integer('responsible_user_id')
      .notNull()
      .references(() => users.id),
    checkInIntervalHours: smallint('check_in_interval_hours').notNull().default(24),
    lastCheckInAt: tstz('last_check_in_at'),
    lastCheckInByUserId: integer('last_check_in_by_user_id').references(() => users.id),
    nextCheckInAt: tstz('next_check_in_at').notNull(),
    /** 1: check-in overdue, the VO is alerted; 2: past the grace period, coordinators too. */
    overdueLevel: smallint('overdue_level').notNull().default(0),
    /** The day the stay ended: its last night is the one before. Null while it lasts. */
    endDate: date('end_date', { mode: 'string' }),
    outcome: overflowOutcome('outcome'),
    outcomeKind: unitKind('outcome_kind'),
    outcomeRegionId: integer('outcome_region_id').references(() => regions.id),
    placementRequestId: integer('placement_request_id').references(() => placementRequests.id),
    waitlistEntryId: integer('waitlist_entry_id'),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    endedAt: tstz('ended_at'),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('overflow_registrations_region_idx').on(t.regionId),
    index('overflow_registrations_due_idx')
      .on(t.nextCheckInAt)
      .where(sql`${t.endedAt} is null`),
    // A placement request opens at most one registration.
    uniqueIndex('overflow_registrations_request_idx')
      .on(t.placementRequestId)
      .where(sql`${t.placementRequestId} is not null`),
  ],
);

/** Wachtlijst per VO and kind: composition and urgency, since when; days waited at the end. */
export const waitlistEntries = pgTable(
  'waitlist_entries',
  {
    id: serial('id').primaryKey(),
    reference: text('reference').notNull().unique(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    regionId: integer('region_id')
      .notNull()
      .references(() => regions.id),
    kind: unitKind('kind').notNull(),
    urgency: urgency('urgency').notNull(),
    household: jsonb('household').notNull(),
    waitingSince: date('waiting_since', { mode: 'string' }).notNull(),
    status: waitlistStatus('status').notNull().default('waiting'),
    endDate: date('end_date', { mode: 'string' }),
    daysWaited: integer('days_waited'),
    placementRequestId: integer('placement_request_id').references(() => placementRequests.id),
    overflowRegistrationId: integer('overflow_registration_id').references(
      () => overflowRegistrations.id,
    ),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('waitlist_entries_region_idx').on(t.regionId),
    index('waitlist_entries_organisation_idx').on(t.organisationId),
  ],
);

/** Niet-plaatsing: anonymous, kind needed, urgency, region, reason (seed 001). */
export const nonPlacements = pgTable(
  'non_placements',
  {
    id: serial('id').primaryKey(),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    regionId: integer('region_id')
      .notNull()
      .references(() => regions.id),
    kind: unitKind('kind').notNull(),
    urgency: urgency('urgency').notNull(),
    reason: nonPlacementReason('reason').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    placementRequestId: integer('placement_request_id').references(() => placementRequests.id),
    createdByUserId: integer('created_by_user_id').references(() => users.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('non_placements_region_date_idx').on(t.regionId, t.date),
    uniqueIndex('non_placements_request_idx')
      .on(t.placementRequestId)
      .where(sql`${t.placementRequestId} is not null`),
  ],
);

/**
 * A region's places, occupancy and herkomst as the overflow sweep last counted them, for
 * the municipality view (modules/overflow): changed rows only, each change an event.
 */
export const regionCapacity = pgTable('region_capacity', {
  regionId: integer('region_id')
    .primaryKey()
    .references(() => regions.id),
  /** The day of the count (Europe/Amsterdam): a new day is a new event, nights move on. */
  day: date('day', { mode: 'string' }).notNull(),
  figures: jsonb('figures').notNull(),
  updatedAt: tstz('updated_at').notNull(),
});

export const swapProposalStatus = pgEnum('swap_proposal_status', swapProposalStatuses);
export const swapFallReason = pgEnum('swap_fall_reason', swapFallReasons);
export const swapDecision = pgEnum('swap_decision', swapDecisions);

/** A ruil (issue 9): a cycle of 2 or 3 placement requests, executed all or nothing. */
export const swapProposals = pgTable(
  'swap_proposals',
  {
    id: serial('id').primaryKey(),
    status: swapProposalStatus('status').notNull().default('open'),
    reason: swapFallReason('reason'),
    deadline: tstz('deadline').notNull(),
    createdAt: tstz('created_at').notNull(),
    endedAt: tstz('ended_at'),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('swap_proposals_status_idx').on(t.status)],
);

/**
 * One request of a proposal, in cycle order: its household moves into the unit of the next
 * party. The unit versions seen when proposing are kept: a unit changed since then makes
 * the execution fail, so nobody is moved into a unit that is no longer what was agreed.
 */
export const swapParties = pgTable(
  'swap_parties',
  {
    proposalId: integer('proposal_id')
      .notNull()
      .references(() => swapProposals.id),
    position: smallint('position').notNull(),
    requestId: integer('request_id')
      .notNull()
      .references(() => placementRequests.id),
    organisationId: integer('organisation_id')
      .notNull()
      .references(() => organisations.id),
    givesUnitId: integer('gives_unit_id')
      .notNull()
      .references(() => units.id),
    givesUnitVersion: integer('gives_unit_version').notNull(),
    receivesUnitId: integer('receives_unit_id')
      .notNull()
      .references(() => units.id),
    decision: swapDecision('decision').notNull().default('pending'),
    decidedAt: tstz('decided_at'),
    decidedByUserId: integer('decided_by_user_id').references(() => users.id),
  },
  (t) => [
    primaryKey({ columns: [t.proposalId, t.requestId] }),
    index('swap_parties_request_idx').on(t.requestId),
  ],
);

/**
 * A coordinator's Druk alert thresholds (issue 11), one rule set per user, replaced whole
 * on every save. The rules are the user's own preferences, shaped by shared/src/alerts.ts
 * (AlertRules, at most 50): kept as one document, as the screens read and write them.
 * `version` counts saves, so a screen can ignore an older answer that arrives late.
 */
export const alertRuleSets = pgTable('alert_rule_sets', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  rules: jsonb('rules').notNull(),
  version: integer('version').notNull().default(1),
  updatedAt: tstz('updated_at').notNull(),
});

export const schema = {
  regions,
  organisations,
  organisationRegions,
  locations,
  units,
  users,
  sessions,
  placementRequests,
  placementOffers,
  placementResponses,
  events,
  overflowRegistrations,
  waitlistEntries,
  nonPlacements,
  regionCapacity,
  swapProposals,
  swapParties,
  alertRuleSets,
};
