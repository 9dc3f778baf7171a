import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("timers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("subject_type", "text", (c) => c.notNull())
    .addColumn("subject_id", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("calendar_id", "text")
    .addColumn("calendar", types.json)
    .addColumn("started_at", types.timestamp)
    .addColumn("budget_ms", "bigint")
    .addColumn("warn_ms", "bigint")
    .addColumn("elapsed_ms", "bigint", (c) => c.notNull())
    .addColumn("running_since", types.timestamp)
    .addColumn("target_at", types.timestamp)
    .addColumn("due_at", types.timestamp)
    .addColumn("warn_at", types.timestamp)
    .addColumn("warned_at", types.timestamp)
    .addColumn("fired_at", types.timestamp)
    .addColumn("generation", "integer", (c) => c.notNull())
    .addColumn("payload", types.json)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .addUniqueConstraint("timers_subject_name", ["subject_type", "subject_id", "name"])
    .execute();
  // A calendar change recomputes the timers counting on it.
  await db.schema.createIndex("timers_calendar").on("timers").columns(["calendar_id", "status"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("timers").execute();
}
