import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("notifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("template", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("params", types.json, (c) => c.notNull())
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.references("users.id"))
    .addColumn("organization_id", "text", (c) => c.references("organizations.id"))
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("flavour", "text")
    .addColumn("thread", "text")
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("next_attempt_at", types.timestamp)
    .addColumn("last_error", "text")
    .addColumn("provider_message_id", "text")
    .addColumn("sent_at", types.timestamp)
    .addColumn("read_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  // The delivery log, newest first, by status, channel or recipient.
  await db.schema.createIndex("notifications_status_id").on("notifications").columns(["status", "id"]).execute();
  await db.schema.createIndex("notifications_channel_id").on("notifications").columns(["channel", "id"]).execute();
  await db.schema.createIndex("notifications_recipient_id").on("notifications").columns(["recipient", "id"]).execute();
  // A user's notification centre and its unread count.
  await db.schema
    .createIndex("notifications_user_channel_id")
    .on("notifications")
    .columns(["user_id", "channel", "id"])
    .execute();

  await db.schema
    .createTable("notification_preferences")
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("enabled", types.boolean, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("notification_preferences_pk", ["user_id", "kind", "channel"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["notification_preferences", "notifications"]) await db.schema.dropTable(t).execute();
}
