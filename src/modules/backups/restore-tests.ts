import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobContext, JobQueue } from "../../platform/jobs/queue.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { BackupJobService } from "./jobs-service.js";
import {
  LOCK_ATTEMPTS,
  parseJson,
  RESTORE_TEST_JOB,
  type RequestInfo,
  type RestoreTestPayload,
  restoreTestView,
  type ScheduledRestoreTest,
  type Trigger,
} from "./model.js";
import type { BackupRepository, RestoreTestRow } from "./repository.js";
import { BackupError } from "./restic.js";
import type { ResticAccess } from "./restic-access.js";
import { checkMysql, checkPostgres, checkSqlite, type Manifest } from "./sources.js";
import { type CheckResult, restoredPath, verifyRestoredFiles } from "./verify.js";

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

export interface RestoreTestServiceDeps {
  repo: BackupRepository;
  access: ResticAccess;
  backupJobs: BackupJobService;
  jobs: JobQueue;
  events: EventBus;
  clock: Clock;
  audit: AuditService;
  dataDir: string;
  /** Plantão's own database, where dumps of `plantao-db` jobs on PostgreSQL are checked. */
  databaseUrl: string;
}

/**
 * Restore tests prove a snapshot restores: every file compared with the chunk checksums its snapshot recorded,
 * database dumps loaded into a scratch database and checked, and the time it took measured against the RTO.
 */
export class RestoreTestService {
  readonly #repo: BackupRepository;
  readonly #access: ResticAccess;
  readonly #backupJobs: BackupJobService;
  readonly #jobs: JobQueue;
  readonly #events: EventBus;
  readonly #clock: Clock;
  readonly #audit: AuditService;
  readonly #dataDir: string;
  readonly #databaseUrl: string;

  constructor(deps: RestoreTestServiceDeps) {
    this.#repo = deps.repo;
    this.#access = deps.access;
    this.#backupJobs = deps.backupJobs;
    this.#jobs = deps.jobs;
    this.#events = deps.events;
    this.#clock = deps.clock;
    this.#audit = deps.audit;
    this.#dataDir = deps.dataDir;
    this.#databaseUrl = deps.databaseUrl;
  }

