import { mkdir, readdir, rm } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { Cron } from "croner";
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobContext, JobQueue } from "../../platform/jobs/queue.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { isTimeZone } from "../plan/measure.js";
import type { PlanService } from "../plan/service.js";
import type { BackupRepository, JobRow, RestoreTestRow, RunRow } from "./repository.js";
import { BackupError, type FailureReason, Restic, type ResticSnapshot } from "./restic.js";
import { addMachineKey, localRepositoryPath, type MachineKey } from "./restic-key.js";
import { policyFlags } from "./retention.js";
import {
  checkMysql,
  checkPostgres,
  checkSqlite,
  type Manifest,
  missingPaths,
  pgEnv,
  pipeFileInto,
  prepareSource,
  runHook,
  type SourceSpec,
} from "./sources.js";
import { type BackupKind, backupKinds, planRetention, type TierVerdict, verdicts } from "./tiers.js";
import { type CheckResult, restoredPath, verifyRestoredFiles } from "./verify.js";

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export const RUN_JOB = "backup.run";
export const SCHEDULED_JOB = "backup.scheduled";
export const RESTORE_TEST_JOB = "backup.restore_test";
export const RPO_JOB = "backup.rpo";
/** Snapshots of every job carry this host name, so restic groups them the same whichever node ran them. */
export const SNAPSHOT_HOST = "plantao";
/** `restic check --read-data-subset n/30`: one group a day reads all pack data within a month. */
export const CHECK_GROUPS = 30;
/** restic 0.14 has no lock retry: a locked repository is retried by the queue, this many times. */
const LOCK_ATTEMPTS = 8;
const lockBackoffMs = (attempt: number) => Math.min(60_000 * 2 ** (attempt - 1), 30 * 60_000);

export type Operation = RunRow["operation"];
type Trigger = RunRow["trigger"];

export interface Schedule {
  full: string | null;
  incremental: string | null;
  frequent: string | null;
  /** Repository check (rotating read-data subset), retention prune and restore test. */
  check: string | null;
  prune: string | null;
  restoreTest: string | null;
  timezone: string;
}

export interface Hooks {
  pre?: string[];
  post?: string[];
}

export type SourceInput =
  | { kind: "plantao-db" }
  | { kind: "files"; paths: string[]; excludes?: string[] }
  | { kind: "postgres"; url: string }
  | { kind: "mysql"; url: string };

export interface JobInput {
  name: string;
  source: SourceInput;
  repository: { url: string; password: string };
  schedule?: Partial<Schedule>;
  hooks?: Hooks;
  dataClass?: string;
  rpoMinutes?: number;
  rtoMinutes?: number;
  enabled?: boolean;
}

export type JobPatch = Partial<Omit<JobInput, "schedule">> & { schedule?: Partial<Schedule> };

export type RestoreTarget =
  | { kind: "path"; path: string }
  | { kind: "in-place"; confirm: string }
  | { kind: "database"; url: string };

interface Secrets {
  repository: string;
  source?: string;
  /** Plantão's own key to a local repository (restic-key.ts); absent for remote ones. */
  machineKey?: MachineKey;
}

export interface BackupOptions {
  dataDir: string;
  databaseUrl: string;
  timezone: string;
}

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });
const minutes = (d: { value: number; unit: "minutes" | "hours" }) =>
  Math.round(d.unit === "hours" ? d.value * 60 : d.value);

/** A database URL without its password, for storage and display. */
function withoutPassword(url: string): { url: string; password?: string } {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = "";
  return { url: u.toString(), password };
}

/** A database source as stored (its URL without the password) and the password, sealed apart. */
function splitSource(source: SourceInput): { source: SourceInput; password?: string } {
  if (source.kind !== "postgres" && source.kind !== "mysql") return { source };
  const { url, password } = withoutPassword(source.url);
  return { source: { kind: source.kind, url }, password };
}

function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

