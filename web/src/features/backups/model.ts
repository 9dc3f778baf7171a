import { call } from "../../api/client";
import { compactDuration } from "../../shell/format";
import type { Page } from "../../shell/paging";

// Shapes of /api/v1/backup-jobs and /api/v1/backups/rpo, as src/modules/backups/schemas.ts defines them.
export const sourceKinds = ["plantao-db", "files", "postgres", "mysql"] as const;
export type SourceKind = (typeof sourceKinds)[number];
export const backupKinds = ["full", "incremental", "frequent"] as const;
export type BackupKind = (typeof backupKinds)[number];
export type RunStatus = "queued" | "running" | "succeeded" | "failed";
export type RpoStatus = "ok" | "exceeded" | "no-backup";
export type RtoStatus = "ok" | "exceeded" | "untested";

export interface Schedule {
  full: string | null;
  incremental: string | null;
  frequent: string | null;
  check: string | null;
  prune: string | null;
  restoreTest: string | null;
  timezone: string;
}

export interface Job {
  id: string;
  name: string;
  source: { kind: SourceKind; paths?: string[]; excludes?: string[]; url?: string };
  repository: { url: string };
  schedule: Schedule;
  hooks: { pre?: string[]; post?: string[] };
  dataClass: string;
  rpoMinutes: number;
  rtoMinutes: number;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface JobInput {
  name: string;
  source: { kind: "plantao-db" } | { kind: "files"; paths: string[] } | { kind: "postgres" | "mysql"; url: string };
  repository: { url: string; password: string };
  dataClass?: string;
  rpoMinutes?: number;
  rtoMinutes?: number;
}

export interface Run {
  id: string;
  jobId: string;
  operation: "backup" | "check" | "prune" | "restore";
  kind: BackupKind | null;
  trigger: "schedule" | "manual";
  status: RunStatus;
  reason: string | null;
  error: string | null;
  snapshotId: string | null;
  details: Record<string, unknown> | null;
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface Snapshot {
  id: string;
  shortId: string;
  time: string;
  tags: string[];
  paths: string[];
  hostname: string;
  kind: BackupKind | null;
  retention: { keep: boolean; tier: BackupKind | null; reasons: string[] };
}

export interface RestoreTest {
  id: string;
  jobId: string;
  snapshotId: string | null;
  trigger: "schedule" | "manual";
  status: "running" | "passed" | "failed";
  checks: { name: string; status: "passed" | "failed"; detail: string }[];
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

interface Target<S> {
  targetMinutes: number;
  measuredMinutes: number | null;
  status: S;
}
export interface RpoReport {
  measuredAt: string;
  jobs: {
    jobId: string;
    name: string;
    dataClass: string;
    enabled: boolean;
    restorablePoint: string | null;
    rpo: Target<RpoStatus>;
    rto: Target<RtoStatus> & { testedAt: string | null };
  }[];
  classes: { dataClass: string; jobs: number; rpoStatus: RpoStatus; rtoStatus: RtoStatus }[];
}

export interface Lock {
  id: string;
  time: string;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
  stale: boolean;
}

export type RestoreTarget =
  | { kind: "path"; path: string }
  | { kind: "in-place"; confirm: string }
  | { kind: "database"; url: string };

const byId = (id: string) => ({ path: { id } });

export const backups = {
  jobs: (signal?: AbortSignal) => call<{ items: Job[] }>("GET", "/api/v1/backup-jobs", { signal }),
  job: (id: string, signal?: AbortSignal) => call<Job>("GET", "/api/v1/backup-jobs/{id}", { params: byId(id), signal }),
  create: (body: JobInput) => call<Job>("POST", "/api/v1/backup-jobs", { body }),
  run: (id: string, kind: BackupKind) =>
    call<Run>("POST", "/api/v1/backup-jobs/{id}/run", { params: byId(id), body: { kind } }),
  operation: (id: string, operation: "check" | "prune") =>
    call<Run>("POST", "/api/v1/backup-jobs/{id}/operations", { params: byId(id), body: { operation } }),
  runs: (id: string, cursor: string | undefined, signal?: AbortSignal) =>
    call<Page<Run>>("GET", "/api/v1/backup-jobs/{id}/runs", {
      params: { path: { id }, query: { cursor, limit: 50 } },
      signal,
    }),
  snapshots: (id: string, signal?: AbortSignal) =>
    call<{ items: Snapshot[] }>("GET", "/api/v1/backup-jobs/{id}/snapshots", { params: byId(id), signal }),
  restoreTests: (id: string, cursor: string | undefined, signal?: AbortSignal) =>
    call<Page<RestoreTest>>("GET", "/api/v1/backup-jobs/{id}/restore-tests", {
      params: { path: { id }, query: { cursor, limit: 50 } },
      signal,
    }),
  startRestoreTest: (id: string) =>
    call<RestoreTest>("POST", "/api/v1/backup-jobs/{id}/restore-tests", { params: byId(id), body: {} }),
  rpo: (signal?: AbortSignal) => call<RpoReport>("GET", "/api/v1/backups/rpo", { signal }),
  restore: (id: string, snapshotId: string, target: RestoreTarget) =>
    call<Run>("POST", "/api/v1/backup-jobs/{id}/restores", { params: byId(id), body: { snapshotId, target } }),
  locks: (id: string, signal?: AbortSignal) =>
    call<{ items: Lock[] }>("GET", "/api/v1/backup-jobs/{id}/locks", { params: byId(id), signal }),
  setEnabled: (id: string, enabled: boolean) =>
    call<Job>("PATCH", "/api/v1/backup-jobs/{id}", { params: byId(id), body: { enabled } }),
  remove: (id: string) => call<null>("DELETE", "/api/v1/backup-jobs/{id}", { params: byId(id) }),
};

export const kindColor: Record<BackupKind, string> = { full: "blue", incremental: "teal", frequent: "grape" };
export const runColor: Record<RunStatus, string> = {
  queued: "gray",
  running: "blue",
  succeeded: "green",
  failed: "red",
};
export const targetColor: Record<RpoStatus | RtoStatus, string> = {
  ok: "green",
  exceeded: "red",
  "no-backup": "gray",
  untested: "gray",
};

/** Like compactDuration, with seconds under a minute: restores of small sets take seconds. */
export const shortDuration = (minutes: number) =>
  minutes < 1 ? `${Math.round(minutes * 60)} s` : compactDuration(minutes);
