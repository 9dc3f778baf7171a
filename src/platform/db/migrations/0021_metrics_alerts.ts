import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types, serialId } = dialectOf(db);
  await db.schema
    .createTable("scrape_targets")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("url", "text")
    .addColumn("interval_seconds", "integer", (c) => c.notNull())
    .addColumn("timeout_seconds", "integer", (c) => c.notNull())
    .addColumn("labels", types.json, (c) => c.notNull())
    .addColumn("max_series", "integer", (c) => c.notNull())
    .addColumn("max_bytes", "integer", (c) => c.notNull())
    .addColumn("enabled", types.boolean, (c) => c.notNull())
    .addColumn("last_scrape_at", types.timestamp)
    .addColumn("last_duration_ms", "integer")
    .addColumn("last_samples", "integer")
    .addColumn("last_error", "text")
    .addColumn("series_count", "integer", (c) => c.notNull())
    .addColumn("series_capped", types.boolean, (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await serialId(db.schema.createTable("metric_series"))
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("metric", "text", (c) => c.notNull())
    .addColumn("labels", types.json, (c) => c.notNull())
    .addColumn("labels_key", "text", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("last_seen_at", types.timestamp, (c) => c.notNull())
    .addUniqueConstraint("metric_series_key", ["target_id", "metric", "labels_key"])
    .execute();
  await db.schema.createIndex("metric_series_metric").on("metric_series").columns(["metric", "id"]).execute();

  // Time as integer milliseconds: samples are the one high-volume table, where an ISO string would double the row.
  await db.schema
    .createTable("metric_samples")
    .addColumn("series_id", "bigint", (c) => c.notNull())
    .addColumn("t", "bigint", (c) => c.notNull())
    .addColumn("value", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint("metric_samples_pk", ["series_id", "t"])
    .execute();
  await db.schema
    .createTable("metric_rollups")
    .addColumn("series_id", "bigint", (c) => c.notNull())
    .addColumn("resolution", "integer", (c) => c.notNull())
    .addColumn("t", "bigint", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("sum", "double precision", (c) => c.notNull())
    .addColumn("min", "double precision", (c) => c.notNull())
    .addColumn("max", "double precision", (c) => c.notNull())
    .addColumn("last", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint("metric_rollups_pk", ["series_id", "resolution", "t"])
    .execute();

  await db.schema
    .createTable("alert_rules")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("monitor_id", "text")
    .addColumn("expression", types.json)
    .addColumn("for_seconds", "integer", (c) => c.notNull())
    .addColumn("keep_firing_for_seconds", "integer", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("labels", types.json, (c) => c.notNull())
    .addColumn("annotations", types.json, (c) => c.notNull())
    .addColumn("enabled", types.boolean, (c) => c.notNull())
    .addColumn("builtin", types.boolean, (c) => c.notNull())
    .addColumn("last_evaluated_at", types.timestamp)
    .addColumn("last_error", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("alerts")
    .addColumn("fingerprint", "text", (c) => c.primaryKey())
    .addColumn("rule_id", "text")
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("labels", types.json, (c) => c.notNull())
    .addColumn("annotations", types.json, (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("active_since", types.timestamp)
    .addColumn("fired_at", types.timestamp)
    .addColumn("last_true_at", types.timestamp)
    .addColumn("resolved_at", types.timestamp)
    .addColumn("ends_at", types.timestamp)
    .addColumn("value", "double precision")
    .addColumn("generator_url", "text")
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("alerts_rule_id").on("alerts").column("rule_id").execute();
  await db.schema.createIndex("alerts_state").on("alerts").columns(["state", "updated_at"]).execute();

  await db.schema
    .createTable("alert_history")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("fingerprint", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("value", "double precision")
    .addColumn("at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("alert_history_fingerprint").on("alert_history").columns(["fingerprint", "id"]).execute();

  await db.schema
    .createTable("silences")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("matchers", types.json, (c) => c.notNull())
    .addColumn("starts_at", types.timestamp, (c) => c.notNull())
    .addColumn("ends_at", types.timestamp, (c) => c.notNull())
    .addColumn("comment", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("silences_ends_at").on("silences").column("ends_at").execute();

  await db.schema
    .createTable("alert_receivers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("targets", types.json, (c) => c.notNull())
    .addColumn("send_resolved", types.boolean, (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("alert_routing")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("route", types.json, (c) => c.notNull())
    .addColumn("inhibit_rules", types.json, (c) => c.notNull())
    .addColumn("mute_intervals", types.json, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("alert_groups")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("route_id", "text", (c) => c.notNull())
    .addColumn("receiver", "text", (c) => c.notNull())
    .addColumn("labels", types.json, (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("last_flush_at", types.timestamp)
    .addColumn("last_notified_at", types.timestamp)
    .addColumn("notified_firing", types.json, (c) => c.notNull())
    .addColumn("next_flush_at", types.timestamp)
    .execute();
  await db.schema.createIndex("alert_groups_next_flush_at").on("alert_groups").column("next_flush_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    "alert_groups",
    "alert_routing",
    "alert_receivers",
    "silences",
    "alert_history",
    "alerts",
    "alert_rules",
    "metric_rollups",
    "metric_samples",
    "metric_series",
    "scrape_targets",
  ])
    await db.schema.dropTable(t).execute();
}
