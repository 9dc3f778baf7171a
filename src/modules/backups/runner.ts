import { rm } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobContext, JobQueue } from "../../platform/jobs/queue.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { PlanService } from "../plan/service.js";
import type { BackupJobService } from "./jobs-service.js";
import {
  CHECK_GROUPS,
  type Hooks,
  LOCK_ATTEMPTS,
  type Operation,
  parseJson,
  type RequestInfo,
  type RestoreTarget,
  RUN_JOB,
  type RunPayload,
  redactTarget,
  runView,
  type ScheduledRun,
  SNAPSHOT_HOST,
  type SourceInput,
  snapshotView,
  type Trigger,
} from "./model.js";
import type { BackupRepository, JobRow, RunRow } from "./repository.js";
import { BackupError } from "./restic.js";
import type { ResticAccess } from "./restic-access.js";
import { policyFlags } from "./retention.js";
import { type Manifest, missingPaths, pgEnv, pipeFileInto, prepareSource, runHook } from "./sources.js";
import { type BackupKind, planRetention, verdicts } from "./tiers.js";
import { restoredPath } from "./verify.js";

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

export interface BackupRunnerDeps {
  repo: BackupRepository;
  access: ResticAccess;
  backupJobs: BackupJobService;
  jobs: JobQueue;
  events: EventBus;
  clock: Clock;
  secrets: SecretBox;
  audit: AuditService;
  plan: PlanService;
  log: Logger;
  dataDir: string;
  /** Plantão's own database, the source of `plantao-db` jobs. */
  databaseUrl: string;
}

/**
 * Runs backup operations (backup, check, prune, unlock, restore) as durable jobs, so a locked repository is
 * retried, or here and now for the CLI; retention per tier is shown before it prunes, and repository checks
 * rotate over read-data subsets.
 */
export class BackupRunner {
  readonly #repo: BackupRepository;
  readonly #access: ResticAccess;
  readonly #backupJobs: BackupJobService;
  readonly #jobs: JobQueue;
  readonly #events: EventBus;
  readonly #clock: Clock;
  readonly #secrets: SecretBox;
  readonly #audit: AuditService;
  readonly #plan: PlanService;
  readonly #log: Logger;
  readonly #dataDir: string;
  readonly #databaseUrl: string;

  constructor(deps: BackupRunnerDeps) {
    this.#repo = deps.repo;
    this.#access = deps.access;
    this.#backupJobs = deps.backupJobs;
    this.#jobs = deps.jobs;
    this.#events = deps.events;
    this.#clock = deps.clock;
    this.#secrets = deps.secrets;
    this.#audit = deps.audit;
    this.#plan = deps.plan;
    this.#log = deps.log;
    this.#dataDir = deps.dataDir;
    this.#databaseUrl = deps.databaseUrl;
  }

