import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // Human ticket numbers come from a counter row incremented with UPDATE ... RETURNING: the row lock
  // serialises concurrent creations on PostgreSQL, and SQLite has a single writer anyway.
  await db.schema
    .createTable("counters")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "bigint", (c) => c.notNull())
    .execute();
  await db.insertInto("counters").values({ name: "ticket_number", value: 0 }).execute();

  await db.schema
    .createTable("tickets")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("number", "bigint", (c) => c.notNull().unique())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("requester_user_id", "text", (c) => c.references("users.id"))
    .addColumn("requester_contact", types.json, (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("severity", "text", (c) => c.notNull())
    .addColumn("tier", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("assignee_user_id", "text", (c) => c.references("users.id"))
    .addColumn("team", "text")
    .addColumn("tags", types.json, (c) => c.notNull())
    .addColumn("merged_into_id", "text", (c) => c.references("tickets.id"))
    .addColumn("first_response_at", types.timestamp)
    .addColumn("resolved_at", types.timestamp)
    .addColumn("closed_at", types.timestamp)
    .addColumn("sla_due_at", types.timestamp)
    .addColumn("sla_breached", types.boolean, (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  // The open queue: filter by status (and usually organization or assignee), newest first by id.
  await db.schema.createIndex("tickets_status_id").on("tickets").columns(["status", "id"]).execute();
  await db.schema.createIndex("tickets_organization_id").on("tickets").columns(["organization_id", "id"]).execute();
  await db.schema
    .createIndex("tickets_assignee_status")
    .on("tickets")
    .columns(["assignee_user_id", "status", "id"])
    .execute();
  await db.schema.createIndex("tickets_sla_due_at").on("tickets").column("sla_due_at").execute();

  await db.schema
    .createTable("ticket_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id"))
    .addColumn("author_user_id", "text", (c) => c.references("users.id"))
    .addColumn("author_kind", "text", (c) => c.notNull())
    .addColumn("visibility", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("ticket_messages_ticket").on("ticket_messages").columns(["ticket_id", "id"]).execute();

  await db.schema
    .createTable("ticket_history")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id"))
    .addColumn("at", types.timestamp, (c) => c.notNull())
    .addColumn("actor_user_id", "text")
    .addColumn("field", "text", (c) => c.notNull())
    .addColumn("before_value", "text")
    .addColumn("after_value", "text")
    .execute();
  await db.schema.createIndex("ticket_history_ticket").on("ticket_history").columns(["ticket_id", "id"]).execute();

  // What the SLA engine announced about a ticket's clocks; the key makes each announcement happen once.
  await db.schema
    .createTable("sla_events")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id"))
    .addColumn("clock", "text", (c) => c.notNull())
    .addColumn("tier", "text")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("at", types.timestamp, (c) => c.notNull())
    .addColumn("dedupe_key", "text", (c) => c.notNull().unique())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sla_events_ticket").on("sla_events").columns(["ticket_id", "at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["sla_events", "ticket_history", "ticket_messages", "tickets", "counters"])
    await db.schema.dropTable(t).execute();
}
