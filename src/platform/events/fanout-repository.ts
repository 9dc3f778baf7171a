import { type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../db/dialect.js";
import type { DB, EventTable } from "../db/schema.js";

export type EventRow = Selectable<EventTable>;

/** Claim transactions of this process, one after another where the dialect asks for it. */
let queued: Promise<unknown> = Promise.resolve();

/** The only SQL of the event fan-out: claiming pending events and counting what waits. */
export class FanOutRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    if (!this.dialect.queueWriteTransactions) return this.db.transaction().execute(fn);
    const run = queued.then(() => this.db.transaction().execute(fn));
    queued = run.catch(() => {});
    return run;
  }

  /** Whether any event waits for its fan-out besides `skip`: a read, so an idle sweep takes no write lock. */
  async anyPending(skip: readonly number[] = []): Promise<boolean> {
    let q = this.db.selectFrom("events").select("id").where("fanned_out_at", "is", null);
    if (skip.length) q = q.where("id", "not in", skip);
    return (await q.limit(1).executeTakeFirst()) !== undefined;
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
