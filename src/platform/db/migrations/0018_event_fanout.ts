import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * Each event is fanned out (turned into webhook, and later notification and alert, jobs) once by whichever
 * node claims it: `fanned_out_at` is null until then. Events older than the webhooks' old cursor, less the
 * margin it re-read, were fanned out already; the rest are left pending, and the delivery's unique key
 * absorbs any the old fan-out had handled.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema.alterTable("events").addColumn("fanned_out_at", types.timestamp).execute();
  const cursor = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", "webhooks_fanout_cursor")
    .executeTakeFirst();
  const last = cursor
    ? await db.selectFrom("events").select("created_at").where("id", "=", Number(cursor.value)).executeTakeFirst()
    : undefined;
  const margin = last ? new Date(new Date(String(last.created_at)).getTime() - 60_000).toISOString() : undefined;
  await db
    .updateTable("events")
    .set({ fanned_out_at: sql`created_at` })
    .$if(margin !== undefined, (q) => q.where("created_at", "<", margin!))
    .$if(margin === undefined && cursor !== undefined, (q) => q.where("id", "<=", Number(cursor?.value ?? 0)))
    .execute();
  await db.deleteFrom("settings").where("key", "=", "webhooks_fanout_cursor").execute();
  // Only the pending few are indexed: the claim reads them in id order.
  await db.schema
    .createIndex("events_fanout_pending")
    .on("events")
    .column("id")
    .where(sql.ref("fanned_out_at"), "is", null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("events_fanout_pending").execute();
  await db.schema.alterTable("events").dropColumn("fanned_out_at").execute();
}
