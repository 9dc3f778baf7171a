import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // The current content of each runbook; every saved edit is also kept whole in runbook_versions.
  await db.schema
    .createTable("runbooks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("monitor_id", "text")
    .addColumn("steps", types.json, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("runbook_versions")
    .addColumn("runbook_id", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("monitor_id", "text")
    .addColumn("steps", types.json, (c) => c.notNull())
    .addColumn("author_user_id", "text")
    .addColumn("author_label", "text")
    .addColumn("comment", "text", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("runbook_versions_pk", ["runbook_id", "version"])
    .execute();

  // Drills keep a copy of the runbook they ran, so deleting or editing the runbook leaves their record whole.
  await db.schema
    .createTable("drills")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("runbook_id", "text", (c) => c.notNull())
    .addColumn("runbook_version", "integer", (c) => c.notNull())
    .addColumn("runbook_name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("rto_minutes", "double precision", (c) => c.notNull())
    .addColumn("notes", "text", (c) => c.notNull())
    .addColumn("started_by_user_id", "text")
    .addColumn("started_by_label", "text", (c) => c.notNull())
    .addColumn("started_at", types.timestamp, (c) => c.notNull())
    .addColumn("finished_at", types.timestamp)
    .execute();
  // A runbook's drills, newest first; also answers "is one of them running?".
  await db.schema.createIndex("drills_runbook_id").on("drills").columns(["runbook_id", "id"]).execute();

  await db.schema
    .createTable("drill_steps")
    .addColumn("drill_id", "text", (c) => c.notNull().references("drills.id"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("owner_role", "text")
    .addColumn("owner_user_id", "text")
    .addColumn("expected_minutes", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("started_at", types.timestamp)
    .addColumn("finished_at", types.timestamp)
    .addColumn("note", "text", (c) => c.notNull())
    .addColumn("marked_by_label", "text")
    .addPrimaryKeyConstraint("drill_steps_pk", ["drill_id", "position"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom("settings").where("key", "=", "runbooks_seeded").execute();
  for (const t of ["drill_steps", "drills", "runbook_versions", "runbooks"]) await db.schema.dropTable(t).execute();
}
