import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("canned_responses")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("team", "text")
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("canned_responses_team").on("canned_responses").columns(["team", "title"]).execute();

  // Who has a ticket open now: rows live for seconds, refreshed by the viewer's heartbeat, shared by every node.
  await db.schema
    .createTable("ticket_presence")
    .addColumn("ticket_id", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("activity", "text", (c) => c.notNull())
    .addColumn("expires_at", types.timestamp, (c) => c.notNull())
    .addColumn("updated_at", types.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("ticket_presence_pk", ["ticket_id", "user_id"])
    .execute();
  await db.schema.createIndex("ticket_presence_expires_at").on("ticket_presence").column("expires_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("ticket_presence").execute();
  await db.schema.dropTable("canned_responses").execute();
}
