import { queryOptions } from "@tanstack/react-query";
import { api, type JsonBody, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

// Shapes of /api/v1/runbooks and /api/v1/drills come from the generated OpenAPI paths, so a change of contract
// is a type error here.
export type Runbook = JsonBody<paths["/api/v1/runbooks/{id}"]["get"]["responses"][200]>;
export type Step = Runbook["steps"][number];
export type RunbookBody = JsonBody<paths["/api/v1/runbooks"]["post"]["requestBody"]>;
type RunbookPatch = JsonBody<paths["/api/v1/runbooks/{id}"]["patch"]["requestBody"]>;
export type OwnerRole = NonNullable<RunbookBody["steps"][number]["ownerRole"]>;
export type Drill = JsonBody<paths["/api/v1/drills/{id}"]["get"]["responses"][200]>;
export type DrillStep = Drill["steps"][number];
/** The monitor a contingency runbook names, read to show its readiness. */
type Monitor = JsonBody<paths["/api/v1/monitors/{id}"]["get"]["responses"][200]>;

export type RunbookKind = Runbook["kind"];
export type StepMark = JsonBody<paths["/api/v1/drills/{id}/steps/{index}"]["patch"]["requestBody"]>["status"];
export type StepStatus = DrillStep["status"];
export type DrillStatus = Drill["status"];
export type RtoVerdict = Drill["rtoVerdict"];
export type MonitorStatus = NonNullable<Monitor["state"]>["status"];

export const runbookKinds: readonly RunbookKind[] = [
  "full-recovery",
  "contingency-activation",
  "plantao-restore",
  "other",
];
export const stepMarks: readonly StepMark[] = ["started", "done", "skipped"];

export const continuity = {
  runbooks: async (cursor?: string, signal?: AbortSignal) =>
    unwrap(await api.GET("/api/v1/runbooks", { params: { query: { cursor, limit: 50 } }, signal })),
  runbook: async (id: string) => unwrap(await api.GET("/api/v1/runbooks/{id}", { params: { path: { id } } })),
  versions: async (id: string, cursor?: string) =>
    unwrap(await api.GET("/api/v1/runbooks/{id}/versions", { params: { path: { id }, query: { cursor, limit: 20 } } })),
  create: async (body: RunbookBody) => unwrap(await api.POST("/api/v1/runbooks", { body })),
  update: async (id: string, body: RunbookPatch) =>
    unwrap(await api.PATCH("/api/v1/runbooks/{id}", { params: { path: { id } }, body })),
  remove: async (id: string) => unwrap(await api.DELETE("/api/v1/runbooks/{id}", { params: { path: { id } } })),
  drills: async (query: { runbookId?: string; cursor?: string }, signal?: AbortSignal) =>
    unwrap(await api.GET("/api/v1/drills", { params: { query: { ...query, limit: 50 } }, signal })),
  drill: async (id: string) => unwrap(await api.GET("/api/v1/drills/{id}", { params: { path: { id } } })),
  startDrill: async (runbookId: string, notes: string) =>
    unwrap(await api.POST("/api/v1/drills", { body: { runbookId, ...(notes ? { notes } : {}) } })),
  mark: async (id: string, index: number, status: StepMark) =>
    unwrap(await api.PATCH("/api/v1/drills/{id}/steps/{index}", { params: { path: { id, index } }, body: { status } })),
  finish: async (id: string, notes: string) =>
    unwrap(await api.POST("/api/v1/drills/{id}/finish", { params: { path: { id } }, body: notes ? { notes } : {} })),
  abort: async (id: string, reason: string) =>
    unwrap(await api.POST("/api/v1/drills/{id}/abort", { params: { path: { id } }, body: { reason } })),
};

export const runbookQuery = (id: string) =>
  queryOptions({ queryKey: ["continuity", "runbook", id], queryFn: () => continuity.runbook(id) });

export const verdictColor: Record<RtoVerdict, string> = {
  "on-track": "blue",
  within: "green",
  exceeded: "red",
  incomplete: "gray",
};
export const stepColor: Record<StepStatus, string> = {
  pending: "gray",
  started: "blue",
  done: "green",
  skipped: "yellow",
};
export const drillColor: Record<DrillStatus, string> = { running: "blue", finished: "green", aborted: "gray" };

/** Seconds as a stopwatch: "1:05:09", "4:02". */
export function stopwatch(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
