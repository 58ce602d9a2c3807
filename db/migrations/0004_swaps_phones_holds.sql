CREATE TYPE "public"."swap_decision" AS ENUM('pending', 'accepted', 'declined');--> statement-breakpoint
CREATE TYPE "public"."swap_fall_reason" AS ENUM('declined', 'expired', 'unit_changed', 'request_closed', 'request_changed');--> statement-breakpoint
CREATE TYPE "public"."swap_proposal_status" AS ENUM('open', 'executed', 'fallen');--> statement-breakpoint
CREATE TABLE "swap_parties" (
	"proposal_id" integer NOT NULL,
	"position" smallint NOT NULL,
	"request_id" integer NOT NULL,
	"organisation_id" integer NOT NULL,
	"gives_unit_id" integer NOT NULL,
	"gives_unit_version" integer NOT NULL,
	"receives_unit_id" integer NOT NULL,
	"decision" "swap_decision" DEFAULT 'pending' NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by_user_id" integer,
	CONSTRAINT "swap_parties_proposal_id_request_id_pk" PRIMARY KEY("proposal_id","request_id")
);
--> statement-breakpoint
CREATE TABLE "swap_proposals" (
	"id" serial PRIMARY KEY NOT NULL,
	"status" "swap_proposal_status" DEFAULT 'open' NOT NULL,
	"reason" "swap_fall_reason",
	"deadline" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "locations" ADD COLUMN "intake_phone" text;--> statement-breakpoint
ALTER TABLE "placement_requests" ADD COLUMN "swap_unit_id" integer;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "hold_extensions" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "swap_parties" ADD CONSTRAINT "swap_parties_proposal_id_swap_proposals_id_fk" FOREIGN KEY ("proposal_id") REFERENCES "public"."swap_proposals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swap_parties" ADD CONSTRAINT "swap_parties_request_id_placement_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."placement_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swap_parties" ADD CONSTRAINT "swap_parties_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swap_parties" ADD CONSTRAINT "swap_parties_gives_unit_id_units_id_fk" FOREIGN KEY ("gives_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swap_parties" ADD CONSTRAINT "swap_parties_receives_unit_id_units_id_fk" FOREIGN KEY ("receives_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "swap_parties" ADD CONSTRAINT "swap_parties_decided_by_user_id_users_id_fk" FOREIGN KEY ("decided_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "swap_parties_request_idx" ON "swap_parties" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "swap_proposals_status_idx" ON "swap_proposals" USING btree ("status");--> statement-breakpoint
ALTER TABLE "placement_requests" ADD CONSTRAINT "placement_requests_swap_unit_id_units_id_fk" FOREIGN KEY ("swap_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;