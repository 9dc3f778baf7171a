import { type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../db/dialect.js";
import type { DB, EventTable } from "../db/schema.js";

export type EventRow = Selectable<EventTable>;

/** The only SQL of the event fan-out: claiming pending events and counting what waits. */
export class FanOutRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  /**
   * Marks up to `limit` pending events fanned out and returns them, oldest first, inside `trx`: rows another
   * node's open claim holds are skipped (PostgreSQL), and the mark commits or rolls back with the jobs the
   * handlers queue in the same transaction. `skip` leaves some out (events whose handlers failed lately).
   */
  async claim(trx: Kysely<DB>, now: string, limit: number, skip: readonly number[] = []): Promise<EventRow[]> {
    const { rows } = await sql<EventRow>`
      UPDATE events SET fanned_out_at = ${now}
      WHERE id IN (
        SELECT id FROM events WHERE fanned_out_at IS NULL
          ${skip.length ? sql`AND id NOT IN (${sql.join(skip)})` : sql``}
        ORDER BY id LIMIT ${sql.lit(limit)} ${this.dialect.skipLocked})
      RETURNING *`.execute(trx);
    return rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id);
  }

  /** How many events wait for their fan-out, and the oldest one's time. */
  async pending(): Promise<{ count: number; oldestAt: string | null }> {
    const row = await this.db
      .selectFrom("events")
      .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.min("created_at").as("oldest")])
      .where("fanned_out_at", "is", null)
      .executeTakeFirst();
    return { count: Number(row?.count ?? 0), oldestAt: (row?.oldest as string | null | undefined) ?? null };
  }
}