  async #newRestoreTest(
    jobId: string,
    snapshotId: string | null,
    trigger: Trigger,
    id = uuidv7(),
    executor?: Kysely<DB>,
  ) {
    const row: RestoreTestRow = {
      id,
      job_id: jobId,
      snapshot_id: snapshotId,
      trigger,
      status: "running",
      checks: "[]",
      error: null,
      created_at: this.#clock.now().toISOString(),
      finished_at: null,
      duration_ms: null,
    };
    await this.#repo.insertRestoreTest(row, executor);
    return row;
  }

  async start(actor: Actor | null, id: string, snapshotId: string | undefined, req: RequestInfo) {
    await this.#backupJobs.find(id);
    if (snapshotId !== undefined && !(await this.#repo.lastBackup(id, { snapshotId })))
      throw invalid("/snapshotId", "is not a snapshot of a backup Plantão recorded for this job");
    const test = await this.#repo.transaction(async (trx) => {
      const row = await this.#newRestoreTest(id, snapshotId ?? null, "manual", uuidv7(), trx);
      await this.#jobs.enqueue(RESTORE_TEST_JOB, { testId: row.id }, { executor: trx });
      await this.#audit.record(
        {
          action: "backup_job.restore_test_requested",
          actor,
          target: { type: "backup_job", id },
          request: req,
          details: { testId: row.id, snapshotId },
        },
        trx,
      );
      return row;
    });
    return restoreTestView(test);
  }

  /** Runs a restore test here and now (the CLI). */
  async runNow(id: string, snapshotId?: string) {
    await this.#backupJobs.find(id);
    const test = await this.#newRestoreTest(id, snapshotId ?? null, "manual");
    await this.#perform(test, { attempt: 1, last: true });
    return restoreTestView((await this.#repo.findRestoreTest(test.id))!);
  }

  /** The `backup.restore_test` job: a requested restore test. */
  async runQueued(job: JobContext<RestoreTestPayload>): Promise<void> {
    const test = await this.#repo.findRestoreTest(job.payload.testId);
    if (test?.status !== "running") return;
    await this.#perform(test, { attempt: job.attempt, last: job.attempt >= LOCK_ATTEMPTS, signal: job.signal });
  }

  /** A schedule's restore-test tick: the queue job's id is the test's, so a retried tick keeps one test row. */
  async runScheduled(job: JobContext<ScheduledRestoreTest>): Promise<void> {
    const row = await this.#repo.findJob(job.payload.jobId);
    if (!row?.enabled) return;
    const test =
      (await this.#repo.findRestoreTest(job.id)) ?? (await this.#newRestoreTest(row.id, null, "schedule", job.id));
    if (test.status !== "running") return;
    await this.#perform(test, { attempt: job.attempt, last: job.attempt >= LOCK_ATTEMPTS, signal: job.signal });
  }

  /**
   * Restores a snapshot into a scratch directory, compares every file with the chunk checksums its snapshot
   * recorded, loads database dumps
   * into a scratch database and checks them; the time it took is the measured RTO.
   */
  async #perform(test: RestoreTestRow, ctx: { attempt: number; last: boolean; signal?: AbortSignal }): Promise<void> {
    const saved = await this.#repo.findJob(test.job_id);
    if (!saved) return;
    const job = await this.#access.withMachineKey(saved);
    const t0 = performance.now();
    const checks: CheckResult[] = [];
    const scratch = join(this.#dataDir, "backups", "scratch", test.id);
    let snapshotId = test.snapshot_id;
    let error: string | null = null;
    try {
      const backup = await this.#repo.lastBackup(job.id, snapshotId ? { snapshotId } : {});
      if (!backup?.snapshot_id)
        throw new BackupError("verification-failed", "there is no successful backup to restore");
      snapshotId = backup.snapshot_id;
      const manifest = parseJson<Manifest>(backup.manifest) ?? { databases: [] };
      const restic = this.#access.restic(job);
      await rm(scratch, { recursive: true, force: true });
      await mkdir(scratch, { recursive: true });
      let damaged: BackupError | undefined;
      try {
        await restic.restore(snapshotId, scratch, { signal: ctx.signal });
      } catch (err) {
        // restic restores all it can read; checking what it wrote then names every file that was lost.
        if (!(err instanceof BackupError) || err.reason !== "restic-failed") throw err;
        damaged = err;
      }
      checks.push(
        damaged
          ? { name: "restore", status: "failed", detail: `snapshot ${snapshotId}: ${damaged.message}` }
          : await (async () => {
              const count = await countFiles(scratch);
              return {
                name: "restore",
                status: "passed" as const,
                detail: `snapshot ${snapshotId} restored (${count} files)`,
                key: "restore.passed",
                params: { snapshot: snapshotId.slice(0, 8), count },
              };
            })(),
      );
      const [files, polynomial] = await Promise.all([
        restic.snapshotFiles(snapshotId, ctx.signal),
        restic.chunkerPolynomial(),
      ]);
      checks.push(await verifyRestoredFiles(scratch, files, polynomial, ctx.signal));
      for (const db of manifest.databases) {
        const file = restoredPath(scratch, db.file);
        if (db.engine === "sqlite") checks.push(...checkSqlite(file, db));
        else if (db.engine === "postgres") {
          const spec = this.#access.sourceSpec(job);
          checks.push(...(await checkPostgres(file, db, spec.kind === "postgres" ? spec.url : this.#databaseUrl)));
        } else {
          const spec = this.#access.sourceSpec(job);
          if (spec.kind === "mysql") checks.push(...(await checkMysql(file, db, spec.url)));
        }
      }
    } catch (err) {
      // The queue retries a locked repository; the scratch directory goes in `finally`.
      if (err instanceof BackupError && err.reason === "repository-locked" && !ctx.last) throw err;
      error = err instanceof Error ? err.message : String(err);
      checks.push({ name: "restore", status: "failed", detail: error });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    const durationMs = Math.round(performance.now() - t0);
    checks.push(
      durationMs <= job.rto_minutes * 60_000
        ? {
            name: "rto",
            status: "passed",
            detail: `${durationMs} ms within the RTO of ${job.rto_minutes} min`,
            key: "rto.passed",
            params: { ms: durationMs, rto: job.rto_minutes },
          }
        : {
            name: "rto",
            status: "failed",
            detail: `${durationMs} ms exceeds the RTO of ${job.rto_minutes} min`,
            key: "rto.failed",
            params: { ms: durationMs, rto: job.rto_minutes },
          },
    );
    const failed = checks.filter((c) => c.status === "failed");
    const status = failed.length ? "failed" : "passed";
    await this.#repo.transaction(async (trx) => {
      await this.#repo.updateRestoreTest(
        test.id,
        {
          status,
          snapshot_id: snapshotId,
          checks: JSON.stringify(checks),
          error: error ?? (failed.length ? failed.map((c) => `${c.name}: ${c.detail}`).join("; ") : null),
          finished_at: this.#clock.now().toISOString(),
          duration_ms: durationMs,
        },
        trx,
      );
      // Incidents do not exist yet: the event is the alert, for webhooks and the event stream.
      if (failed.length)
        await this.#events.publish(
          {
            type: "backup.restore_test_failed",
            subjectId: job.id,
            payload: { jobId: job.id, name: job.name, testId: test.id, snapshotId, failedChecks: failed },
          },
          trx,
        );
    });
  }

  async list(id: string, page: { limit: number; before?: string }) {
    await this.#backupJobs.find(id);
    return (await this.#repo.listRestoreTests(id, page)).map(restoreTestView);
  }

  async get(id: string, testId: string) {
    const row = await this.#repo.findRestoreTest(testId, id);
    if (!row) throw Problem.notFound("Restore test");
    return restoreTestView(row);
  }
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n++;
  return n;
}
