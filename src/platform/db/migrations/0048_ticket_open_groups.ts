import { type Kysely, sql } from "kysely";

/** The open statuses of `openStatuses` (tickets/model.ts), spelled out: a migration never changes with the code. */
const OPEN = ["new", "open", "pending_customer", "pending_vendor", "on_hold"];

/**
 * The queue's open tickets by tier and by organization as index-only scans on SQLite too. SQLite takes a partial
 * index as covering only when it holds every column the query names, and the groups name `status` in their
 * WHERE (the index's own condition): with 0044's `(tier)` and `(organization_id)` it read every open ticket's
 * row instead, about 1 s at 1,000,000 tickets (200,000 open) with the event loop blocked. PostgreSQL reads the
 * indexes only either way; the status column costs it a few bytes per entry.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const open = sql`(${sql.join(OPEN.map((s) => sql.lit(s)))})`;
  await db.schema.dropIndex("tickets_open_tier").execute();
  await db.schema.dropIndex("tickets_open_organization").execute();
  await db.schema
    .createIndex("tickets_open_tier")
    .on("tickets")
    .columns(["tier", "status"])
    .where(sql.ref("status"), "in", open)
    .execute();
  await db.schema
    .createIndex("tickets_open_organization")
    .on("tickets")
    .columns(["organization_id", "status"])
    .where(sql.ref("status"), "in", open)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  const open = sql`(${sql.join(OPEN.map((s) => sql.lit(s)))})`;
  await db.schema.dropIndex("tickets_open_organization").execute();
  await db.schema.dropIndex("tickets_open_tier").execute();
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