  /** Queues an operation; the queue runs it and retries it while the repository is locked. */
  async request(
    actor: Actor | null,
    id: string,
    op: { operation: Operation; kind?: BackupKind; target?: RestoreTarget; snapshotId?: string },
    req: RequestInfo,
  ) {
    const job = await this.#backupJobs.find(id);
    if (op.operation === "restore") this.#checkRestore(job, op.target!, op.snapshotId!);
    const run = this.#newRun(job.id, op.operation, op.kind ?? null, "manual");
    if (op.operation === "restore")
      Object.assign(run, { snapshot_id: op.snapshotId, details: JSON.stringify({ target: redactTarget(op.target!) }) });
    await this.#repo.transaction(async (trx) => {
      await this.#repo.insertRun(run, trx);
      await this.#jobs.enqueue(
        RUN_JOB,
        // The target may hold a database password: sealed, as every secret at rest.
        { runId: run.id, ...(op.target ? { target: this.#secrets.seal(JSON.stringify(op.target)) } : {}) },
        { executor: trx },
      );
      await this.#audit.record(
        {
          action: `backup_job.${op.operation}_requested`,
          actor,
          target: { type: "backup_job", id },
          request: req,
          details: {
            runId: run.id,
            kind: op.kind,
            snapshotId: op.snapshotId,
            target: op.target && redactTarget(op.target),
          },
        },
        trx,
      );
    });
    return runView(run);
  }

  /** Runs an operation here and now (the CLI): no queue, so a locked repository fails at once. */
  async runNow(
    id: string,
    op: { operation: Operation; kind?: BackupKind; target?: RestoreTarget; snapshotId?: string },
  ) {
    const job = await this.#backupJobs.find(id);
    if (op.operation === "restore") this.#checkRestore(job, op.target!, op.snapshotId!);
    const run = this.#newRun(job.id, op.operation, op.kind ?? null, "manual");
    if (op.operation === "restore") Object.assign(run, { snapshot_id: op.snapshotId });
    await this.#repo.insertRun(run);
    await this.#execute(run, { attempt: 1, last: true, target: op.target });
    return runView((await this.#repo.findRun(run.id))!);
  }

  #newRun(jobId: string, operation: Operation, kind: BackupKind | null, trigger: Trigger, id = uuidv7()): RunRow {
    return {
      id,
      job_id: jobId,
      operation,
      kind,
      trigger,
      status: "queued",
      reason: null,
      error: null,
      snapshot_id: null,
      details: null,
      manifest: null,
      attempts: 0,
      created_at: this.#clock.now().toISOString(),
      started_at: null,
      finished_at: null,
      duration_ms: null,
    };
  }

  #checkRestore(job: JobRow, target: RestoreTarget, snapshotId: string): void {
    if (!/^[0-9a-f]{8,64}$/.test(snapshotId)) throw invalid("/snapshotId", "is not a snapshot id");
    const kind = (JSON.parse(job.source) as SourceInput).kind;
    if (target.kind === "path" && !isAbsolute(target.path)) throw invalid("/target/path", "must be an absolute path");
    if (target.kind === "in-place") {
      if (target.confirm !== job.name)
        throw invalid("/target/confirm", "must repeat the job's name to confirm an in-place restore");
      if (kind === "plantao-db")
        throw Problem.conflict(
          "Plantão cannot overwrite its own running database: restore to a path and follow the Plantão restore runbook",
        );
      if (kind === "mysql")
        throw Problem.conflict("in-place MySQL restores are not supported: restore to a path and load the dump");
    }
    if (
      target.kind === "database" &&
      kind !== "postgres" &&
      !(kind === "plantao-db" && !this.#databaseUrl.startsWith("sqlite:"))
    )
      throw invalid("/target/kind", "only PostgreSQL dumps restore into a database");
  }

  /** The `backup.run` job: a requested operation, its restore target sealed in the payload. */
  async runQueued(job: JobContext<RunPayload>): Promise<void> {
    const run = await this.#repo.findRun(job.payload.runId);
    if (!run || run.status === "succeeded" || run.status === "failed") return;
    const target = job.payload.target
      ? (JSON.parse(this.#secrets.open(job.payload.target)) as RestoreTarget)
      : undefined;
    await this.#execute(run, { attempt: job.attempt, last: job.attempt >= LOCK_ATTEMPTS, target, signal: job.signal });
  }

  /** A schedule's tick: the queue job's id is the run's, so a retried tick keeps one run row. */
  async runScheduled(job: JobContext<ScheduledRun>): Promise<void> {
    const row = await this.#repo.findJob(job.payload.jobId);
    if (!row?.enabled) return;
    let run = await this.#repo.findRun(job.id);
    if (!run) {
      run = this.#newRun(row.id, job.payload.operation, job.payload.kind ?? null, "schedule", job.id);
      await this.#repo.insertRun(run);
    }
    if (run.status === "succeeded" || run.status === "failed") return;
    await this.#execute(run, { attempt: job.attempt, last: job.attempt >= LOCK_ATTEMPTS, signal: job.signal });
  }

  /**
   * Runs one operation and records its outcome. A locked repository puts the run back to `queued` and throws,
   * so the queue retries it later; any other failure is final and recorded with its reason.
   */
  async #execute(
    run: RunRow,
    ctx: { attempt: number; last: boolean; target?: RestoreTarget; signal?: AbortSignal },
  ): Promise<void> {
    const saved = await this.#repo.findJob(run.job_id);
    if (!saved) return;
    const job = await this.#access.withMachineKey(saved);
    const started = this.#clock.now();
    const t0 = performance.now();
    await this.#repo.updateRun(run.id, { status: "running", started_at: started.toISOString(), attempts: ctx.attempt });
    try {
      const result =
        run.operation === "backup"
          ? await this.#backup(job, run, started, ctx.signal)
          : run.operation === "check"
            ? await this.#check(job)
            : run.operation === "unlock"
              ? await this.#unlock(job, run)
              : run.operation === "prune"
                ? await this.#prune(job)
                : await this.#restore(job, run.snapshot_id!, ctx.target!, ctx.signal);
      await this.#repo.updateRun(run.id, {
        status: "succeeded",
        reason: null,
        error: null,
        ...result,
        finished_at: this.#clock.now().toISOString(),
        duration_ms: Math.round(performance.now() - t0),
      });
    } catch (err) {
      const failure =
        err instanceof BackupError
          ? err
          : new BackupError("restic-failed", err instanceof Error ? err.message : String(err));
      const retry = failure.reason === "repository-locked" && !ctx.last;
      await this.#repo.transaction(async (trx) => {
        await this.#repo.updateRun(
          run.id,
          {
            status: retry ? "queued" : "failed",
            reason: failure.reason,
            error: failure.message,
            finished_at: retry ? null : this.#clock.now().toISOString(),
            duration_ms: Math.round(performance.now() - t0),
          },
          trx,
        );
        if (!retry)
          await this.#events.publish(
            {
              type: "backup.run_failed",
              subjectId: job.id,
              payload: {
                jobId: job.id,
                name: job.name,
                runId: run.id,
                operation: run.operation,
                reason: failure.reason,
                error: failure.message,
              },
            },
            trx,
          );
      });
      this.#log.warn(
        { job: job.id, run: run.id, reason: failure.reason, err: failure.message },
        "backup operation failed",
      );
      if (retry) throw failure;
    }
  }

  async #backup(job: JobRow, run: RunRow, started: Date, signal?: AbortSignal): Promise<Partial<RunRow>> {
    const spec = this.#access.sourceSpec(job);
    // Reported before anything runs or any snapshot exists.
    if (spec.kind === "files") {
      const missing = await missingPaths(spec.paths);
      if (missing.length) throw new BackupError("source-missing", `source path does not exist: ${missing.join(", ")}`);
    }
    const hooks = JSON.parse(job.hooks) as Hooks;
    const hookEnv = { PLANTAO_BACKUP_JOB: job.name, PLANTAO_BACKUP_KIND: run.kind ?? "" };
    if (hooks.pre?.length) await runHook(hooks.pre, hookEnv);
    const restic = this.#access.restic(job);
    let outcome: Partial<RunRow> | undefined;
    try {
      // The repository was opened when the job was saved; a vanished one fails as repository-not-found.
      const full = run.kind === "full";
      const prepared = await prepareSource(spec, {
        stagingDir: join(this.#dataDir, "backups", "staging", job.id),
        plantaoDatabaseUrl: this.#databaseUrl,
      });
      // The snapshot's own trees record every file's chunk checksums: nothing is read twice while restic runs.
      const resticStarted = performance.now();
      const summary = await restic.backup(prepared.paths, {
        tags: [run.kind ?? "incremental", `plantao-job:${job.id}`],
        host: SNAPSHOT_HOST,
        force: full,
        excludes: prepared.excludes,
        signal,
      });
      const manifest: Manifest = { databases: prepared.databases };
      outcome = {
        snapshot_id: summary.snapshot_id!,
        // restic's own share of the run, from its start to its exit, beside the run's `durationMs`.
        details: JSON.stringify({
          summary,
          restorablePoint: started.toISOString(),
          resticMs: Math.round(performance.now() - resticStarted),
        }),
        manifest: JSON.stringify(manifest),
      };
      return outcome;
    } finally {
      if (hooks.post?.length)
        await runHook(hooks.post, { ...hookEnv, PLANTAO_BACKUP_STATUS: outcome ? "succeeded" : "failed" }).catch(
          (err) => this.#log.warn({ err, job: job.id }, "post-backup hook failed"),
        );
    }
  }

  /**
   * `restic unlock` removes only the locks restic itself finds stale (older than 30 min, or of a process gone
   * from this host). Refused while any Plantão run works on the same repository, so a live lock is never at risk.
   */
  async #unlock(job: JobRow, run: RunRow): Promise<Partial<RunRow>> {
    const busy = await this.#repo.runningOnRepository(job.repository_url, run.id);
    if (busy)
      throw new BackupError(
        "repository-locked",
        `run ${busy} is working on this repository: stale locks stay until it ends`,
      );
    const restic = this.#access.restic(job);
    const before = await restic.locks(this.#clock.now());
    await restic.exec(["unlock"]);
    const after = new Set((await restic.locks(this.#clock.now())).map((l) => l.id));
    const removed = before.filter((l) => !after.has(l.id));
    return { details: JSON.stringify({ removed }) };
  }

  async #check(job: JobRow): Promise<Partial<RunRow>> {
    const n = job.check_cursor;
    try {
      const output = await this.#access.restic(job).check({ n, of: CHECK_GROUPS });
      await this.#repo.advanceCheckCursor(job.id, n, (n % CHECK_GROUPS) + 1);
      return { details: JSON.stringify({ subset: `${n}/${CHECK_GROUPS}`, output: output.slice(-2000) }) };
    } catch (err) {
      if (err instanceof BackupError && err.reason === "restic-failed") {
        await this.#events.publish({
          type: "backup.check_failed",
          subjectId: job.id,
          payload: { jobId: job.id, subset: `${n}/${CHECK_GROUPS}`, error: err.message },
        });
        throw new BackupError(
          "verification-failed",
          `restic check of subset ${n}/${CHECK_GROUPS} found errors: ${err.message}`,
        );
      }
      throw err;
    }
  }

  /** Each snapshot of the job with the tier rule that keeps it, computed here exactly as restic would. */
  async snapshots(id: string) {
    const job = await this.#backupJobs.find(id);
    const list = await this.#access.restic(job).snapshots([`plantao-job:${job.id}`]);
    const { backups } = (await this.#plan.current()).document;
    const byId = new Map(verdicts(list, planRetention(backups.retention)).map((v) => [v.id, v]));
    return list
      .map((s) => snapshotView(s, byId.get(s.id)!))
      .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  }

  /**
   * Retention: our verdicts first, then restic's own (`forget --dry-run`) per tier; only when both agree are
   * the snapshots forgotten and unreferenced data pruned. A disagreement prunes nothing.
   */
  async #prune(job: JobRow): Promise<Partial<RunRow>> {
    const restic = this.#access.restic(job);
    const jobTag = `plantao-job:${job.id}`;
    const list = await restic.snapshots([jobTag]);
    const { backups } = (await this.#plan.current()).document;
    const tiers = planRetention(backups.retention);
    const ours = verdicts(list, tiers);
    const oursById = new Map(ours.map((v) => [v.id, v]));
    for (const tier of tiers) {
      const groups = await restic.forget([jobTag, tier.tag], policyFlags(tier.policy), { dryRun: true, prune: false });
      for (const g of groups) {
        const removed = new Set((g.remove ?? []).map((s) => s.id));
        for (const s of [...(g.keep ?? []), ...(g.remove ?? [])]) {
          if (oursById.get(s.id)?.keep === removed.has(s.id))
            throw new BackupError(
              "verification-failed",
              `restic would choose differently for snapshot ${s.short_id}; nothing was pruned`,
            );
        }
      }
    }
    let removed = 0;
    for (const tier of tiers) {
      const groups = await restic.forget([jobTag, tier.tag], policyFlags(tier.policy), { dryRun: false, prune: false });
      removed += groups.reduce((n, g) => n + (g.remove?.length ?? 0), 0);
    }
    if (removed) await restic.exec(["prune"]);
    const byTime = new Map(list.map((s) => [s.id, s]));
    return {
      details: JSON.stringify({
        removed,
        kept: ours.length - removed,
        verdicts: ours.map((v) => ({ ...v, shortId: byTime.get(v.id)!.short_id, time: byTime.get(v.id)!.time })),
      }),
    };
  }

  async #restore(
    job: JobRow,
    snapshotId: string,
    target: RestoreTarget,
    signal?: AbortSignal,
  ): Promise<Partial<RunRow>> {
    const restic = this.#access.restic(job);
    const spec = this.#access.sourceSpec(job);
    if (target.kind === "path") {
      await restic.restore(snapshotId, target.path, { signal });
      return { snapshot_id: snapshotId, details: JSON.stringify({ target: redactTarget(target) }) };
    }
    if (target.kind === "in-place" && spec.kind === "files") {
      // Snapshot paths are absolute: restoring under / puts every file back where it was.
      await restic.restore(snapshotId, "/", { signal });
      return { snapshot_id: snapshotId, details: JSON.stringify({ target: redactTarget(target) }) };
    }
    // A PostgreSQL dump: restored from the snapshot, then loaded with pg_restore into the chosen database.
    const scratch = join(this.#dataDir, "backups", "scratch", uuidv7());
    try {
      await restic.restore(snapshotId, scratch, { signal });
      const manifest = parseJson<Manifest>((await this.#repo.lastBackup(job.id, { snapshotId }))?.manifest ?? null);
      const dump = manifest?.databases[0];
      if (!dump) throw new BackupError("verification-failed", "this snapshot has no database dump recorded by Plantão");
      const url = target.kind === "database" ? target.url : spec.kind === "postgres" ? spec.url : this.#databaseUrl;
      await pipeFileInto(
        "pg_restore",
        ["--no-owner", "--clean", "--if-exists", "--exit-on-error", "-d", new URL(url).pathname.slice(1)],
        pgEnv(url),
        restoredPath(scratch, dump.file),
      );
      return { snapshot_id: snapshotId, details: JSON.stringify({ target: redactTarget(target) }) };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async runs(id: string, page: { limit: number; before?: string; operation?: Operation }) {
    await this.#backupJobs.find(id);
    return (await this.#repo.listRuns(id, page)).map(runView);
  }

  async run(id: string, runId: string) {
    const row = await this.#repo.findRun(runId, id);
    if (!row) throw Problem.notFound("Backup run");
    return runView(row);
  }

  /** Locks in the job's repository, stale ones marked; never removed here (`restic unlock` is an operator's call). */
  async locks(id: string) {
    const job = await this.#backupJobs.find(id);
    return this.#access.restic(job).locks(this.#clock.now());
  }
}
