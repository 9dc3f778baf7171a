import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * PostgreSQL's GIN index on the ticket search column buffers new entries in a pending list by default and
 * merges it into the index inside whichever insert fills it: at a million tickets that insert took over
 * 100 ms (ticket creation p99 122 ms at 200/s). Updating the index directly costs each insert a little
 * and no insert a lot. SQLite's FTS5 index has no such list.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db).engine !== "postgres") return;
  await sql`ALTER INDEX tickets_search SET (fastupdate = off)`.execute(db);
  // Entries already pending move into the index now rather than inside a later insert.
  await sql`SELECT gin_clean_pending_list('tickets_search'::regclass)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db).engine !== "postgres") return;
  await sql`ALTER INDEX tickets_search RESET (fastupdate)`.execute(db);
}
