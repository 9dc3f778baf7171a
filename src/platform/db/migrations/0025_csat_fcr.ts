import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // One satisfaction survey per resolution of a ticket: a reopened ticket resolved again gets another.
  await db.schema
    .createTable("csat_surveys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id"))
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("resolved_at", types.timestamp, (c) => c.notNull())
    .addColumn("recipient_user_id", "text", (c) => c.references("users.id"))
    .addColumn("recipient_email", "text")
    .addColumn("agent_user_id", "text", (c) => c.references("users.id"))
    .addColumn("team", "text")
    .addColumn("tier", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("expires_at", types.timestamp, (c) => c.notNull())
    .addColumn("reminded_at", types.timestamp)
    .addColumn("rating", "integer")
    .addColumn("comment", "text")
    .addColumn("rated_at", types.timestamp)
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("csat_surveys_ticket").on("csat_surveys").columns(["ticket_id", "id"]).execute();
  // The report reads ratings by when they were given.
  await db.schema.createIndex("csat_surveys_rated_at").on("csat_surveys").columns(["rated_at"]).execute();

  await db.schema
    .createTable("csat_settings")
    .addColumn("organization_id", "text", (c) => c.primaryKey().references("organizations.id"))
    .addColumn("surveys_enabled", types.boolean, (c) => c.notNull())
    .addColumn("updated_by", "text", (c) => c.references("users.id"))
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  // First-contact resolution: every contact session a customer started, on which channel.
  await db.schema
    .createTable("ticket_contacts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id"))
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("ticket_contacts_ticket").on("ticket_contacts").columns(["ticket_id", "at"]).execute();
  // Repeat contacts: the same organization on the same type after a resolution.
  await db.schema
    .createIndex("ticket_contacts_org_type_at")
    .on("ticket_contacts")
    .columns(["organization_id", "type", "at"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["ticket_contacts", "csat_settings", "csat_surveys"]) await db.schema.dropTable(t).execute();
}
