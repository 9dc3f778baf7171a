import { type Kysely, sql } from "kysely";
import type { Dialect } from "../db/dialect.js";
import type { DB, JobTable } from "../db/schema.js";

export type JobRow = JobTable;

export interface NewJob {
  id: string;
  kind: string;
  payload: unknown;
  runAt: Date;
  maxAttempts: number;
  dedupeKey?: string | null;
  scheduleName?: string | null;
}

/** The only SQL that touches the `jobs` and `schedules` tables. */
export class JobRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  /** Inserts the job unless its dedupe key exists; `wake` is notified of a new row when the transaction commits. */
  async insert(job: NewJob, now: Date, executor: Kysely<DB> = this.db, wake?: string): Promise<boolean> {
    return (await this.insertMany([job], now, executor, wake)).has(job.id);
  }

  /** Several jobs in one statement (see `insert`); returns the ids inserted, those of existing dedupe keys left out. */
  async insertMany(
    jobs: readonly NewJob[],
    now: Date,
    executor: Kysely<DB> = this.db,
    wake?: string,
  ): Promise<Set<string>> {
    if (!jobs.length) return new Set<string>();
    const iso = now.toISOString();
    const rows = await executor
      .insertInto("jobs")
      .values(
        jobs.map((job) => ({
          id: job.id,
          kind: job.kind,
          payload: this.dialect.json(job.payload ?? null),
          status: "queued" as const,
          run_at: job.runAt.toISOString(),
          attempts: 0,
          max_attempts: job.maxAttempts,
          dedupe_key: job.dedupeKey ?? null,
          schedule_name: job.scheduleName ?? null,
          created_at: iso,
          updated_at: iso,
        })),
      )
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .returning(wake ? ["id", this.dialect.notifyReturning(wake, sql`''`).as("notified")] : ["id"])
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Claims up to `limit` due jobs for `nodeId`: queued ones whose time has come, and running ones whose
   * lease expired (their node died). On PostgreSQL rows locked by another node's claim are skipped.
   */
  async claim(nodeId: string, now: Date, leaseUntil: Date, limit: number): Promise<JobRow[]> {
    const nowIso = now.toISOString();
    // A job whose node died during its last allowed attempt is dead, not retried: a job that kills
    // its node every time must not take the cluster down in a loop.
    await sql`
      UPDATE jobs SET status = 'dead', last_error = 'lease expired on node ' || locked_by,
        locked_by = NULL, locked_until = NULL, finished_at = ${nowIso}, updated_at = ${nowIso}
      WHERE status = 'running' AND locked_until < ${nowIso} AND attempts >= max_attempts`.execute(this.db);
    const { rows } = await sql<JobRow>`
      UPDATE jobs SET status = 'running', locked_by = ${nodeId}, locked_until = ${leaseUntil.toISOString()},
        attempts = attempts + 1, updated_at = ${nowIso}
      WHERE id IN (
        SELECT id FROM jobs
        WHERE (status = 'queued' AND run_at <= ${nowIso}) OR (status = 'running' AND locked_until < ${nowIso})
        ORDER BY run_at LIMIT ${limit} ${this.dialect.skipLocked}
      )
      RETURNING *`.execute(this.db);
    return rows;
  }

  async extendLease(id: string, nodeId: string, leaseUntil: Date): Promise<boolean> {
    const r = await this.db
      .updateTable("jobs")
      .set({ locked_until: leaseUntil.toISOString() })
      .where("id", "=", id)
      .where("locked_by", "=", nodeId)
      .where("status", "=", "running")
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async succeed(id: string, nodeId: string, now: Date): Promise<void> {
    const iso = now.toISOString();
    await this.db
      .updateTable("jobs")
      .set({
        status: "succeeded",
        locked_by: null,
        locked_until: null,
        finished_at: iso,
        updated_at: iso,
        last_error: null,
      })
      .where("id", "=", id)
      .where("locked_by", "=", nodeId)
      .execute();
  }

  /** A failed attempt: back to the queue at `retryAt`, or to the dead-letter state when none is left. */
  async fail(id: string, nodeId: string, now: Date, error: string, retryAt: Date | null): Promise<void> {
    const iso = now.toISOString();
    await this.db
      .updateTable("jobs")
      .set(
        retryAt
          ? {
              status: "queued",
              run_at: retryAt.toISOString(),
              locked_by: null,
              locked_until: null,
              last_error: error,
              updated_at: iso,
            }
          : {
              status: "dead",
              locked_by: null,
              locked_until: null,
              last_error: error,
              updated_at: iso,
              finished_at: iso,
            },
      )
      .where("id", "=", id)
      .where("locked_by", "=", nodeId)
      .execute();
  }

  /** Gives a claimed job back without counting the attempt (graceful shutdown). */
  async release(id: string, nodeId: string, now: Date): Promise<void> {
    await this.db
      .updateTable("jobs")
      .set({
        status: "queued",
        locked_by: null,
        locked_until: null,
        attempts: sql`attempts - 1`,
        run_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .where("id", "=", id)
      .where("locked_by", "=", nodeId)
      .where("status", "=", "running")
      .execute();
  }

  /**
   * When the queue next has work: the earliest queued job's time, or a running job's lease end (its node may
   * die and leave it to be taken over), whichever comes first. One indexed read, so a node asks this instead
   * of running the two claiming writes on every poll.
   */
  async nextDueAt(): Promise<string | null> {
    const { rows } = await sql<{ queued: string | null; lease: string | null }>`
      SELECT (SELECT min(run_at) FROM jobs WHERE status = 'queued') AS queued,
        (SELECT min(locked_until) FROM jobs WHERE status = 'running') AS lease`.execute(this.db);
    const { queued, lease } = rows[0] ?? { queued: null, lease: null };
    if (!queued || !lease) return queued ?? lease ?? null;
    return new Date(queued).getTime() <= new Date(lease).getTime() ? queued : lease;
  }

  async queueStats(now: Date): Promise<{ due: number; oldestDueAt: string | null; running: number; dead: number }> {
    const rows = await this.db
      .selectFrom("jobs")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n"), (eb) => eb.fn.min("run_at").as("oldest")])
      .where((eb) =>
        eb.or([
          eb.and([eb("status", "=", "queued"), eb("run_at", "<=", now.toISOString())]),
          eb("status", "in", ["running", "dead"]),
        ]),
      )
      .groupBy("status")
      .execute();
    const by = (s: string) => rows.find((r) => r.status === s);
    return {
      due: Number(by("queued")?.n ?? 0),
      oldestDueAt: (by("queued")?.oldest as string | undefined) ?? null,
      running: Number(by("running")?.n ?? 0),
      dead: Number(by("dead")?.n ?? 0),
    };
  }

  async get(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom("jobs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async upsertSchedule(s: { name: string; kind: string; cron: string; timezone: string; payload: unknown }, now: Date) {
    const iso = now.toISOString();
    const payload = this.dialect.json(s.payload ?? null);
    await this.db
      .insertInto("schedules")
      .values({
        name: s.name,
        kind: s.kind,
        cron: s.cron,
        timezone: s.timezone,
        payload,
        enabled: true,
        created_at: iso,
        updated_at: iso,
      })
      .onConflict((oc) =>
        oc
          .column("name")
          .doUpdateSet({ kind: s.kind, cron: s.cron, timezone: s.timezone, payload, enabled: true, updated_at: iso }),
      )
      .execute();
  }

  /** Deletes succeeded jobs finished before `before`; dead ones stay for inspection. */
  async deleteSucceededBefore(before: Date): Promise<number> {
    const r = await this.db
      .deleteFrom("jobs")
      .where("status", "=", "succeeded")
      .where("finished_at", "<", before.toISOString())
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Switches off every schedule whose name starts with `prefix` (compared exactly, no LIKE wildcards). */
  async disableSchedules(prefix: string, now: Date, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .updateTable("schedules")
      .set({ enabled: false, updated_at: now.toISOString() })
      .where(sql<string>`substr(name, 1, ${prefix.length})`, "=", prefix)
      .execute();
  }

  async getSchedule(name: string) {
    return this.db.selectFrom("schedules").selectAll().where("name", "=", name).executeTakeFirst();
  }
}
