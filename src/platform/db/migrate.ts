import { type Kysely, type Migration, type MigrationResultSet, Migrator } from "kysely";
import * as m0001 from "./migrations/0001_platform.js";
import * as m0002 from "./migrations/0002_identity.js";
import * as m0003 from "./migrations/0003_plan.js";
import * as m0004 from "./migrations/0004_tickets.js";
import * as m0005 from "./migrations/0005_webhooks.js";
import * as m0006 from "./migrations/0006_ticket_search.js";
import * as m0007 from "./migrations/0007_ticket_links.js";
import * as m0008 from "./migrations/0008_attachments.js";
import * as m0009 from "./migrations/0009_ticket_watchers.js";
import * as m0010 from "./migrations/0010_monitoring.js";
import * as m0011 from "./migrations/0011_backups.js";
import * as m0012 from "./migrations/0012_runbooks.js";
import * as m0013 from "./migrations/0013_ticket_policies.js";
import * as m0014 from "./migrations/0014_ticket_number_sequence.js";
import * as m0015 from "./migrations/0015_ticket_search_direct_updates.js";
import * as m0016 from "./migrations/0016_timers.js";
import * as m0017 from "./migrations/0017_notifications.js";
import * as m0018 from "./migrations/0018_event_fanout.js";
import * as m0019 from "./migrations/0019_monitoring_scale.js";
import * as m0021 from "./migrations/0021_metrics_alerts.js";
import * as m0022 from "./migrations/0022_notification_batches.js";
import * as m0023 from "./migrations/0023_ticket_console.js";
import * as m0024 from "./migrations/0024_ticket_console.js";
import * as m0025 from "./migrations/0025_csat_fcr.js";
import * as m0026 from "./migrations/0026_monitor_severity.js";
import * as m0027 from "./migrations/0027_incidents.js";
import * as m0028 from "./migrations/0028_oncall.js";
import * as m0029 from "./migrations/0029_status.js";
import * as m0030 from "./migrations/0030_mail_intake.js";
import * as m0031 from "./migrations/0031_chat.js";
import * as m0032 from "./migrations/0032_telephony.js";
import * as m0033 from "./migrations/0033_scheduled_calls.js";
import * as m0034 from "./migrations/0034_kb.js";
import * as m0035 from "./migrations/0035_kb_more.js";
import * as m0037 from "./migrations/0037_status_events.js";
import * as m0038 from "./migrations/0038_kb_search_postings.js";
import * as m0039 from "./migrations/0039_metrics_key_order.js";
import * as m0041 from "./migrations/0041_chat_rate_buckets.js";
import * as m0044 from "./migrations/0044_ticket_queue_counts.js";
import * as m0045 from "./migrations/0045_metric_hour_blocks.js";
import * as m0046 from "./migrations/0046_metric_frames.js";
import * as m0047 from "./migrations/0047_kb_attachments.js";
import * as m0048 from "./migrations/0048_ticket_open_groups.js";
import * as m0049 from "./migrations/0049_kb_reindex_linking.js";

/** Every migration, in order. Imported statically so the compiled build needs no directory scan. */
export const migrations: Record<string, Migration> = {
  "0001_platform": m0001,
  "0002_identity": m0002,
  "0003_plan": m0003,
  "0004_tickets": m0004,
  "0005_webhooks": m0005,
  "0006_ticket_search": m0006,
  "0007_ticket_links": m0007,
  "0008_attachments": m0008,
  "0009_ticket_watchers": m0009,
  "0010_monitoring": m0010,
  "0011_backups": m0011,
  "0012_runbooks": m0012,
  "0013_ticket_policies": m0013,
  "0014_ticket_number_sequence": m0014,
  "0015_ticket_search_direct_updates": m0015,
  "0016_timers": m0016,
  "0017_notifications": m0017,
  "0018_event_fanout": m0018,
  "0019_monitoring_scale": m0019,
  "0021_metrics_alerts": m0021,
  "0022_notification_batches": m0022,
  "0023_ticket_console": m0023,
  "0024_ticket_console": m0024,
  "0025_csat_fcr": m0025,
  "0026_monitor_severity": m0026,
  "0027_incidents": m0027,
  "0028_oncall": m0028,
  "0029_status": m0029,
  "0030_mail_intake": m0030,
  "0031_chat": m0031,
  "0032_telephony": m0032,
  "0033_scheduled_calls": m0033,
  "0034_kb": m0034,
  "0035_kb_more": m0035,
  "0037_status_events": m0037,
  "0038_kb_search_postings": m0038,
  "0039_metrics_key_order": m0039,
  "0041_chat_rate_buckets": m0041,
  "0044_ticket_queue_counts": m0044,
  "0045_metric_hour_blocks": m0045,
  "0046_metric_frames": m0046,
  "0047_kb_attachments": m0047,
  "0048_ticket_open_groups": m0048,
  "0049_kb_reindex_linking": m0049,
};

export const latestSchemaVersion = Object.keys(migrations).at(-1) ?? "";

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export class MigrationError extends Error {}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results }: MigrationResultSet = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new MigrationError(`migration ${failed} failed: ${(error as Error).message}`);
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

/**
 * The newest applied migration, or "" before the first. One indexed read, because /readyz and /api/v1/version
 * call it on every request; the migrator's own listing introspects every table first (5-20x slower).
 */
export async function schemaVersion(db: Kysely<any>): Promise<string> {
  try {
    const newest = await db
      .selectFrom("kysely_migration")
      .select("name")
      .orderBy("name", "desc")
      .limit(1)
      .executeTakeFirst();
    return newest?.name ?? "";
  } catch {
    // Before the first migration the table is missing; the migrator tells that apart from an unreachable database.
    const applied = await migrator(db).getMigrations();
    return applied.filter((m) => m.executedAt).at(-1)?.name ?? "";
  }
}
