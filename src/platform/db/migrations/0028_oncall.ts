import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("oncall_rotations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("team", "text")
    .addColumn("timezone", "text", (c) => c.notNull())
    .addColumn("holiday_calendar", "text")
    .addColumn("layers", types.json, (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("oncall_overrides")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("rotation_id", "text", (c) => c.notNull().references("oncall_rotations.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("starts_at", types.timestamp, (c) => c.notNull())
    .addColumn("ends_at", types.timestamp, (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("oncall_overrides_rotation_ends")
    .on("oncall_overrides")
    .columns(["rotation_id", "ends_at"])
    .execute();

  await db.schema
    .createTable("escalation_policies")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("default_for", "text", (c) => c.unique())
    .addColumn("steps", types.json, (c) => c.notNull())
    .addColumn("repeat", "integer", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("open_key", "text", (c) => c.unique())
    .addColumn("policy_id", "text")
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("url", "text")
    .addColumn("summary", "text")
    .addColumn("customers", types.json, (c) => c.notNull())
    .addColumn("steps", types.json, (c) => c.notNull())
    .addColumn("repeat", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("step", "integer", (c) => c.notNull())
    .addColumn("round", "integer", (c) => c.notNull())
    .addColumn("escalated_at", types.timestamp)
    .addColumn("exhausted_at", types.timestamp)
    .addColumn("acknowledged_at", types.timestamp)
    .addColumn("acknowledged_by", "text")
    .addColumn("resolved_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("pages_subject").on("pages").columns(["subject_type", "subject_id"]).execute();
  await db.schema.createIndex("pages_status_id").on("pages").columns(["status", "id"]).execute();

  await db.schema
    .createTable("page_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("page_id", "text", (c) => c.notNull().references("pages.id"))
    .addColumn("step", "integer", (c) => c.notNull())
    .addColumn("round", "integer", (c) => c.notNull())
    .addColumn("user_id", "text")
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("notification_ids", types.json, (c) => c.notNull())
    .addColumn("link_used_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("page_deliveries_page")
    .on("page_deliveries")
    .columns(["page_id", "round", "step"])
    .execute();
  await db.schema
    .createIndex("page_deliveries_user_page")
    .on("page_deliveries")
    .columns(["user_id", "page_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["page_deliveries", "pages", "escalation_policies", "oncall_overrides", "oncall_rotations"])
    await db.schema.dropTable(t).execute();
}
