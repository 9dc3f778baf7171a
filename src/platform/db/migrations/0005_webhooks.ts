import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("webhooks")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("event_types", types.json, (c) => c.notNull())
    .addColumn("organization_id", "text", (c) => c.references("organizations.id"))
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("enabled", types.boolean, (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("webhook_deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("webhook_id", "text", (c) => c.notNull().references("webhooks.id"))
    .addColumn("event_id", "bigint", (c) => c.notNull().references("events.id"))
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("last_status_code", "integer")
    .addColumn("last_error", "text")
    .addColumn("response_ms", "integer")
    .addColumn("next_attempt_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    // One delivery per webhook and event, whichever node fans the event out first.
    .addUniqueConstraint("webhook_deliveries_webhook_event", ["webhook_id", "event_id"])
    .execute();
  // The delivery log of one webhook, newest first by id.
  await db.schema
    .createIndex("webhook_deliveries_webhook_id")
    .on("webhook_deliveries")
    .columns(["webhook_id", "id"])
    .execute();

  // Events up to here predate every webhook: fan-out catch-up starts after them.
  await sql`INSERT INTO settings (key, value, updated_at)
    SELECT 'webhooks_fanout_cursor', CAST(COALESCE(MAX(id), 0) AS text), ${new Date().toISOString()} FROM events`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom("settings").where("key", "=", "webhooks_fanout_cursor").execute();
  for (const t of ["webhook_deliveries", "webhooks"]) await db.schema.dropTable(t).execute();
}
