import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * The outbox row becomes its own unit of work: delivery claims batches of due rows (`due_at`) under a lease
 * (`locked_by`, `due_at` moved to the lease's end) instead of running one job per row.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { types } = dialectOf(db);
  await db.schema.alterTable("notifications").addColumn("due_at", types.timestamp).execute();
  await db.schema.alterTable("notifications").addColumn("locked_by", "text").execute();
  await db.schema
    .alterTable("notifications")
    .addColumn("round_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  // Rows still waiting: due at their scheduled retry, or at once; their attempts so far count toward this round.
  await sql`UPDATE notifications SET due_at = COALESCE(next_attempt_at, created_at), round_attempts = attempts
    WHERE status IN ('pending', 'failed')`.execute(db);
  await db.schema.createIndex("notifications_due_at").on("notifications").column("due_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("notifications_due_at").execute();
  for (const c of ["round_attempts", "locked_by", "due_at"]) {
    await db.schema.alterTable("notifications").dropColumn(c).execute();
  }
}
