CREATE TYPE "public"."decline_reason" AS ENUM('full', 'no_fit', 'quota', 'not_safe', 'other');--> statement-breakpoint
CREATE TYPE "public"."offer_status" AS ENUM('offered', 'withdrawn', 'accepted', 'released');--> statement-breakpoint
CREATE TYPE "public"."placement_outcome" AS ENUM('placed', 'hotel', 'vakantiepark', 'other_alternative', 'niet_plaatsing', 'not_needed', 'cancelled', 'expired');--> statement-breakpoint
CREATE TYPE "public"."placement_status" AS ENUM('open', 'placed', 'arrived', 'closed', 'cancelled', 'expired');--> statement-breakpoint
CREATE TYPE "public"."quota_mode" AS ENUM('warn', 'block');--> statement-breakpoint
CREATE TYPE "public"."urgency" AS ENUM('code_rood', 'acuut', 'regulier');--> statement-breakpoint
CREATE TABLE "placement_offers" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" integer NOT NULL,
	"organisation_id" integer NOT NULL,
	"unit_id" integer NOT NULL,
	"status" "offer_status" DEFAULT 'offered' NOT NULL,
	"quota_warning" boolean DEFAULT false NOT NULL,
	"created_by_user_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "placement_requests" (
	"id" serial PRIMARY KEY NOT NULL,
	"reference" text NOT NULL,
	"organisation_id" integer NOT NULL,
	"created_by_user_id" integer,
	"origin_region_id" integer NOT NULL,
	"kind" "unit_kind" NOT NULL,
	"urgency" "urgency" NOT NULL,
	"household" jsonb,
	"needs" jsonb,
	"note" text,
	"unsafe_region_ids" integer[],
	"preferred_region_ids" integer[],
	"audience_organisation_ids" integer[] NOT NULL,
	"respond_by" timestamp with time zone NOT NULL,
	"escalation_minutes" integer[] NOT NULL,
	"escalation_level" smallint DEFAULT 0 NOT NULL,
	"status" "placement_status" DEFAULT 'open' NOT NULL,
	"outcome" "placement_outcome",
	"claimed_by_user_id" integer,
	"accepted_offer_id" integer,
	"destination_region_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"placed_at" timestamp with time zone,
	"arrived_at" timestamp with time zone,
	"departed_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"details_deleted_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "placement_requests_reference_unique" UNIQUE("reference")
);
--> statement-breakpoint
CREATE TABLE "placement_responses" (
	"request_id" integer NOT NULL,
	"organisation_id" integer NOT NULL,
	"seen_at" timestamp with time zone,
	"declined_at" timestamp with time zone,
	"decline_reason" "decline_reason",
	CONSTRAINT "placement_responses_request_id_organisation_id_pk" PRIMARY KEY("request_id","organisation_id")
);
--> statement-breakpoint
ALTER TABLE "regions" ADD COLUMN "quota_out_of_region_percent" smallint;--> statement-breakpoint
ALTER TABLE "regions" ADD COLUMN "quota_mode" "quota_mode" DEFAULT 'warn' NOT NULL;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "held_for_request_id" integer;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "placement_request_id" integer;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "origin_region_id" integer;--> statement-breakpoint
ALTER TABLE "placement_offers" ADD CONSTRAINT "placement_offers_request_id_placement_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."placement_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_offers" ADD CONSTRAINT "placement_offers_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_offers" ADD CONSTRAINT "placement_offers_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_offers" ADD CONSTRAINT "placement_offers_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_requests" ADD CONSTRAINT "placement_requests_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_requests" ADD CONSTRAINT "placement_requests_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_requests" ADD CONSTRAINT "placement_requests_origin_region_id_regions_id_fk" FOREIGN KEY ("origin_region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_requests" ADD CONSTRAINT "placement_requests_claimed_by_user_id_users_id_fk" FOREIGN KEY ("claimed_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_requests" ADD CONSTRAINT "placement_requests_destination_region_id_regions_id_fk" FOREIGN KEY ("destination_region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_responses" ADD CONSTRAINT "placement_responses_request_id_placement_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."placement_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placement_responses" ADD CONSTRAINT "placement_responses_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "placement_offers_request_idx" ON "placement_offers" USING btree ("request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "placement_offers_unit_offered_idx" ON "placement_offers" USING btree ("unit_id") WHERE "placement_offers"."status" = 'offered';--> statement-breakpoint
CREATE INDEX "placement_requests_status_idx" ON "placement_requests" USING btree ("status");--> statement-breakpoint
CREATE INDEX "placement_requests_ended_idx" ON "placement_requests" USING btree ("ended_at");--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_origin_region_id_regions_id_fk" FOREIGN KEY ("origin_region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;