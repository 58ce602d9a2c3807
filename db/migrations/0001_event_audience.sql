ALTER TABLE "events" ALTER COLUMN "organisation_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "region_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "audience_roles" "role"[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "audience_organisations" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "audience_regions" integer[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
CREATE INDEX "events_type_at_idx" ON "events" USING btree ("type","at");--> statement-breakpoint
CREATE INDEX "events_at_idx" ON "events" USING btree ("at");--> statement-breakpoint
-- Events written before audiences existed: unit changes went to every unit-level role and
-- (as aggregates) to the region's municipality; location confirmations to unit-level roles.
UPDATE "events" SET "audience_roles" = '{vo_worker,vo_planner,coordinator,admin}',
  "audience_regions" = CASE WHEN "type" LIKE 'unit.%' THEN ARRAY["region_id"] ELSE '{}' END;
