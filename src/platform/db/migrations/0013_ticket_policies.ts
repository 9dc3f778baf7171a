import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

/** The open statuses of `openStatuses` (tickets/model.ts), spelled out: a migration never changes with the code. */
const OPEN = ["new", "open", "pending_customer", "pending_vendor", "on_hold"];

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  // System notes are stored language-neutral (a phrase key and its parameters) and written in the reader's
  // language when read; `body` keeps the English text for readers that do not render keys.
  await db.schema.alterTable("ticket_messages").addColumn("body_key", "text").execute();
  await db.schema.alterTable("ticket_messages").addColumn("body_params", types.json).execute();
  // An agent's open queue, newest first, from any cursor: only open tickets are indexed, so a deep page reads
  // the rows it returns instead of walking the primary key past closed ones.
  await db.schema
    .createIndex("tickets_assignee_open")
    .on("tickets")
    .columns(["assignee_user_id", "id"])
    .where(sql.ref("status"), "in", sql`(${sql.join(OPEN.map((s) => sql.lit(s)))})`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("tickets_assignee_open").execute();
  await db.schema.alterTable("ticket_messages").dropColumn("body_params").execute();
  await db.schema.alterTable("ticket_messages").dropColumn("body_key").execute();
}
