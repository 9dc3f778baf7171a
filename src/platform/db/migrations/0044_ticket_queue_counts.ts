import { type Kysely, sql } from "kysely";

/** The open statuses of `openStatuses` (tickets/model.ts), spelled out: a migration never changes with the code. */
const OPEN = ["new", "open", "pending_customer", "pending_vendor", "on_hold"];

/**
 * Queue counts as index-only counts: each count of the agent console reads a partial index of the open tickets
 * narrowed to its own range (breached ones, one tier, one organization) instead of one pass over every open
 * ticket's row. With the open indexes of 0013 and 0023 (assignee, team, due time, id) every count has its own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const open = sql`(${sql.join(OPEN.map((s) => sql.lit(s)))})`;
  await db.schema
    .createIndex("tickets_open_breached")
    .on("tickets")
    .columns(["sla_breached", "id"])
    .where(sql.ref("status"), "in", open)
    .execute();
  await db.schema
    .createIndex("tickets_open_tier")
    .on("tickets")
    .columns(["tier"])
    .where(sql.ref("status"), "in", open)
    .execute();
  await db.schema
    .createIndex("tickets_open_organization")
    .on("tickets")
    .columns(["organization_id"])
    .where(sql.ref("status"), "in", open)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("tickets_open_organization").execute();
  await db.schema.dropIndex("tickets_open_tier").execute();
  await db.schema.dropIndex("tickets_open_breached").execute();
}
