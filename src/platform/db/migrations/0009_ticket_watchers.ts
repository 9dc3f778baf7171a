import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("ticket_watchers")
    .addColumn("ticket_id", "text", (c) => c.notNull().references("tickets.id"))
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", types.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint("ticket_watchers_pk", ["ticket_id", "user_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("ticket_watchers").execute();
}
