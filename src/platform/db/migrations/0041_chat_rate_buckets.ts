import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * The chat widget's rate-limit buckets, shared by every node on one database: one row per key (site, visitor,
 * address), refilled and taken from in one statement, so a flood spread over nodes meets one limit.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema
    .createTable("chat_rate_buckets")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("tokens", "double precision", (c) => c.notNull())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("taken", types.boolean, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("chat_rate_buckets_at").on("chat_rate_buckets").column("at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("chat_rate_buckets").execute();
}
