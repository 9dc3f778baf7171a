import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("status_components")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("group_name", "text")
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("monitor_ids", types.json, (c) => c.notNull())
    .addColumn("organization_ids", types.json, (c) => c.notNull())
    .addColumn("override_status", "text")
    .addColumn("override_until", types.timestamp)
    .addColumn("override_reason", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("maintenance_windows")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("starts_at", types.timestamp, (c) => c.notNull())
    .addColumn("ends_at", types.timestamp, (c) => c.notNull())
    .addColumn("timezone", "text", (c) => c.notNull())
    .addColumn("rrule", "text")
    .addColumn("component_ids", types.json, (c) => c.notNull())
    .addColumn("mode", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("occurrence_start", types.timestamp)
    .addColumn("warnings", types.json, (c) => c.notNull())
    .addColumn("announced_at", types.timestamp, (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("maintenance_windows_state").on("maintenance_windows").columns(["state"]).execute();
  await db.schema
    .createTable("status_subscriptions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("component_ids", types.json, (c) => c.notNull())
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("token_hash", "text", (c) => c.notNull().unique())
    .addColumn("token_sealed", "text", (c) => c.notNull())
    .addColumn("confirmed_at", types.timestamp)
    .addColumn("unsubscribed_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("status_subscriptions_email").on("status_subscriptions").columns(["email"]).execute();
  await db.schema
    .createTable("change_records")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("validation", "text", (c) => c.notNull())
    .addColumn("validated_at", types.timestamp)
    .addColumn("window_id", "text")
    .addColumn("applied_at", types.timestamp)
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("outside_window_reason", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("change_records_kind").on("change_records").columns(["kind", "applied_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["change_records", "status_subscriptions", "maintenance_windows", "status_components"])
    await db.schema.dropTable(t).execute();
}
