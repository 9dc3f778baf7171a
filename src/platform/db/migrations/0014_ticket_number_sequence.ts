import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

/**
 * On PostgreSQL the ticket number moves from the `counters` row to a sequence: the row's lock was held until
 * commit, so concurrent ticket creations queued behind each other (see `Dialect.nextCounter`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db).engine !== "postgres") return;
  await sql`CREATE SEQUENCE ticket_number_seq`.execute(db);
  await sql`SELECT setval('ticket_number_seq', greatest(value, 1), value > 0) FROM counters WHERE name = 'ticket_number'`.execute(
    db,
  );
  await sql`DELETE FROM counters WHERE name = 'ticket_number'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db).engine !== "postgres") return;
  await sql`INSERT INTO counters (name, value)
    SELECT 'ticket_number', CASE WHEN is_called THEN last_value ELSE 0 END FROM ticket_number_seq`.execute(db);
  await sql`DROP SEQUENCE ticket_number_seq`.execute(db);
}
