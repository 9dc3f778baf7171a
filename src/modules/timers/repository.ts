import type { Kysely } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { DB, TimerTable } from "../../platform/db/schema.js";

export type TimerRow = TimerTable;

/** The only SQL that touches the `timers` table. */
export class TimerRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  async find(
    subject: { type: string; id: string },
    name: string,
    executor: Kysely<DB> = this.db,
  ): Promise<TimerRow | undefined> {
    return executor
      .selectFrom("timers")
      .selectAll()
      .where("subject_type", "=", subject.type)
      .where("subject_id", "=", subject.id)
      .where("name", "=", name)
      .executeTakeFirst();
  }

  async get(id: string, executor: Kysely<DB> = this.db): Promise<TimerRow | undefined> {
    return executor.selectFrom("timers").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async ofSubject(subject: { type: string; id: string }, executor: Kysely<DB> = this.db): Promise<TimerRow[]> {
    return executor
      .selectFrom("timers")
      .selectAll()
      .where("subject_type", "=", subject.type)
      .where("subject_id", "=", subject.id)
      .orderBy("name")
      .execute();
  }

  /** New timers, in one statement. */
  async insert(rows: readonly TimerRow[], executor: Kysely<DB>): Promise<void> {
    if (!rows.length) return;
    await executor
      .insertInto("timers")
      .values(
        rows.map((row) => ({
          ...row,
          calendar: row.calendar === null ? null : this.dialect.json(JSON.parse(row.calendar)),
          payload: row.payload === null ? null : this.dialect.json(JSON.parse(row.payload)),
        })),
      )
      .execute();
  }

  /**
   * Writes a recomputed timer if its generation is still `expected`; false when another transaction got there
   * first (on PostgreSQL the UPDATE waits for that one's row lock and re-reads the row).
   */
  async replace(row: TimerRow, expected: number, executor: Kysely<DB>): Promise<boolean> {
    const { id, created_at: _created, ...rest } = row;
    const r = await executor
      .updateTable("timers")
      .set({
        ...rest,
        calendar: rest.calendar === null ? null : this.dialect.json(JSON.parse(rest.calendar)),
        payload: rest.payload === null ? null : this.dialect.json(JSON.parse(rest.payload)),
      })
      .where("id", "=", id)
      .where("generation", "=", expected)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Marks the warning of generation `generation` fired; false when stale, paused, ended or already warned. */
  async markWarned(id: string, generation: number, now: string, executor: Kysely<DB>): Promise<TimerRow | undefined> {
    return executor
      .updateTable("timers")
      .set({ warned_at: now, updated_at: now })
      .where("id", "=", id)
      .where("generation", "=", generation)
      .where("status", "=", "running")
      .where("warned_at", "is", null)
      .returningAll()
      .executeTakeFirst();
  }

  /** Marks generation `generation` fired; false when stale, paused or already ended. */
  async markFired(id: string, generation: number, now: string, executor: Kysely<DB>): Promise<TimerRow | undefined> {
    return executor
      .updateTable("timers")
      .set({ status: "fired", fired_at: now, updated_at: now })
      .where("id", "=", id)
      .where("generation", "=", generation)
      .where("status", "=", "running")
      .returningAll()
      .executeTakeFirst();
  }

  /** Timers still counting on the calendar `calendarId`, a page at a time (by id). */
  async countingOn(calendarId: string, after: string | null, limit: number): Promise<TimerRow[]> {
    let q = this.db
      .selectFrom("timers")
      .selectAll()
      .where("calendar_id", "=", calendarId)
      .where("status", "in", ["running", "paused"]);
    if (after) q = q.where("id", ">", after);
    return q.orderBy("id").limit(limit).execute();
  }
}
