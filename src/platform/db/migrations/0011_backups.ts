import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("backup_jobs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("source", types.json, (c) => c.notNull())
    .addColumn("repository_url", "text", (c) => c.notNull())
    .addColumn("secrets", "text", (c) => c.notNull())
    .addColumn("schedule", types.json, (c) => c.notNull())
    .addColumn("hooks", types.json, (c) => c.notNull())
    .addColumn("data_class", "text", (c) => c.notNull())
    .addColumn("rpo_minutes", "integer", (c) => c.notNull())
    .addColumn("rto_minutes", "integer", (c) => c.notNull())
    .addColumn("enabled", types.boolean, (c) => c.notNull())
    .addColumn("check_cursor", "integer", (c) => c.notNull())
    .addColumn("rpo_alerted_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("backup_runs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("job_id", "text", (c) => c.notNull().references("backup_jobs.id"))
    .addColumn("operation", "text", (c) => c.notNull())
    .addColumn("kind", "text")
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("error", "text")
    .addColumn("snapshot_id", "text")
    .addColumn("details", types.json)
    .addColumn("manifest", types.json)
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("started_at", types.timestamp)
    .addColumn("finished_at", types.timestamp)
    .addColumn("duration_ms", "integer")
    .execute();
  // The history of one job, newest first; and its newest successful backup (the RPO's restorable point).
  await db.schema.createIndex("backup_runs_job_id").on("backup_runs").columns(["job_id", "id"]).execute();

  await db.schema
    .createTable("backup_restore_tests")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("job_id", "text", (c) => c.notNull().references("backup_jobs.id"))
    .addColumn("snapshot_id", "text")
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("checks", types.json, (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("finished_at", types.timestamp)
    .addColumn("duration_ms", "integer")
    .execute();
  await db.schema
    .createIndex("backup_restore_tests_job_id")
    .on("backup_restore_tests")
    .columns(["job_id", "id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["backup_restore_tests", "backup_runs", "backup_jobs"]) await db.schema.dropTable(t).execute();
}
