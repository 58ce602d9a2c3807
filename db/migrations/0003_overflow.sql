CREATE TYPE "public"."non_placement_reason" AS ENUM('full', 'no_fit', 'not_safe', 'declined_by_household', 'other');--> statement-breakpoint
CREATE TYPE "public"."overflow_outcome" AS ENUM('regular_place', 'returned_home', 'other');--> statement-breakpoint
CREATE TYPE "public"."overflow_type" AS ENUM('hotel', 'vakantiepark', 'airbnb', 'bed_erbij', 'maatschappelijke_opvang', 'other');--> statement-breakpoint
CREATE TYPE "public"."waitlist_status" AS ENUM('waiting', 'placed', 'to_request', 'to_overflow', 'removed');--> statement-breakpoint
CREATE TABLE "non_placements" (
	"id" serial PRIMARY KEY NOT NULL,
	"organisation_id" integer NOT NULL,
	"region_id" integer NOT NULL,
	"kind" "unit_kind" NOT NULL,
	"urgency" "urgency" NOT NULL,
	"reason" "non_placement_reason" NOT NULL,
	"date" date NOT NULL,
	"placement_request_id" integer,
	"created_by_user_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "overflow_registrations" (
	"id" serial PRIMARY KEY NOT NULL,
	"reference" text NOT NULL,
	"organisation_id" integer NOT NULL,
	"region_id" integer NOT NULL,
	"type" "overflow_type" NOT NULL,
	"start_date" date NOT NULL,
	"expected_end_date" date,
	"adults" smallint NOT NULL,
	"children" smallint NOT NULL,
	"responsible_user_id" integer NOT NULL,
	"check_in_interval_hours" smallint DEFAULT 24 NOT NULL,
	"last_check_in_at" timestamp with time zone,
	"last_check_in_by_user_id" integer,
	"next_check_in_at" timestamp with time zone NOT NULL,
	"overdue_level" smallint DEFAULT 0 NOT NULL,
	"end_date" date,
	"outcome" "overflow_outcome",
	"outcome_kind" "unit_kind",
	"outcome_region_id" integer,
	"placement_request_id" integer,
	"waitlist_entry_id" integer,
	"created_by_user_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "overflow_registrations_reference_unique" UNIQUE("reference")
);
--> statement-breakpoint
CREATE TABLE "region_capacity" (
	"region_id" integer PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"figures" jsonb NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "waitlist_entries" (
	"id" serial PRIMARY KEY NOT NULL,
	"reference" text NOT NULL,
	"organisation_id" integer NOT NULL,
	"region_id" integer NOT NULL,
	"kind" "unit_kind" NOT NULL,
	"urgency" "urgency" NOT NULL,
	"household" jsonb NOT NULL,
	"waiting_since" date NOT NULL,
	"status" "waitlist_status" DEFAULT 'waiting' NOT NULL,
	"end_date" date,
	"days_waited" integer,
	"placement_request_id" integer,
	"overflow_registration_id" integer,
	"created_by_user_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "waitlist_entries_reference_unique" UNIQUE("reference")
);
--> statement-breakpoint
ALTER TABLE "non_placements" ADD CONSTRAINT "non_placements_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "non_placements" ADD CONSTRAINT "non_placements_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "non_placements" ADD CONSTRAINT "non_placements_placement_request_id_placement_requests_id_fk" FOREIGN KEY ("placement_request_id") REFERENCES "public"."placement_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "non_placements" ADD CONSTRAINT "non_placements_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overflow_registrations" ADD CONSTRAINT "overflow_registrations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overflow_registrations" ADD CONSTRAINT "overflow_registrations_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overflow_registrations" ADD CONSTRAINT "overflow_registrations_responsible_user_id_users_id_fk" FOREIGN KEY ("responsible_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overflow_registrations" ADD CONSTRAINT "overflow_registrations_last_check_in_by_user_id_users_id_fk" FOREIGN KEY ("last_check_in_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overflow_registrations" ADD CONSTRAINT "overflow_registrations_outcome_region_id_regions_id_fk" FOREIGN KEY ("outcome_region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overflow_registrations" ADD CONSTRAINT "overflow_registrations_placement_request_id_placement_requests_id_fk" FOREIGN KEY ("placement_request_id") REFERENCES "public"."placement_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overflow_registrations" ADD CONSTRAINT "overflow_registrations_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "region_capacity" ADD CONSTRAINT "region_capacity_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_placement_request_id_placement_requests_id_fk" FOREIGN KEY ("placement_request_id") REFERENCES "public"."placement_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_overflow_registration_id_overflow_registrations_id_fk" FOREIGN KEY ("overflow_registration_id") REFERENCES "public"."overflow_registrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "waitlist_entries" ADD CONSTRAINT "waitlist_entries_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "non_placements_region_date_idx" ON "non_placements" USING btree ("region_id","date");--> statement-breakpoint
CREATE UNIQUE INDEX "non_placements_request_idx" ON "non_placements" USING btree ("placement_request_id") WHERE "non_placements"."placement_request_id" is not null;--> statement-breakpoint
CREATE INDEX "overflow_registrations_region_idx" ON "overflow_registrations" USING btree ("region_id");--> statement-breakpoint
CREATE INDEX "overflow_registrations_due_idx" ON "overflow_registrations" USING btree ("next_check_in_at") WHERE "overflow_registrations"."ended_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "overflow_registrations_request_idx" ON "overflow_registrations" USING btree ("placement_request_id") WHERE "overflow_registrations"."placement_request_id" is not null;--> statement-breakpoint
CREATE INDEX "waitlist_entries_region_idx" ON "waitlist_entries" USING btree ("region_id");--> statement-breakpoint
CREATE INDEX "waitlist_entries_organisation_idx" ON "waitlist_entries" USING btree ("organisation_id");