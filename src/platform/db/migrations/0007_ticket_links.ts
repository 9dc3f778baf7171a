import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // One row per link, stored once from the side it was made on; "child" is read from the parent row.
  await db.schema
    .createTable("ticket_links")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id"))
    .addColumn("other_ticket_id", "text", (c) => c.notNull().references("tickets.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("created_by", "text")
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addUniqueConstraint("ticket_links_pair", ["ticket_id", "other_ticket_id", "kind"])
    .execute();
  await db.schema.createIndex("ticket_links_other").on("ticket_links").column("other_ticket_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("ticket_links").execute();
}
