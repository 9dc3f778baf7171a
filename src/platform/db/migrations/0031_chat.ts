import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("chat_sites")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("secret", "text", (c) => c.notNull())
    .addColumn("visitors", "text", (c) => c.notNull())
    .addColumn("calendar", "text")
    .addColumn("origins", types.json, (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("chat_conversations")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("site_id", "text", (c) => c.notNull().references("chat_sites.id"))
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("visitor_id", "text", (c) => c.notNull())
    .addColumn("visitor_name", "text", (c) => c.notNull())
    .addColumn("visitor_email", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("assignee_user_id", "text", (c) => c.references("users.id"))
    .addColumn("ticket_id", "text", (c) => c.references("tickets.id"))
    .addColumn("last_seq", "integer", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .addColumn("closed_at", types.timestamp)
    .execute();
  await db.schema
    .createIndex("chat_conversations_visitor")
    .on("chat_conversations")
    .columns(["site_id", "visitor_id", "status"])
    .execute();
  await db.schema
    .createIndex("chat_conversations_status")
    .on("chat_conversations")
    .columns(["status", "updated_at"])
    .execute();

  await db.schema
    .createTable("chat_events")
    .addColumn("conversation_id", "text", (c) => c.notNull().references("chat_conversations.id"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("author_kind", "text", (c) => c.notNull())
    .addColumn("author_user_id", "text", (c) => c.references("users.id"))
    .addColumn("author_name", "text", (c) => c.notNull())
    .addColumn("client_id", "text")
    .addColumn("body", "text")
    .addColumn("attachment", types.json)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("chat_events_pk", ["conversation_id", "seq"])
    .execute();
  // Posting is idempotent: the same client message id from the same side is one event.
  await db.schema
    .createIndex("chat_events_client_id")
    .on("chat_events")
    .columns(["conversation_id", "author_kind", "client_id"])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["chat_events", "chat_conversations", "chat_sites"]) await db.schema.dropTable(t).execute();
}
