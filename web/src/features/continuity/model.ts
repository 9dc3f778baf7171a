import { queryOptions } from "@tanstack/react-query";
import { call } from "../../api/client";
import type { Page } from "../../shell/paging";

// Shapes of /api/v1/runbooks and /api/v1/drills, as src/modules/runbooks/schemas.ts defines them.
export const runbookKinds = ["full-recovery", "contingency-activation", "plantao-restore", "other"] as const;
export type RunbookKind = (typeof runbookKinds)[number];
export const stepMarks = ["started", "done", "skipped"] as const;
export type StepMark = (typeof stepMarks)[number];
export type StepStatus = "pending" | StepMark;
export type DrillStatus = "running" | "finished" | "aborted";
export type RtoVerdict = "on-track" | "within" | "exceeded" | "incomplete";

export interface Step {
  title: string;
  description: string;
  ownerRole: string | null;
  ownerUserId: string | null;
  expectedMinutes: number;
}

export interface Runbook {
  id: string;
  name: string;
  purpose: string;
  kind: RunbookKind;
  monitorId: string | null;
  steps: Step[];
  version: number;
  expectedMinutes: number;
  rtoMinutes: number;
  createdAt: string;
  updatedAt: string;
}

export interface RunbookVersion extends Omit<Runbook, "id" | "rtoMinutes" | "updatedAt"> {
  runbookId: string;
  author: { userId: string | null; name: string } | null;
  comment: string;
}

export interface DrillStep extends Step {
  index: number;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number | null;
  overran: boolean | null;
  note: string;
  markedBy: string | null;
}

export interface Drill {
  id: string;
  runbookId: string;
  runbookVersion: number;
  runbookName: string;
  kind: RunbookKind;
  status: DrillStatus;
  notes: string;
  startedBy: { userId: string | null; name: string };
  startedAt: string;
  finishedAt: string | null;
  elapsedSeconds: number;
  expectedMinutes: number;
  rtoMinutes: number;
  expectedFitsRto: boolean;
  rtoVerdict: RtoVerdict;
  steps: DrillStep[];
}
export type DrillSummary = Omit<Drill, "steps">;

export interface RunbookBody {
  name: string;
  purpose: string;
  kind: RunbookKind;
  monitorId: string | null;
  steps: {
    title: string;
    description: string;
    ownerRole?: string;
    ownerUserId?: string;
    expectedMinutes: number;
  }[];
  comment?: string;
  baseVersion?: number;
}

export const continuity = {
  runbooks: (cursor?: string, signal?: AbortSignal) =>
    call<Page<Runbook>>("GET", "/api/v1/runbooks", { params: { query: { cursor, limit: 50 } }, signal }),
  runbook: (id: string) => call<Runbook>("GET", "/api/v1/runbooks/{id}", { params: { path: { id } } }),
  versions: (id: string, cursor?: string) =>
    call<Page<RunbookVersion>>("GET", "/api/v1/runbooks/{id}/versions", {
      params: { path: { id }, query: { cursor, limit: 20 } },
    }),
  create: (body: RunbookBody) => call<Runbook>("POST", "/api/v1/runbooks", { body }),
  update: (id: string, body: Partial<RunbookBody>) =>
    call<Runbook>("PATCH", "/api/v1/runbooks/{id}", { params: { path: { id } }, body }),
  remove: (id: string) => call<null>("DELETE", "/api/v1/runbooks/{id}", { params: { path: { id } } }),
  drills: (query: { runbookId?: string; cursor?: string }, signal?: AbortSignal) =>
    call<Page<DrillSummary>>("GET", "/api/v1/drills", { params: { query: { ...query, limit: 50 } }, signal }),
  drill: (id: string) => call<Drill>("GET", "/api/v1/drills/{id}", { params: { path: { id } } }),
  startDrill: (runbookId: string, notes: string) =>
    call<Drill>("POST", "/api/v1/drills", { body: { runbookId, ...(notes ? { notes } : {}) } }),
  mark: (id: string, index: number, status: StepMark) =>
    call<Drill>("PATCH", "/api/v1/drills/{id}/steps/{index}", { params: { path: { id, index } }, body: { status } }),
  finish: (id: string, notes: string) =>
    call<Drill>("POST", "/api/v1/drills/{id}/finish", { params: { path: { id } }, body: notes ? { notes } : {} }),
  abort: (id: string, reason: string) =>
    call<Drill>("POST", "/api/v1/drills/{id}/abort", { params: { path: { id } }, body: { reason } }),
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
