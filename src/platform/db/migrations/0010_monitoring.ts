import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

const AGGREGATES = ["monitor_minutes", "monitor_hours", "monitor_days"] as const;

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("monitors")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.references("organizations.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull())
    .addColumn("interval_seconds", "integer", (c) => c.notNull())
    .addColumn("timeout_seconds", "integer", (c) => c.notNull())
    .addColumn("retries", "integer", (c) => c.notNull())
    .addColumn("failure_threshold", "integer", (c) => c.notNull())
    .addColumn("success_threshold", "integer", (c) => c.notNull())
    .addColumn("settings", types.json, (c) => c.notNull())
    .addColumn("parent_id", "text", (c) => c.references("monitors.id"))
    .addColumn("group_id", "text", (c) => c.references("monitors.id"))
    .addColumn("enabled", types.boolean, (c) => c.notNull())
    .addColumn("push_token_hash", "text", (c) => c.unique())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  // Dependents of a parent and members of a group, looked up on every change of their state.
  await db.schema.createIndex("monitors_parent_id").on("monitors").column("parent_id").execute();
  await db.schema.createIndex("monitors_group_id").on("monitors").column("group_id").execute();

  await db.schema
    .createTable("monitor_states")
    .addColumn("monitor_id", "text", (c) => c.primaryKey().references("monitors.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("message", "text")
    .addColumn("since", types.timestamp, (c) => c.notNull())
    .addColumn("flapping", types.boolean, (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .addColumn("last_check_at", types.timestamp)
    .addColumn("last_latency_ms", "real")
    .execute();

  await db.schema
    .createTable("monitor_intervals")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("monitor_id", "text", (c) => c.notNull().references("monitors.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("message", "text")
    .addColumn("started_at", types.timestamp, (c) => c.notNull())
    .addColumn("ended_at", types.timestamp)
    .execute();
  // A monitor's history newest first (ids are time-ordered), and the intervals overlapping a window.
  await db.schema
    .createIndex("monitor_intervals_monitor_id")
    .on("monitor_intervals")
    .columns(["monitor_id", "id"])
    .execute();
  await db.schema
    .createIndex("monitor_intervals_monitor_started")
    .on("monitor_intervals")
    .columns(["monitor_id", "started_at"])
    .execute();

  await db.schema
    .createTable("monitor_pushes")
    .addColumn("monitor_id", "text", (c) => c.primaryKey().references("monitors.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("message", "text")
    .addColumn("latency_ms", "real")
    .addColumn("pushed_at", types.timestamp, (c) => c.notNull())
    .execute();

  // No foreign key: a batch of a minute's rows must not fail because one monitor was deleted meanwhile.
  for (const table of AGGREGATES) {
    await db.schema
      .createTable(table)
      .addColumn("monitor_id", "text", (c) => c.notNull())
      .addColumn("bucket", types.timestamp, (c) => c.notNull())
      .addColumn("checks", "integer", (c) => c.notNull())
      .addColumn("failures", "integer", (c) => c.notNull())
      .addColumn("latency_count", "integer", (c) => c.notNull())
      .addColumn("latency_min", "real")
      .addColumn("latency_avg", "real")
      .addColumn("latency_max", "real")
      .addColumn("latency_p95", "real")
      .addPrimaryKeyConstraint(`${table}_pk`, ["monitor_id", "bucket"])
      .execute();
  }

  await db.schema
    .createTable("monitor_shards")
    .addColumn("shard", "integer", (c) => c.primaryKey())
    .addColumn("owner", "text")
    .addColumn("lease_until", types.timestamp)
    .execute();
  await db.schema
    .createTable("monitor_nodes")
    .addColumn("node_id", "text", (c) => c.primaryKey())
    .addColumn("seen_at", types.timestamp, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "monitor_nodes",
    "monitor_shards",
    ...AGGREGATES,
    "monitor_pushes",
    "monitor_intervals",
    "monitor_states",
    "monitors",
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
