import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // Addresses Plantão takes mail for: through its SMTP listener, or by polling the mailbox over IMAP.
  await db.schema
    .createTable("mailboxes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("address", "text", (c) => c.notNull().unique())
    .addColumn("organization_id", "text", (c) => c.references("organizations.id"))
    .addColumn("team", "text")
    .addColumn("imap", types.json)
    .addColumn("imap_password", "text")
    .addColumn("enabled", types.boolean, (c) => c.notNull())
    .addColumn("uid_validity", "text")
    .addColumn("last_uid", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("poll_owner", "text")
    .addColumn("poll_until", types.timestamp)
    .addColumn("last_polled_at", types.timestamp)
    .addColumn("last_error", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();

  // Every mail taken in, with where it went; the raw message is kept in the attachment store by its hash.
  await db.schema
    .createTable("mail_messages")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("mailbox_id", "text", (c) => c.notNull().references("mailboxes.id"))
    .addColumn("message_id", "text")
    .addColumn("via", "text", (c) => c.notNull())
    .addColumn("imap_uid", "text")
    .addColumn("sender", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("subject_key", "text", (c) => c.notNull())
    .addColumn("ticket_id", "text", (c) => c.references("tickets.id"))
    .addColumn("ticket_message_id", "text")
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("automatic", "text")
    .addColumn("quoted", "text")
    .addColumn("raw_sha256", "text")
    .addColumn("raw_size", "integer", (c) => c.notNull())
    .addColumn("received_at", types.timestamp, (c) => c.notNull())
    .execute();
  // One mail once per mailbox: a redelivery, or an IMAP fetch repeated after a dropped connection, is skipped.
  await db.schema
    .createIndex("mail_messages_mailbox_message_id")
    .on("mail_messages")
    .columns(["mailbox_id", "message_id"])
    .unique()
    .execute();
  await db.schema
    .createIndex("mail_messages_mailbox_uid")
    .on("mail_messages")
    .columns(["mailbox_id", "imap_uid"])
    .unique()
    .execute();
  // Threading: a reply names earlier mails of the thread by their Message-IDs.
  await db.schema.createIndex("mail_messages_message_id").on("mail_messages").columns(["message_id"]).execute();
  // The mail-bomb guard: a sender's recent mails, and their recent mails of one subject.
  await db.schema
    .createIndex("mail_messages_sender_received")
    .on("mail_messages")
    .columns(["sender", "received_at"])
    .execute();
  await db.schema
    .createIndex("mail_messages_sender_subject")
    .on("mail_messages")
    .columns(["sender", "subject_key", "received_at"])
    .execute();
  await db.schema.createIndex("mail_messages_ticket").on("mail_messages").columns(["ticket_id"]).execute();

  // What the intake did with each mail and what went wrong, for administrators.
  await db.schema
    .createTable("mail_intake_log")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("mailbox_id", "text", (c) => c.references("mailboxes.id"))
    .addColumn("at", types.timestamp, (c) => c.notNull())
    .addColumn("level", "text", (c) => c.notNull())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("sender", "text")
    .addColumn("subject", "text")
    .addColumn("ticket_id", "text")
    .addColumn("detail", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("mail_intake_log_mailbox").on("mail_intake_log").columns(["mailbox_id", "id"]).execute();

  // Which organization mail from a domain belongs to, when its sender is no known user or contact.
  await db.schema
    .createTable("mail_domain_rules")
    .addColumn("domain", "text", (c) => c.primaryKey())
    .addColumn("organization_id", "text", (c) => c.notNull().references("organizations.id"))
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["mail_domain_rules", "mail_intake_log", "mail_messages", "mailboxes"])
    await db.schema.dropTable(t).execute();
}
