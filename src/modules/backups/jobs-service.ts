import { isAbsolute } from "node:path";
import { Cron } from "croner";
import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { isTimeZone } from "../plan/measure.js";
import type { PlanService } from "../plan/service.js";
import {
  type Hooks,
  type JobInput,
  type JobPatch,
  jobView,
  type RequestInfo,
  SCHEDULED_JOB,
  type Schedule,
  type SourceInput,
  splitSource,
} from "./model.js";
import type { BackupRepository, JobRow } from "./repository.js";
import { BackupError } from "./restic.js";
import type { ResticAccess } from "./restic-access.js";
import { backupKinds } from "./tiers.js";

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });
const minutes = (d: { value: number; unit: "minutes" | "hours" }) =>
  Math.round(d.unit === "hours" ? d.value * 60 : d.value);

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

export interface BackupJobServiceDeps {
  repo: BackupRepository;
  access: ResticAccess;
  jobs: JobQueue;
  clock: Clock;
  audit: AuditService;
  plan: PlanService;
}

/** Backup jobs: a source, a repository (opened before it is saved) and schedules queued as durable jobs. */
export class BackupJobService {
  readonly #repo: BackupRepository;
  readonly #access: ResticAccess;
  readonly #jobs: JobQueue;
  readonly #clock: Clock;
  readonly #audit: AuditService;
  readonly #plan: PlanService;

  constructor(deps: BackupJobServiceDeps) {
    this.#repo = deps.repo;
    this.#access = deps.access;
    this.#jobs = deps.jobs;
    this.#clock = deps.clock;
    this.#audit = deps.audit;
    this.#plan = deps.plan;
  }

  async #defaults() {
    const { document } = await this.#plan.current();
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
        await this.#jobs.schedule(key, SCHEDULED_JOB, cron, s.timezone, { jobId: row.id, ...payload });
      else await this.#jobs.unschedule(key);
    }
  }

  /** Opens (or creates) the repository with the given password: a wrong one is refused before anything is saved. */
  async #checkRepository(url: string, password: string, timezone: string): Promise<void> {
    try {
      await this.#access.resticFor(url, password, timezone).ensureInitialized();
    } catch (err) {
      if (err instanceof BackupError && err.reason === "wrong-password")
        throw invalid("/repository/password", "does not open this repository (wrong password)");
      throw invalid("/repository/url", err instanceof Error ? err.message : String(err));
    }
  }

  // administration --------------------------------------------------------------------------------
  async list() {
    return (await this.#repo.listJobs()).map(jobView);
  }

  async get(id: string) {
    return jobView(await this.find(id));
  }

  /** The job row, or 404. */
  async find(id: string): Promise<JobRow> {
    const row = await this.#repo.findJob(id);
    if (!row) throw Problem.notFound("Backup job");
    return row;
  }

  /** A job by id or by name (the CLI takes either). */
  async resolve(idOrName: string): Promise<JobRow> {
    const row =
      (await this.#repo.findJobByName(idOrName)) ??
      (/^[0-9a-f-]{36}$/.test(idOrName) ? await this.#repo.findJob(idOrName) : undefined);
    if (!row) throw Problem.notFound(`Backup job ${idOrName}`);
    return row;
  }

  async create(actor: Actor | null, input: JobInput, req: RequestInfo) {
    checkSource(input.source);
    checkHooks(input.hooks, actor);
    if (await this.#repo.findJobByName(input.name)) throw invalid("/name", "another backup job has this name");
    checkRepositoryUrl(input.repository.url);
    const schedule = await this.#schedule(input.source.kind, input.schedule);
    checkSchedule(schedule);
    await this.#checkRepository(input.repository.url, input.repository.password, schedule.timezone);
    const machineKey = await this.#access.machineKey(
      input.repository.url,
      input.repository.password,
      schedule.timezone,
    );
    const { dr } = await this.#defaults();
    const now = this.#clock.now().toISOString();
    const { source, password: sourcePassword } = splitSource(input.source);
    const id = uuidv7();
    const values = {
      id,
      name: input.name,
      source,
      repository_url: input.repository.url,
      secrets: this.#access.seal({ repository: input.repository.password, source: sourcePassword, machineKey }),
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
    await this.#repo.transaction(async (trx) => {
      await this.#repo.insertJob(values, trx);
      await this.#audit.record(
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
    const row = await this.find(id);
    await this.#applySchedules(row);
    return jobView(row);
  }

  async update(actor: Actor | null, id: string, patch: JobPatch, req: RequestInfo) {
    const before = await this.find(id);
    if (patch.source) checkSource(patch.source);
    checkHooks(patch.hooks, actor);
    if (patch.name && patch.name !== before.name && (await this.#repo.findJobByName(patch.name)))
      throw invalid("/name", "another backup job has this name");
    const schedule = { ...(JSON.parse(before.schedule) as Schedule), ...patch.schedule };
    checkSchedule(schedule);
    const secrets = this.#access.secrets(before);
    if (patch.repository) {
      checkRepositoryUrl(patch.repository.url);
      await this.#checkRepository(patch.repository.url, patch.repository.password, schedule.timezone);
      secrets.repository = patch.repository.password;
      secrets.machineKey = await this.#access.machineKey(
        patch.repository.url,
        patch.repository.password,
        schedule.timezone,
      );
    }
    const split = patch.source && splitSource(patch.source);
    if (split) secrets.source = split.password;
    const source = split?.source;
    await this.#repo.transaction(async (trx) => {
      await this.#repo.updateJob(
        id,
        {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(source ? { source } : {}),
          ...(patch.repository ? { repository_url: patch.repository.url } : {}),
          secrets: this.#access.seal(secrets),
          schedule,
          ...(patch.hooks !== undefined ? { hooks: patch.hooks } : {}),
          ...(patch.dataClass !== undefined ? { data_class: patch.dataClass } : {}),
          ...(patch.rpoMinutes !== undefined ? { rpo_minutes: patch.rpoMinutes } : {}),
          ...(patch.rtoMinutes !== undefined ? { rto_minutes: patch.rtoMinutes } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          updated_at: this.#clock.now().toISOString(),
        },
        trx,
      );
      const after = await this.#repo.findJob(id, trx);
      await this.#audit.record(
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
    const row = await this.find(id);
    await this.#applySchedules(row);
    return jobView(row);
  }

  /** Deletes the job and its history in Plantão; the repository and its snapshots are left as they are. */
  async remove(actor: Actor | null, id: string, req: RequestInfo): Promise<void> {
    const row = await this.find(id);
    await this.#repo.transaction(async (trx) => {
      await this.#repo.deleteJob(id, trx);
      // Queued ticks then find no job and do nothing.
      await this.#jobs.unschedule(`backup:${id}:`, trx);
      await this.#audit.record(
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
}
