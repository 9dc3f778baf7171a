import { api, type JsonBody, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { compactDuration } from "../../shell/format";

// Shapes of /api/v1/backup-jobs and /api/v1/backups/rpo come from the generated OpenAPI paths, so a change of
// contract is a type error here.
export type Job = JsonBody<paths["/api/v1/backup-jobs/{id}"]["get"]["responses"][200]>;
export type JobInput = JsonBody<paths["/api/v1/backup-jobs"]["post"]["requestBody"]>;
export type Run = JsonBody<paths["/api/v1/backup-jobs/{id}/runs/{runId}"]["get"]["responses"][200]>;
export type Snapshot = JsonBody<paths["/api/v1/backup-jobs/{id}/snapshots"]["get"]["responses"][200]>["items"][number];
export type RpoReport = JsonBody<paths["/api/v1/backups/rpo"]["get"]["responses"][200]>;
export type RestoreTarget = JsonBody<paths["/api/v1/backup-jobs/{id}/restores"]["post"]["requestBody"]>["target"];
export type Operation = JsonBody<paths["/api/v1/backup-jobs/{id}/operations"]["post"]["requestBody"]>["operation"];

export type SourceKind = Job["source"]["kind"];
export type BackupKind = NonNullable<Run["kind"]>;
export type RunStatus = Run["status"];
export type RpoStatus = RpoReport["jobs"][number]["rpo"]["status"];
export type RtoStatus = RpoReport["jobs"][number]["rto"]["status"];

export const sourceKinds: readonly SourceKind[] = ["plantao-db", "files", "postgres", "mysql"];
export const backupKinds: readonly BackupKind[] = ["full", "incremental", "frequent"];

const byId = (id: string) => ({ path: { id } });

export const backups = {
  jobs: async (signal?: AbortSignal) => unwrap(await api.GET("/api/v1/backup-jobs", { signal })),
  job: async (id: string, signal?: AbortSignal) =>
    unwrap(await api.GET("/api/v1/backup-jobs/{id}", { params: byId(id), signal })),
  create: async (body: JobInput) => unwrap(await api.POST("/api/v1/backup-jobs", { body })),
  run: async (id: string, kind: BackupKind) =>
    unwrap(await api.POST("/api/v1/backup-jobs/{id}/run", { params: byId(id), body: { kind } })),
  operation: async (id: string, operation: Operation) =>
    unwrap(await api.POST("/api/v1/backup-jobs/{id}/operations", { params: byId(id), body: { operation } })),
  runs: async (id: string, cursor: string | undefined, signal?: AbortSignal) =>
    unwrap(
      await api.GET("/api/v1/backup-jobs/{id}/runs", {
        params: { path: { id }, query: { cursor, limit: 50 } },
        signal,
      }),
    ),
  snapshots: async (id: string, signal?: AbortSignal) =>
    unwrap(await api.GET("/api/v1/backup-jobs/{id}/snapshots", { params: byId(id), signal })),
  restoreTests: async (id: string, cursor: string | undefined, signal?: AbortSignal) =>
    unwrap(
      await api.GET("/api/v1/backup-jobs/{id}/restore-tests", {
        params: { path: { id }, query: { cursor, limit: 50 } },
        signal,
      }),
    ),
  startRestoreTest: async (id: string) =>
    unwrap(await api.POST("/api/v1/backup-jobs/{id}/restore-tests", { params: byId(id), body: {} })),
  rpo: async (signal?: AbortSignal) => unwrap(await api.GET("/api/v1/backups/rpo", { signal })),
  restore: async (id: string, snapshotId: string, target: RestoreTarget) =>
    unwrap(await api.POST("/api/v1/backup-jobs/{id}/restores", { params: byId(id), body: { snapshotId, target } })),
  locks: async (id: string, signal?: AbortSignal) =>
    unwrap(await api.GET("/api/v1/backup-jobs/{id}/locks", { params: byId(id), signal })),
  setEnabled: async (id: string, enabled: boolean) =>
    unwrap(await api.PATCH("/api/v1/backup-jobs/{id}", { params: byId(id), body: { enabled } })),
  remove: async (id: string) => unwrap(await api.DELETE("/api/v1/backup-jobs/{id}", { params: byId(id) })),
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
