import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("pbx_connections")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("host", "text", (c) => c.notNull())
    .addColumn("port", "integer", (c) => c.notNull())
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("enabled", types.boolean, (c) => c.notNull())
    .addColumn("extensions", types.json, (c) => c.notNull())
    .addColumn("originate_context", "text", (c) => c.notNull())
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", types.timestamp)
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("last_error", "text")
    .addColumn("connected_at", types.timestamp)
    .addColumn("created_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("calls")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("external_id", "text", (c) => c.notNull().unique())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("pbx_connection_id", "text", (c) => c.references("pbx_connections.id"))
    .addColumn("direction", "text", (c) => c.notNull())
    .addColumn("from_number", "text", (c) => c.notNull())
    .addColumn("to_number", "text", (c) => c.notNull())
    .addColumn("caller_key", "text")
    .addColumn("queue", "text")
    .addColumn("organization_id", "text", (c) => c.references("organizations.id"))
    .addColumn("contact", types.json)
    .addColumn("agent_user_id", "text", (c) => c.references("users.id"))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("ringing_at", types.timestamp)
    .addColumn("answered_at", types.timestamp)
    .addColumn("ended_at", types.timestamp)
    .addColumn("duration_seconds", "integer")
    .addColumn("recording_url", "text")
    .addColumn("ticket_id", "text", (c) => c.references("tickets.id"))
    .addColumn("message_id", "text")
    .addColumn("callback_status", "text")
    .addColumn("callback_due_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("calls_organization").on("calls").columns(["organization_id", "id"]).execute();
  await db.schema.createIndex("calls_ticket").on("calls").columns(["ticket_id"]).execute();

  await db.schema
    .createTable("call_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("call_id", "text", (c) => c.notNull().references("calls.id"))
    .addColumn("event_key", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("at", types.timestamp, (c) => c.notNull())
    .addColumn("payload", types.json, (c) => c.notNull())
    .addColumn("received_at", types.timestamp, (c) => c.notNull())
    .addUniqueConstraint("call_events_once", ["call_id", "event_key"])
    .execute();
}
