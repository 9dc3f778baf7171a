import { type Kysely, sql } from "kysely";
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

  /** The timer `name` of each subject of one type, in one read. */
  async findMany(
    subjectType: string,
    subjectIds: readonly string[],
    name: string,
    executor: Kysely<DB>,
  ): Promise<TimerRow[]> {
    if (!subjectIds.length) return [];
    return executor
      .selectFrom("timers")
      .selectAll()
      .where("subject_type", "=", subjectType)
      .where("subject_id", "in", subjectIds)
      .where("name", "=", name)
      .execute();
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

  /**
   * `replace` for several timers in one statement, each written only if its generation is still the one given;
   * returns the ids written (the others changed under this transaction). A payload must be an object, an array
   * or null (see the dialect's `jsonRows`).
   */
  async replaceMany(rows: readonly { row: TimerRow; expected: number }[], executor: Kysely<DB>): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const v = this.dialect.jsonRows(
      {
        id: "text",
        expected: "integer",
        status: "text",
        calendar_id: "text",
        calendar: "json",
        started_at: "timestamp",
        budget_ms: "bigint",
        warn_ms: "bigint",
        elapsed_ms: "bigint",
        running_since: "timestamp",
        target_at: "timestamp",
        due_at: "timestamp",
        warn_at: "timestamp",
        warned_at: "timestamp",
        fired_at: "timestamp",
        generation: "integer",
        payload: "json",
        updated_at: "timestamp",
      },
      rows.map(({ row, expected }) => ({
        ...row,
        expected,
        calendar: row.calendar === null ? null : JSON.parse(row.calendar),
        payload: row.payload === null ? null : JSON.parse(row.payload),
      })),
    );
    const written = await sql<{ id: string }>`
      UPDATE timers SET status = v.status, calendar_id = v.calendar_id, calendar = v.calendar,
        started_at = v.started_at, budget_ms = v.budget_ms, warn_ms = v.warn_ms, elapsed_ms = v.elapsed_ms,
        running_since = v.running_since, target_at = v.target_at, due_at = v.due_at, warn_at = v.warn_at,
        warned_at = v.warned_at, fired_at = v.fired_at, generation = v.generation, payload = v.payload,
        updated_at = v.updated_at
      FROM ${v} AS v
      WHERE timers.id = v.id AND timers.generation = v.expected
      RETURNING timers.id`.execute(executor);
    return new Set(written.rows.map((r) => r.id));
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
