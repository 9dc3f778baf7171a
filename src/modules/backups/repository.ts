import type { Kysely, Selectable } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { BackupJobTable, BackupRestoreTestTable, BackupRunTable, DB } from "../../platform/db/schema.js";

export type JobRow = Selectable<BackupJobTable>;
export type RunRow = Selectable<BackupRunTable>;
export type RestoreTestRow = Selectable<BackupRestoreTestTable>;

/** JSON columns as values; the repository stores them as JSON text. */
type JobJson = "source" | "schedule" | "hooks";
export type JobValues = Omit<JobRow, JobJson> & Record<JobJson, unknown>;

/** The only SQL over backup jobs, their runs and restore tests (and the schedules they own). */
export class BackupRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  #jobJson(values: Partial<JobValues>) {
    const { source, schedule, hooks, ...rest } = values;
    return {
      ...rest,
      ...(source !== undefined ? { source: this.dialect.json(source) } : {}),
      ...(schedule !== undefined ? { schedule: this.dialect.json(schedule) } : {}),
      ...(hooks !== undefined ? { hooks: this.dialect.json(hooks) } : {}),
    };
  }

  async insertJob(row: JobValues, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .insertInto("backup_jobs")
      .values(this.#jobJson(row) as never)
      .execute();
  }

  async updateJob(id: string, patch: Partial<JobValues>, executor: Kysely<DB> = this.db): Promise<void> {
    await executor
      .updateTable("backup_jobs")
      .set(this.#jobJson(patch) as never)
      .where("id", "=", id)
      .execute();
  }

  findJob(id: string, executor: Kysely<DB> = this.db): Promise<JobRow | undefined> {
    return executor.selectFrom("backup_jobs").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findJobByName(name: string): Promise<JobRow | undefined> {
    return this.db.selectFrom("backup_jobs").selectAll().where("name", "=", name).executeTakeFirst();
  }

  listJobs(): Promise<JobRow[]> {
    return this.db.selectFrom("backup_jobs").selectAll().orderBy("name").execute();
  }

  /** Deletes the job with its history. */
  async deleteJob(id: string, executor: Kysely<DB>): Promise<void> {
    await executor.deleteFrom("backup_restore_tests").where("job_id", "=", id).execute();
    await executor.deleteFrom("backup_runs").where("job_id", "=", id).execute();
    await executor.deleteFrom("backup_jobs").where("id", "=", id).execute();
  }

  /** Moves the read-data cursor only from the value the check started with, so two checks cannot skip a group. */
  async advanceCheckCursor(id: string, from: number, to: number): Promise<void> {
    await this.db
      .updateTable("backup_jobs")
      .set({ check_cursor: to })
      .where("id", "=", id)
      .where("check_cursor", "=", from)
      .execute();
  }

  async setRpoAlerted(id: string, at: string | null, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.updateTable("backup_jobs").set({ rpo_alerted_at: at }).where("id", "=", id).execute();
  }

  // runs ----------------------------------------------------------------------------------------
  async insertRun(row: RunRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.insertInto("backup_runs").values(row).execute();
  }

  async updateRun(id: string, patch: Partial<RunRow>, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.updateTable("backup_runs").set(patch).where("id", "=", id).execute();
  }

  findRun(id: string, jobId?: string): Promise<RunRow | undefined> {
    let q = this.db.selectFrom("backup_runs").selectAll().where("id", "=", id);
    if (jobId) q = q.where("job_id", "=", jobId);
    return q.executeTakeFirst();
  }

  /** Newest first, below `before` when given (keyset pagination); without the manifests, which can be large. */
  listRuns(jobId: string, page: { limit: number; before?: string; operation?: RunRow["operation"] }) {
    let q = this.db
      .selectFrom("backup_runs")
      .select([
        "id",
        "job_id",
        "operation",
        "kind",
        "trigger",
        "status",
        "reason",
        "error",
        "snapshot_id",
        "details",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
        "duration_ms",
      ])
      .where("job_id", "=", jobId);
    if (page.before !== undefined) q = q.where("id", "<", page.before);
    if (page.operation) q = q.where("operation", "=", page.operation);
    return q.orderBy("id", "desc").limit(page.limit).execute();
  }

  /** The newest succeeded backup of a job, or the one that made snapshot `snapshotId`. */
  lastBackup(jobId: string, opts: { snapshotId?: string } = {}): Promise<RunRow | undefined> {
    let q = this.db
      .selectFrom("backup_runs")
      .selectAll()
      .where("job_id", "=", jobId)
      .where("operation", "=", "backup")
      .where("status", "=", "succeeded");
    if (opts.snapshotId) q = q.where("snapshot_id", "=", opts.snapshotId);
    return q.orderBy("started_at", "desc").limit(1).executeTakeFirst();
  }

  /** When each job's newest succeeded backup started (its restorable point), without reading the manifests. */
  async lastBackupTimes(): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom("backup_runs")
      .select(["job_id", (eb) => eb.fn.max("started_at").as("started_at")])
      .where("operation", "=", "backup")
      .where("status", "=", "succeeded")
      .groupBy("job_id")
      .execute();
    return new Map(rows.flatMap((r) => (r.started_at === null ? [] : [[r.job_id, r.started_at] as const])));
  }

  /** A run (other than `except`) working right now on jobs of this repository, if any. */
  async runningOnRepository(repositoryUrl: string, except: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom("backup_runs")
      .innerJoin("backup_jobs", "backup_jobs.id", "backup_runs.job_id")
      .select("backup_runs.id")
      .where("backup_jobs.repository_url", "=", repositoryUrl)
      .where("backup_runs.status", "=", "running")
      .where("backup_runs.id", "!=", except)
      .executeTakeFirst();
    return row?.id;
  }

  // restore tests ---------------------------------------------------------------------------------
  async insertRestoreTest(row: RestoreTestRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.insertInto("backup_restore_tests").values(row).execute();
  }

  async updateRestoreTest(id: string, patch: Partial<RestoreTestRow>, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.updateTable("backup_restore_tests").set(patch).where("id", "=", id).execute();
  }

  findRestoreTest(id: string, jobId?: string): Promise<RestoreTestRow | undefined> {
    let q = this.db.selectFrom("backup_restore_tests").selectAll().where("id", "=", id);
    if (jobId) q = q.where("job_id", "=", jobId);
    return q.executeTakeFirst();
  }

  listRestoreTests(jobId: string, page: { limit: number; before?: string }): Promise<RestoreTestRow[]> {
    let q = this.db.selectFrom("backup_restore_tests").selectAll().where("job_id", "=", jobId);
    if (page.before !== undefined) q = q.where("id", "<", page.before);
    return q.orderBy("id", "desc").limit(page.limit).execute();
  }

  lastPassedRestoreTest(jobId: string): Promise<RestoreTestRow | undefined> {
    return this.db
      .selectFrom("backup_restore_tests")
      .selectAll()
      .where("job_id", "=", jobId)
      .where("status", "=", "passed")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
  }
}
