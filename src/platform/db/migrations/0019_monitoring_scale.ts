import type { Kysely } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * What a node taking a shard over needs to skip nothing and repeat nothing: the instant up to which the
 * previous owner started every due check of the shard, written before it starts them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema.alterTable("monitor_shards").addColumn("checked_through", types.timestamp).execute();
  await db.schema.alterTable("monitor_nodes").addColumn("started_at", types.timestamp).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("monitor_nodes").dropColumn("started_at").execute();
  await db.schema.alterTable("monitor_shards").dropColumn("checked_through").execute();
}