export function jobView(row: JobRow) {
  return {
    id: row.id,
    name: row.name,
    source: JSON.parse(row.source) as SourceInput,
    repository: { url: row.repository_url },
    schedule: JSON.parse(row.schedule) as Schedule,
    hooks: JSON.parse(row.hooks) as Hooks,
    dataClass: row.data_class,
    rpoMinutes: row.rpo_minutes,
    rtoMinutes: row.rto_minutes,
    enabled: Boolean(row.enabled),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function runView(row: Omit<RunRow, "manifest">) {
  return {
    id: row.id,
    jobId: row.job_id,
    operation: row.operation,
    kind: row.kind,
    trigger: row.trigger,
    status: row.status,
    reason: row.reason as FailureReason | null,
    error: row.error,
    snapshotId: row.snapshot_id,
    details: parseJson<Record<string, unknown>>(row.details),
    attempts: row.attempts,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  };
}

export function restoreTestView(row: RestoreTestRow) {
  return {
    id: row.id,
    jobId: row.job_id,
    snapshotId: row.snapshot_id,
    trigger: row.trigger,
    status: row.status,
    checks: JSON.parse(row.checks) as CheckResult[],
    error: row.error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  };
}

function checkHooks(hooks: Hooks | undefined, actor: Actor | null): void {
  if (!hooks?.pre?.length && !hooks?.post?.length) return;
  // Hooks run commands as the Plantão user: only an administrator may set them.
  if (actor && actor.role !== "admin") throw invalid("/hooks", "only an administrator may set hook commands");
}

/** restic backends other than a local path; a local repository must be an absolute path. */
const BACKENDS = /^(sftp|s3|rest|b2|azure|gs|swift|rclone):/;

function checkRepositoryUrl(url: string): void {
  if (!isAbsolute(url) && !BACKENDS.test(url))
    throw invalid("/repository/url", "must be an absolute path or a restic backend URL (sftp:, s3:, rest:…)");
}

function checkSchedule(schedule: Schedule): void {
  if (!isTimeZone(schedule.timezone)) throw invalid("/schedule/timezone", "is not an IANA time zone");
  for (const key of ["full", "incremental", "frequent", "check", "prune", "restoreTest"] as const) {
    const cron = schedule[key];
    if (cron === null) continue;
    try {
      new Cron(cron, { timezone: schedule.timezone, paused: true });
    } catch {
      throw invalid(`/schedule/${key}`, "is not a cron expression (minute hour day-of-month month weekday)");
    }
  }
}

function checkSource(source: SourceInput): void {
  if (source.kind === "files") {
    source.paths.forEach((p, i) => {
      if (!isAbsolute(p)) throw invalid(`/source/paths/${i}`, "must be an absolute path");
    });
  }
  if (source.kind === "postgres" || source.kind === "mysql") {
    let u: URL;
    try {
      u = new URL(source.url);
    } catch {
      throw invalid("/source/url", "is not a URL");
    }
    const scheme = source.kind === "postgres" ? ["postgres:", "postgresql:"] : ["mysql:"];
    if (!scheme.includes(u.protocol) || u.pathname.length < 2)
      throw invalid("/source/url", `must be a ${source.kind}:// URL naming a database`);
  }
}

/**
 * Backups through restic: jobs (a source, a repository, schedules), runs queued as durable jobs so a locked
 * repository is retried, retention per tier shown before it prunes, rotating repository checks, restore tests
 * that prove a snapshot restores, and the measured RPO and RTO against the plan's targets.
 */
export class BackupService {
  constructor(
    private readonly repo: BackupRepository,
    private readonly jobs: JobQueue,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
    private readonly audit: AuditService,
    private readonly plan: PlanService,
    private readonly log: Logger,
    private readonly opts: BackupOptions,
  ) {
    const retry = { maxAttempts: LOCK_ATTEMPTS, backoffMs: lockBackoffMs };
    jobs.register<{ runId: string; target?: string }>(RUN_JOB, (job) => this.#runQueued(job), retry);
    jobs.register<{ jobId: string; operation: Operation | "restore-test"; kind?: BackupKind }>(
      SCHEDULED_JOB,
      (job) => this.#runScheduled(job),
      retry,
    );
    jobs.register<{ testId: string }>(RESTORE_TEST_JOB, (job) => this.#restoreTestQueued(job), retry);
    jobs.register(RPO_JOB, () => this.evaluateRpo(), { maxAttempts: 1 });
  }

  /** Registers the RPO watch; job schedules are registered when jobs are saved. */
  async start(): Promise<void> {
    await this.jobs.schedule("backup:rpo", RPO_JOB, "*/5 * * * *", this.opts.timezone);
  }

  #restic(row: JobRow): Restic {
    const secrets = this.#secrets(row);
    return this.#resticFor(
      row.repository_url,
      secrets.repository,
      (JSON.parse(row.schedule) as Schedule).timezone,
      secrets.machineKey,
    );
  }

  /** restic opening the repository with the machine key when there is one, else with the job's password. */
  #resticFor(repository: string, password: string, timezone: string, machineKey?: MachineKey): Restic {
    const cacheDir = join(this.opts.dataDir, "backups", "cache");
    return new Restic(
      machineKey
        ? {
            repository,
            cacheDir,
            timezone,
            password: machineKey.password,
            keyHint: machineKey.id,
            fallbackPassword: password,
          }
        : { repository, cacheDir, timezone, password },
    );
  }

  /** A machine key for a local repository, proven by restic before use; undefined when none could be added. */
  async #machineKey(repository: string, password: string, timezone: string): Promise<MachineKey | undefined> {
    const cacheDir = join(this.opts.dataDir, "backups", "cache");
    try {
      const key = await addMachineKey(repository, password, this.clock.now(), (k) =>
        new Restic({ repository, cacheDir, timezone, password: k.password, keyHint: k.id })
          .exec(["cat", "config", "--no-lock"])
          .then(
            () => true,
            () => false,
          ),
      );
      return key ?? undefined;
    } catch (err) {
      this.log.warn({ err, repository }, "could not add Plantão's key to the repository; the job's password is used");
      return undefined;
    }
  }

  /** Jobs saved before machine keys existed get theirs before their next operation. */
  async #withMachineKey(row: JobRow): Promise<JobRow> {
    const secrets = this.#secrets(row);
    if (secrets.machineKey || !localRepositoryPath(row.repository_url)) return row;
    const timezone = (JSON.parse(row.schedule) as Schedule).timezone;
    const machineKey = await this.#machineKey(row.repository_url, secrets.repository, timezone);
    if (!machineKey) return row;
    const sealed = this.secrets.seal(JSON.stringify({ ...secrets, machineKey }));
    await this.repo.updateJob(row.id, { secrets: sealed });
    return { ...row, secrets: sealed };
  }

  #secrets(row: JobRow): Secrets {
    return JSON.parse(this.secrets.open(row.secrets)) as Secrets;
  }

  #sourceSpec(row: JobRow): SourceSpec {
    const source = JSON.parse(row.source) as SourceInput;
    if (source.kind === "postgres" || source.kind === "mysql")
      return { ...source, url: withPassword(source.url, this.#secrets(row).source) };
    return source;
  }

  async #defaults() {
    const { document } = await this.plan.current();
    return { backups: document.backups, dr: document.disasterRecovery };
  }

  /** The plan's schedules as defaults; frequent copies for Plantão's own database (the RPO fix). */
  async #schedule(kind: SourceInput["kind"], given: Partial<Schedule> | undefined): Promise<Schedule> {
    const { backups } = await this.#defaults();
    const monthly = backups.restoreTest.cadence === "weekly" ? "30 3 * * 0" : "30 3 1 * *";
    return {
      full: backups.full.cron,
      incremental: backups.incremental.cron,
      frequent: kind === "plantao-db" ? "*/10 * * * *" : null,
      check: "45 4 * * *",
      prune: "15 3 * * *",
      restoreTest: monthly,
      timezone: backups.full.timezone,
      ...given,
    };
  }

  async #applySchedules(row: JobRow): Promise<void> {
    const s = JSON.parse(row.schedule) as Schedule;
    const entries: [string, string | null, Record<string, unknown>][] = [
      ...backupKinds.map(
        (kind) => [kind, s[kind], { operation: "backup", kind }] as [string, string | null, Record<string, unknown>],
      ),
      ["check", s.check, { operation: "check" }],
      ["prune", s.prune, { operation: "prune" }],
      ["restore-test", s.restoreTest, { operation: "restore-test" }],
    ];
    for (const [name, cron, payload] of entries) {
      const key = `backup:${row.id}:${name}`;
      if (cron && row.enabled)
        await this.jobs.schedule(key, SCHEDULED_JOB, cron, s.timezone, { jobId: row.id, ...payload });
      else await this.jobs.unschedule(key);
    }
  }

  /** Opens (or creates) the repository with the given password: a wrong one is refused before anything is saved. */
  async #checkRepository(url: string, password: string, timezone: string): Promise<void> {
    try {
      await this.#resticFor(url, password, timezone).ensureInitialized();
    } catch (err) {
      if (err instanceof BackupError && err.reason === "wrong-password")
        throw invalid("/repository/password", "does not open this repository (wrong password)");
      throw invalid("/repository/url", err instanceof Error ? err.message : String(err));
    }
  }

  // administration --------------------------------------------------------------------------------
  async list() {
    return (await this.repo.listJobs()).map(jobView);
  }

  async get(id: string) {
    return jobView(await this.#find(id));
  }

  async #find(id: string): Promise<JobRow> {
    const row = await this.repo.findJob(id);
    if (!row) throw Problem.notFound("Backup job");
    return row;
  }

  /** A job by id or by name (the CLI takes either). */
  async resolve(idOrName: string): Promise<JobRow> {
    const row =
      (await this.repo.findJobByName(idOrName)) ??
      (/^[0-9a-f-]{36}$/.test(idOrName) ? await this.repo.findJob(idOrName) : undefined);
    if (!row) throw Problem.notFound(`Backup job ${idOrName}`);
    return row;
  }

  async create(actor: Actor | null, input: JobInput, req: RequestInfo) {
    checkSource(input.source);
    checkHooks(input.hooks, actor);
    if (await this.repo.findJobByName(input.name)) throw invalid("/name", "another backup job has this name");
    checkRepositoryUrl(input.repository.url);
    const schedule = await this.#schedule(input.source.kind, input.schedule);
    checkSchedule(schedule);
    await this.#checkRepository(input.repository.url, input.repository.password, schedule.timezone);
    const machineKey = await this.#machineKey(input.repository.url, input.repository.password, schedule.timezone);
    const { dr } = await this.#defaults();
    const now = this.clock.now().toISOString();
    const { source, password: sourcePassword } = splitSource(input.source);
    const id = uuidv7();
    const values = {
      id,
      name: input.name,
      source,
      repository_url: input.repository.url,
      secrets: this.secrets.seal(
        JSON.stringify({ repository: input.repository.password, source: sourcePassword, machineKey }),
      ),
      schedule,
      hooks: input.hooks ?? {},
      data_class:
        input.dataClass ??
        (source.kind === "plantao-db" ? "plantao-db" : source.kind === "files" ? "files" : "databases"),
      rpo_minutes: input.rpoMinutes ?? minutes(dr.rpo),
      rto_minutes: input.rtoMinutes ?? minutes(dr.rto),
      enabled: input.enabled ?? true,
      check_cursor: 1,
      rpo_alerted_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.repo.transaction(async (trx) => {
      await this.repo.insertJob(values, trx);
      await this.audit.record(
        {
          action: "backup_job.created",
          actor,
          target: { type: "backup_job", id },
          request: req,
          details: { name: values.name, source, repository: values.repository_url },
        },
        trx,
      );
    });
    const row = await this.#find(id);
    await this.#applySchedules(row);
    return jobView(row);
  }

  async update(actor: Actor | null, id: string, patch: JobPatch, req: RequestInfo) {
    const before = await this.#find(id);
    if (patch.source) checkSource(patch.source);
    checkHooks(patch.hooks, actor);
    if (patch.name && patch.name !== before.name && (await this.repo.findJobByName(patch.name)))
      throw invalid("/name", "another backup job has this name");
    const schedule = { ...(JSON.parse(before.schedule) as Schedule), ...patch.schedule };
    checkSchedule(schedule);
    const secrets = this.#secrets(before);
    if (patch.repository) {
      checkRepositoryUrl(patch.repository.url);
      await this.#checkRepository(patch.repository.url, patch.repository.password, schedule.timezone);
      secrets.repository = patch.repository.password;
      secrets.machineKey = await this.#machineKey(patch.repository.url, patch.repository.password, schedule.timezone);
    }
    const split = patch.source && splitSource(patch.source);
    if (split) secrets.source = split.password;
    const source = split?.source;
    await this.repo.transaction(async (trx) => {
      await this.repo.updateJob(
        id,
        {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(source ? { source } : {}),
          ...(patch.repository ? { repository_url: patch.repository.url } : {}),
          secrets: this.secrets.seal(JSON.stringify(secrets)),
          schedule,
          ...(patch.hooks !== undefined ? { hooks: patch.hooks } : {}),
          ...(patch.dataClass !== undefined ? { data_class: patch.dataClass } : {}),
          ...(patch.rpoMinutes !== undefined ? { rpo_minutes: patch.rpoMinutes } : {}),
          ...(patch.rtoMinutes !== undefined ? { rto_minutes: patch.rtoMinutes } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          updated_at: this.clock.now().toISOString(),
        },
        trx,
      );
      const after = await this.repo.findJob(id, trx);
      await this.audit.record(
        {
          action: "backup_job.updated",
          actor,
          target: { type: "backup_job", id },
          request: req,
          change: { before: jobView(before), after: jobView(after!) },
        },
        trx,
      );
    });
    const row = await this.#find(id);
    await this.#applySchedules(row);
    return jobView(row);
  }

  /** Deletes the job and its history in Plantão; the repository and its snapshots are left as they are. */
  async remove(actor: Actor | null, id: string, req: RequestInfo): Promise<void> {
    const row = await this.#find(id);
    await this.repo.transaction(async (trx) => {
      await this.repo.deleteJob(id, trx);
      // Queued ticks then find no job and do nothing.
      await this.jobs.unschedule(`backup:${id}:`, trx);
      await this.audit.record(
        {
          action: "backup_job.deleted",
          actor,
          target: { type: "backup_job", id },
          request: req,
          details: { name: row.name, repository: row.repository_url },
        },
        trx,
      );
    });
  }

  // runs ------------------------------------------------------------------------------------------
  /** Queues an operation; the queue runs it and retries it while the repository is locked. */
  async request(
    actor: Actor | null,
    id: string,
    op: { operation: Operation; kind?: BackupKind; target?: RestoreTarget; snapshotId?: string },
    req: RequestInfo,
  ) {
    const job = await this.#find(id);
    if (op.operation === "restore") this.#checkRestore(job, op.target!, op.snapshotId!);
    const run = this.#newRun(job.id, op.operation, op.kind ?? null, "manual");
    if (op.operation === "restore")
      Object.assign(run, { snapshot_id: op.snapshotId, details: JSON.stringify({ target: redactTarget(op.target!) }) });
    await this.repo.transaction(async (trx) => {
      await this.repo.insertRun(run, trx);
      await this.jobs.enqueue(
        RUN_JOB,
        // The target may hold a database password: sealed, as every secret at rest.
        { runId: run.id, ...(op.target ? { target: this.secrets.seal(JSON.stringify(op.target)) } : {}) },
        { executor: trx },
      );
      await this.audit.record(
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
    const job = await this.#find(id);
    if (op.operation === "restore") this.#checkRestore(job, op.target!, op.snapshotId!);
    const run = this.#newRun(job.id, op.operation, op.kind ?? null, "manual");
    if (op.operation === "restore") Object.assign(run, { snapshot_id: op.snapshotId });
    await this.repo.insertRun(run);
    await this.#execute(run, { attempt: 1, last: true, target: op.target });
    return runView((await this.repo.findRun(run.id))!);
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
      created_at: this.clock.now().toISOString(),
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
      !(kind === "plantao-db" && !this.opts.databaseUrl.startsWith("sqlite:"))
    )
      throw invalid("/target/kind", "only PostgreSQL dumps restore into a database");
  }

  async #runQueued(job: JobContext<{ runId: string; target?: string }>): Promise<void> {
    const run = await this.repo.findRun(job.payload.runId);
    if (!run || run.status === "succeeded" || run.status === "failed") return;
    const target = job.payload.target
      ? (JSON.parse(this.secrets.open(job.payload.target)) as RestoreTarget)
      : undefined;
    await this.#execute(run, { attempt: job.attempt, last: job.attempt >= LOCK_ATTEMPTS, target, signal: job.signal });
  }

  /** A schedule's tick: the queue job's id is the run's, so a retried tick keeps one run row. */
  async #runScheduled(job: JobContext<{ jobId: string; operation: Operation | "restore-test"; kind?: BackupKind }>) {
    const row = await this.repo.findJob(job.payload.jobId);
    if (!row?.enabled) return;
    if (job.payload.operation === "restore-test") {
      const test =
        (await this.repo.findRestoreTest(job.id)) ?? (await this.#newRestoreTest(row.id, null, "schedule", job.id));
      if (test.status !== "running") return;
      return this.#restoreTest(test, { attempt: job.attempt, last: job.attempt >= LOCK_ATTEMPTS, signal: job.signal });
    }
    let run = await this.repo.findRun(job.id);
    if (!run) {
      run = this.#newRun(row.id, job.payload.operation, job.payload.kind ?? null, "schedule", job.id);
      await this.repo.insertRun(run);
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
    const saved = await this.repo.findJob(run.job_id);
    if (!saved) return;
    const job = await this.#withMachineKey(saved);
    const started = this.clock.now();
    const t0 = performance.now();
    await this.repo.updateRun(run.id, { status: "running", started_at: started.toISOString(), attempts: ctx.attempt });
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
      await this.repo.updateRun(run.id, {
        status: "succeeded",
        reason: null,
        error: null,
        ...result,
        finished_at: this.clock.now().toISOString(),
        duration_ms: Math.round(performance.now() - t0),
      });
    } catch (err) {
      const failure =
        err instanceof BackupError
          ? err
          : new BackupError("restic-failed", err instanceof Error ? err.message : String(err));
      const retry = failure.reason === "repository-locked" && !ctx.last;
      await this.repo.transaction(async (trx) => {
        await this.repo.updateRun(
          run.id,
          {
            status: retry ? "queued" : "failed",
            reason: failure.reason,
            error: failure.message,
            finished_at: retry ? null : this.clock.now().toISOString(),
            duration_ms: Math.round(performance.now() - t0),
          },
          trx,
        );
        if (!retry)
          await this.events.publish(
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
      this.log.warn(
        { job: job.id, run: run.id, reason: failure.reason, err: failure.message },
        "backup operation failed",
      );
      if (retry) throw failure;
    }
  }

  async #backup(job: JobRow, run: RunRow, started: Date, signal?: AbortSignal): Promise<Partial<RunRow>> {
    const spec = this.#sourceSpec(job);
    // Reported before anything runs or any snapshot exists.
    if (spec.kind === "files") {
      const missing = await missingPaths(spec.paths);
      if (missing.length) throw new BackupError("source-missing", `source path does not exist: ${missing.join(", ")}`);
    }
    const hooks = JSON.parse(job.hooks) as Hooks;
    const hookEnv = { PLANTAO_BACKUP_JOB: job.name, PLANTAO_BACKUP_KIND: run.kind ?? "" };
    if (hooks.pre?.length) await runHook(hooks.pre, hookEnv);
    const restic = this.#restic(job);
    let outcome: Partial<RunRow> | undefined;
    try {
      // The repository was opened when the job was saved; a vanished one fails as repository-not-found.
      const full = run.kind === "full";
      const prepared = await prepareSource(spec, {
        stagingDir: join(this.opts.dataDir, "backups", "staging", job.id),
        plantaoDatabaseUrl: this.opts.databaseUrl,
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
          (err) => this.log.warn({ err, job: job.id }, "post-backup hook failed"),
        );
    }
  }

  /**
   * `restic unlock` removes only the locks restic itself finds stale (older than 30 min, or of a process gone
   * from this host). Refused while any Plantão run works on the same repository, so a live lock is never at risk.
   */
  async #unlock(job: JobRow, run: RunRow): Promise<Partial<RunRow>> {
    const busy = await this.repo.runningOnRepository(job.repository_url, run.id);
    if (busy)
      throw new BackupError(
        "repository-locked",
        `run ${busy} is working on this repository: stale locks stay until it ends`,
      );
    const restic = this.#restic(job);
    const before = await restic.locks(this.clock.now());
    await restic.exec(["unlock"]);
    const after = new Set((await restic.locks(this.clock.now())).map((l) => l.id));
    const removed = before.filter((l) => !after.has(l.id));
    return { details: JSON.stringify({ removed }) };
  }

  async #check(job: JobRow): Promise<Partial<RunRow>> {
    const n = job.check_cursor;
    try {
      const output = await this.#restic(job).check({ n, of: CHECK_GROUPS });
      await this.repo.advanceCheckCursor(job.id, n, (n % CHECK_GROUPS) + 1);
      return { details: JSON.stringify({ subset: `${n}/${CHECK_GROUPS}`, output: output.slice(-2000) }) };
    } catch (err) {
      if (err instanceof BackupError && err.reason === "restic-failed") {
        await this.events.publish({
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
    const job = await this.#find(id);
    const list = await this.#restic(job).snapshots([`plantao-job:${job.id}`]);
    const { backups } = await this.#defaults();
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
    const restic = this.#restic(job);
    const jobTag = `plantao-job:${job.id}`;
    const list = await restic.snapshots([jobTag]);
    const { backups } = await this.#defaults();
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
    const restic = this.#restic(job);
    const spec = this.#sourceSpec(job);
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
    const scratch = join(this.opts.dataDir, "backups", "scratch", uuidv7());
    try {
      await restic.restore(snapshotId, scratch, { signal });
      const manifest = parseJson<Manifest>((await this.repo.lastBackup(job.id, { snapshotId }))?.manifest ?? null);
      const dump = manifest?.databases[0];
      if (!dump) throw new BackupError("verification-failed", "this snapshot has no database dump recorded by Plantão");
      const url = target.kind === "database" ? target.url : spec.kind === "postgres" ? spec.url : this.opts.databaseUrl;
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
    await this.#find(id);
    return (await this.repo.listRuns(id, page)).map(runView);
  }

  async run(id: string, runId: string) {
    const row = await this.repo.findRun(runId, id);
    if (!row) throw Problem.notFound("Backup run");
    return runView(row);
  }

  /** Locks in the job's repository, stale ones marked; never removed here (`restic unlock` is an operator's call). */
  async locks(id: string) {
    const job = await this.#find(id);
    return this.#restic(job).locks(this.clock.now());
  }

  // restore tests ---------------------------------------------------------------------------------
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
      created_at: this.clock.now().toISOString(),
      finished_at: null,
      duration_ms: null,
    };
    await this.repo.insertRestoreTest(row, executor);
    return row;
  }

  async startRestoreTest(actor: Actor | null, id: string, snapshotId: string | undefined, req: RequestInfo) {
    await this.#find(id);
    if (snapshotId !== undefined && !(await this.repo.lastBackup(id, { snapshotId })))
      throw invalid("/snapshotId", "is not a snapshot of a backup Plantão recorded for this job");
    const test = await this.repo.transaction(async (trx) => {
      const row = await this.#newRestoreTest(id, snapshotId ?? null, "manual", uuidv7(), trx);
      await this.jobs.enqueue(RESTORE_TEST_JOB, { testId: row.id }, { executor: trx });
      await this.audit.record(
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
  async restoreTestNow(id: string, snapshotId?: string) {
    await this.#find(id);
    const test = await this.#newRestoreTest(id, snapshotId ?? null, "manual");
    await this.#restoreTest(test, { attempt: 1, last: true });
    return restoreTestView((await this.repo.findRestoreTest(test.id))!);
  }

  async #restoreTestQueued(job: JobContext<{ testId: string }>): Promise<void> {
    const test = await this.repo.findRestoreTest(job.payload.testId);
    if (test?.status !== "running") return;
    await this.#restoreTest(test, { attempt: job.attempt, last: job.attempt >= LOCK_ATTEMPTS, signal: job.signal });
  }

  /**
   * Restores a snapshot into a scratch directory, compares every file with the chunk checksums its snapshot
   * recorded, loads database dumps
   * into a scratch database and checks them; the time it took is the measured RTO.
   */
  async #restoreTest(
    test: RestoreTestRow,
    ctx: { attempt: number; last: boolean; signal?: AbortSignal },
  ): Promise<void> {
    const saved = await this.repo.findJob(test.job_id);
    if (!saved) return;
    const job = await this.#withMachineKey(saved);
    const t0 = performance.now();
    const checks: CheckResult[] = [];
    const scratch = join(this.opts.dataDir, "backups", "scratch", test.id);
    let snapshotId = test.snapshot_id;
    let error: string | null = null;
    try {
      const backup = await this.repo.lastBackup(job.id, snapshotId ? { snapshotId } : {});
      if (!backup?.snapshot_id)
        throw new BackupError("verification-failed", "there is no successful backup to restore");
      snapshotId = backup.snapshot_id;
      const manifest = parseJson<Manifest>(backup.manifest) ?? { databases: [] };
      const restic = this.#restic(job);
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
          : {
              name: "restore",
              status: "passed",
              detail: `snapshot ${snapshotId} restored (${await countFiles(scratch)} files)`,
            },
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
          const spec = this.#sourceSpec(job);
          checks.push(...(await checkPostgres(file, db, spec.kind === "postgres" ? spec.url : this.opts.databaseUrl)));
        } else {
          const spec = this.#sourceSpec(job);
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
        ? { name: "rto", status: "passed", detail: `${durationMs} ms within the RTO of ${job.rto_minutes} min` }
        : { name: "rto", status: "failed", detail: `${durationMs} ms exceeds the RTO of ${job.rto_minutes} min` },
    );
    const failed = checks.filter((c) => c.status === "failed");
    const status = failed.length ? "failed" : "passed";
    await this.repo.transaction(async (trx) => {
      await this.repo.updateRestoreTest(
        test.id,
        {
          status,
          snapshot_id: snapshotId,
          checks: JSON.stringify(checks),
          error: error ?? (failed.length ? failed.map((c) => `${c.name}: ${c.detail}`).join("; ") : null),
          finished_at: this.clock.now().toISOString(),
          duration_ms: durationMs,
        },
        trx,
      );
      // Incidents do not exist yet: the event is the alert, for webhooks and the event stream.
      if (failed.length)
        await this.events.publish(
          {
            type: "backup.restore_test_failed",
            subjectId: job.id,
            payload: { jobId: job.id, name: job.name, testId: test.id, snapshotId, failedChecks: failed },
          },
          trx,
        );
    });
  }

  async restoreTests(id: string, page: { limit: number; before?: string }) {
    await this.#find(id);
    return (await this.repo.listRestoreTests(id, page)).map(restoreTestView);
  }

  async restoreTest(id: string, testId: string) {
    const row = await this.repo.findRestoreTest(testId, id);
    if (!row) throw Problem.notFound("Restore test");
    return restoreTestView(row);
  }

  // RPO and RTO -----------------------------------------------------------------------------------
  /** Per job and per data class: measured RPO (now minus the newest restorable point) and RTO against targets. */
  async rpo() {
    const now = this.clock.now().getTime();
    const jobs: RpoEntry[] = [];
    const points = await this.repo.lastBackupTimes();
    for (const job of await this.repo.listJobs()) {
      const test = await this.repo.lastPassedRestoreTest(job.id);
      const point = points.get(job.id) ?? null;
      const rpoMinutes = point === null ? null : (now - new Date(point).getTime()) / 60_000;
      const rtoMinutes = test?.duration_ms == null ? null : test.duration_ms / 60_000;
      jobs.push({
        jobId: job.id,
        name: job.name,
        dataClass: job.data_class,
        enabled: Boolean(job.enabled),
        restorablePoint: point,
        rpo: {
          targetMinutes: job.rpo_minutes,
          measuredMinutes: rpoMinutes === null ? null : Math.round(rpoMinutes * 10) / 10,
          status:
            rpoMinutes === null
              ? ("no-backup" as const)
              : rpoMinutes > job.rpo_minutes
                ? ("exceeded" as const)
                : ("ok" as const),
        },
        rto: {
          targetMinutes: job.rto_minutes,
          measuredMinutes: rtoMinutes === null ? null : Math.round(rtoMinutes * 100) / 100,
          status:
            rtoMinutes === null
              ? ("untested" as const)
              : rtoMinutes > job.rto_minutes
                ? ("exceeded" as const)
                : ("ok" as const),
          testedAt: test?.finished_at ?? null,
        },
      });
    }
    const worst = <T extends string>(statuses: T[], order: T[]) =>
      order.find((s) => statuses.includes(s)) ?? order.at(-1)!;
    const classes = [...new Set(jobs.map((j) => j.dataClass))].sort().map((dataClass) => {
      const mine = jobs.filter((j) => j.dataClass === dataClass);
      return {
        dataClass,
        jobs: mine.length,
        rpoStatus: worst(
          mine.map((j) => j.rpo.status),
          ["no-backup", "exceeded", "ok"],
        ),
        rtoStatus: worst(
          mine.map((j) => j.rto.status),
          ["untested", "exceeded", "ok"],
        ),
      };
    });
    return { measuredAt: new Date(now).toISOString(), jobs, classes };
  }

  /** Publishes `backup.rpo_exceeded` once when a job's RPO goes over target, `backup.rpo_recovered` when back. */
  async evaluateRpo(): Promise<void> {
    const { jobs } = await this.rpo();
    const now = this.clock.now().toISOString();
    for (const j of jobs) {
      if (!j.enabled) continue;
      const row = await this.repo.findJob(j.jobId);
      if (!row) continue;
      const over = j.rpo.status !== "ok";
      if (over === (row.rpo_alerted_at !== null)) continue;
      await this.repo.transaction(async (trx) => {
        await this.repo.setRpoAlerted(j.jobId, over ? now : null, trx);
        await this.events.publish(
          {
            type: over ? "backup.rpo_exceeded" : "backup.rpo_recovered",
            subjectId: j.jobId,
            payload: {
              jobId: j.jobId,
              name: j.name,
              dataClass: j.dataClass,
              restorablePoint: j.restorablePoint,
              ...j.rpo,
            },
          },
          trx,
        );
      });
    }
  }
}

type RpoStatus = "ok" | "exceeded" | "no-backup";
type RtoStatus = "ok" | "exceeded" | "untested";
interface RpoEntry {
  jobId: string;
  name: string;
  dataClass: string;
  enabled: boolean;
  restorablePoint: string | null;
  rpo: { targetMinutes: number; measuredMinutes: number | null; status: RpoStatus };
  rto: { targetMinutes: number; measuredMinutes: number | null; status: RtoStatus; testedAt: string | null };
}

function redactTarget(t: RestoreTarget) {
  return t.kind === "database" ? { kind: t.kind, url: withoutPassword(t.url).url } : t;
}

function snapshotView(s: ResticSnapshot, v: TierVerdict) {
  return {
    id: s.id,
    shortId: s.short_id,
    time: s.time,
    tags: s.tags ?? [],
    paths: s.paths,
    hostname: s.hostname,
    kind: backupKinds.find((k) => s.tags?.includes(k)) ?? null,
    retention: { keep: v.keep, tier: v.tier, reasons: v.reasons },
  };
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n++;
  return n;
}
