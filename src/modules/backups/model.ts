import type { FastifyRequest } from "fastify";
import type { BackupJobService } from "./jobs-service.js";
import type { JobRow, RestoreTestRow, RunRow } from "./repository.js";
import type { FailureReason, ResticSnapshot } from "./restic.js";
import type { MachineKey } from "./restic-key.js";
import type { RestoreTestService } from "./restore-tests.js";
import type { RpoService } from "./rpo.js";
import type { BackupRunner } from "./runner.js";
import { type BackupKind, backupKinds, type TierVerdict } from "./tiers.js";
import type { CheckResult } from "./verify.js";

/** The backup services, composed in `src/services.ts`: jobs, the runner, restore tests and the RPO watch. */
export interface Backups {
  jobs: BackupJobService;
  runner: BackupRunner;
  restoreTests: RestoreTestService;
  rpo: RpoService;
}

export type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export const RUN_JOB = "backup.run";
export const SCHEDULED_JOB = "backup.scheduled";
export const RESTORE_TEST_JOB = "backup.restore_test";
export const RPO_JOB = "backup.rpo";
/** Snapshots of every job carry this host name, so restic groups them the same whichever node ran them. */
export const SNAPSHOT_HOST = "plantao";
/** `restic check --read-data-subset n/30`: one group a day reads all pack data within a month. */
export const CHECK_GROUPS = 30;
/** restic 0.14 has no lock retry: a locked repository is retried by the queue, this many times. */
export const LOCK_ATTEMPTS = 8;
export const lockBackoffMs = (attempt: number) => Math.min(60_000 * 2 ** (attempt - 1), 30 * 60_000);

export type Operation = RunRow["operation"];
/** Payload of a `backup.run` job; the restore target is sealed, as it may hold a database password. */
export interface RunPayload {
  runId: string;
  target?: string;
}
/** A `backup.scheduled` tick of an operation, run by the runner. */
export interface ScheduledRun {
  jobId: string;
  operation: Operation;
  kind?: BackupKind;
}
/** A `backup.scheduled` tick of a restore test, which is not a run: the restore tests take it. */
export interface ScheduledRestoreTest {
  jobId: string;
  operation: "restore-test";
}
export type ScheduledPayload = ScheduledRun | ScheduledRestoreTest;
/** Payload of a `backup.restore_test` job. */
export interface RestoreTestPayload {
  testId: string;
}
export type Trigger = RunRow["trigger"];

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

export interface Secrets {
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

/** A database URL without its password, for storage and display. */
export function withoutPassword(url: string): { url: string; password?: string } {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = "";
  return { url: u.toString(), password };
}

/** A database source as stored (its URL without the password) and the password, sealed apart. */
export function splitSource(source: SourceInput): { source: SourceInput; password?: string } {
  if (source.kind !== "postgres" && source.kind !== "mysql") return { source };
  const { url, password } = withoutPassword(source.url);
  return { source: { kind: source.kind, url }, password };
}

export function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

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

type RpoStatus = "ok" | "exceeded" | "no-backup";
type RtoStatus = "ok" | "exceeded" | "untested";
export interface RpoEntry {
  jobId: string;
  name: string;
  dataClass: string;
  enabled: boolean;
  restorablePoint: string | null;
  rpo: { targetMinutes: number; measuredMinutes: number | null; status: RpoStatus };
  rto: { targetMinutes: number; measuredMinutes: number | null; status: RtoStatus; testedAt: string | null };
}

export function redactTarget(t: RestoreTarget) {
  return t.kind === "database" ? { kind: t.kind, url: withoutPassword(t.url).url } : t;
}

export function snapshotView(s: ResticSnapshot, v: TierVerdict) {
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
