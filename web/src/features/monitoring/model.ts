import { call } from "../../api/client";
import { compactDuration } from "../../shell/format";
import type { Page } from "../../shell/paging";

// Shapes of /api/v1/monitors, as src/modules/monitoring/schemas.ts defines them.
export const statuses = ["UP", "DEGRADED", "DOWN", "PENDING", "MAINTENANCE", "UNREACHABLE"] as const;
export type Status = (typeof statuses)[number];
export const monitorTypes = [
  "http",
  "tcp",
  "dns",
  "icmp",
  "sip-options",
  "sip-register",
  "postgres",
  "mysql",
  "heartbeat",
  "group",
] as const;
export type MonitorType = (typeof monitorTypes)[number];
/** Types the engine derives itself (pushes, members): they have no target. */
export const hasTarget = (type: string) => type !== "heartbeat" && type !== "group";

export interface MonitorState {
  status: Status;
  reason: string | null;
  message: string | null;
  since: string;
  flapping: boolean;
  /** Stored once a minute; fresher from the node that runs the monitor. */
  lastCheckAt: string | null;
  lastLatencyMs: number | null;
}

export interface Monitor {
  id: string;
  name: string;
  type: string;
  target: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  failureThreshold: number;
  successThreshold: number;
  settings: Record<string, unknown>;
  parentId: string | null;
  groupId: string | null;
  organizationId: string | null;
  enabled: boolean;
  state: MonitorState | null;
  createdAt: string;
  updatedAt: string;
}

export interface MonitorInput {
  name: string;
  type: string;
  target: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  failureThreshold: number;
  successThreshold: number;
  settings: Record<string, unknown>;
  parentId: string | null;
  groupId: string | null;
  organizationId: string | null;
}

export type MonitorWithToken = Monitor & { pushToken?: string };

export interface Uptime {
  monitorId: string;
  from: string;
  to: string;
  uptime: number | null;
  seconds: Record<Status | "NONE", number>;
  upSeconds: number;
  downSeconds: number;
  excludedSeconds: number;
  outages: number;
}

export interface SeriesPoint {
  at: string;
  checks: number;
  failures: number;
  latencyMin: number | null;
  latencyAvg: number | null;
  latencyMax: number | null;
  latencyP95: number | null;
}

export interface Series {
  monitorId: string;
  from: string;
  to: string;
  step: number;
  resolution: "minute" | "hour" | "day";
  points: SeriesPoint[];
}

/** A minute of the card's sparkline. */
export type MinutePoint = Pick<SeriesPoint, "at" | "latencyAvg" | "failures">;

/** What a dashboard card shows, from GET /api/v1/monitors/overview. */
export interface CardFigures {
  monitorId: string;
  uptime24h: number | null;
  uptime7d: number | null;
  uptime30d: number | null;
  lastCheckAt: string | null;
  lastLatencyMs: number | null;
  minutes: MinutePoint[];
}

export interface Overview {
  at: string;
  minutesFrom: string;
  items: CardFigures[];
}

/** Monitors one overview request may ask for (the server answers 400 beyond). */
export const OVERVIEW_MAX_IDS = 200;

export interface StateChange {
  id: string;
  status: Status;
  reason: string | null;
  message: string | null;
  startedAt: string;
  endedAt: string | null;
}

/** The chart ranges of the monitor page, each with a step that keeps a few hundred points at most. */
export const ranges = {
  "1h": { seconds: 3_600, step: 60 },
  "24h": { seconds: 86_400, step: 300 },
  "7d": { seconds: 604_800, step: 3_600 },
  "30d": { seconds: 2_592_000, step: 14_400 },
} as const;
export type Range = keyof typeof ranges;
export const isRange = (value: unknown): value is Range => typeof value === "string" && Object.hasOwn(ranges, value);

/** The window `seconds` long that ends now, as the API's `from` and `to`. */
export function windowEndingNow(seconds: number, now = Date.now()) {
  return { from: new Date(now - seconds * 1000).toISOString(), to: new Date(now).toISOString() };
}

const byId = (id: string) => ({ path: { id } });
const PAGE = 500;

/** GET /api/v1/monitoring/nodes: the nodes of the shard protocol. */
export interface ClusterNodes {
  leaseMs: number;
  nodes: Array<{
    nodeId: string;
    startedAt: string | null;
    lastHeartbeat: string;
    alive: boolean;
    shards: number[];
    monitors: number;
  }>;
  shards: Array<{ shard: number; owner: string | null; leaseUntil: string | null; checkedThrough: string | null }>;
}

/** Shard numbers (sorted) as ranges: "0–31, 40". */
export function shardRanges(shards: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < shards.length; ) {
    let j = i;
    while (j + 1 < shards.length && shards[j + 1] === shards[j]! + 1) j++;
    out.push(j > i ? `${shards[i]}–${shards[j]}` : String(shards[i]));
    i = j + 1;
  }
  return out.join(", ");
}

export const monitoring = {
  nodes(signal?: AbortSignal): Promise<ClusterNodes> {
    return call<ClusterNodes>("GET", "/api/v1/monitoring/nodes", { signal });
  },
  /** Every monitor matching the filter, all pages (the dashboard shows them all, grouped). */
  async all(signal?: AbortSignal): Promise<Monitor[]> {
    const out: Monitor[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<Page<Monitor>>("GET", "/api/v1/monitors", {
        params: { query: { limit: PAGE, cursor } },
        signal,
      });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  },
  members: (groupId: string, signal?: AbortSignal) =>
    call<Page<Monitor>>("GET", "/api/v1/monitors", { params: { query: { groupId, limit: PAGE } }, signal }),
  get: (id: string, signal?: AbortSignal) =>
    call<Monitor>("GET", "/api/v1/monitors/{id}", { params: byId(id), signal }),
  create: (body: MonitorInput) => call<MonitorWithToken>("POST", "/api/v1/monitors", { body }),
  update: (id: string, body: Partial<MonitorInput>) =>
    call<MonitorWithToken>("PATCH", "/api/v1/monitors/{id}", { params: byId(id), body }),
  remove: (id: string) => call<null>("DELETE", "/api/v1/monitors/{id}", { params: byId(id) }),
  pause: (id: string) => call<Monitor>("POST", "/api/v1/monitors/{id}/pause", { params: byId(id) }),
  resume: (id: string) => call<Monitor>("POST", "/api/v1/monitors/{id}/resume", { params: byId(id) }),
  rotatePushToken: (id: string) =>
    call<{ pushToken: string; pushPath: string }>("POST", "/api/v1/monitors/{id}/push-token", { params: byId(id) }),
  uptime: (id: string, window: { from: string; to: string }, signal?: AbortSignal) =>
    call<Uptime>("GET", "/api/v1/monitors/{id}/uptime", { params: { path: { id }, query: window }, signal }),
  series: (id: string, window: { from: string; to: string }, step: number, signal?: AbortSignal) =>
    call<Series>("GET", "/api/v1/monitors/{id}/series", {
      params: { path: { id }, query: { ...window, step } },
      signal,
    }),
  /** State changes newest first; with a window, only those overlapping it. */
  history: (
    id: string,
    cursor: string | undefined,
    signal?: AbortSignal,
    limit = 100,
    window?: { from: string; to: string },
  ) =>
    call<Page<StateChange>>("GET", "/api/v1/monitors/{id}/history", {
      params: { path: { id }, query: { cursor, limit, ...window } },
      signal,
    }),
  overview: (ids: string[], signal?: AbortSignal) =>
    call<Overview>("GET", "/api/v1/monitors/overview", { params: { query: { ids } }, signal }),
};

/** Query keys, so live events can patch or refresh exactly what they touch. */
export const keys = {
  all: ["monitoring"] as const,
  list: ["monitoring", "list"] as const,
  monitor: (id: string) => ["monitoring", "monitor", id] as const,
  card: (id: string) => ["monitoring", "card", id] as const,
  detail: (id: string) => ["monitoring", "detail", id] as const,
  members: (id: string) => ["monitoring", "members", id] as const,
  nodes: ["monitoring", "nodes"] as const,
};

export const statusColor: Record<Status, string> = {
  UP: "green",
  DEGRADED: "yellow",
  DOWN: "red",
  PENDING: "orange",
  MAINTENANCE: "blue",
  UNREACHABLE: "gray",
};
/** The same colours as CSS values for charts drawn on canvas (Mantine's default palette, shade 6). */
export const statusHex: Record<Status, string> = {
  UP: "#40c057",
  DEGRADED: "#fab005",
  DOWN: "#fa5252",
  PENDING: "#fd7e14",
  MAINTENANCE: "#228be6",
  UNREACHABLE: "#868e96",
};

/** Most urgent first: the order of the status summary and of the cards inside a group. */
export const severity: Record<Status, number> = {
  DOWN: 0,
  UNREACHABLE: 1,
  PENDING: 2,
  DEGRADED: 3,
  UP: 4,
  MAINTENANCE: 5,
};

/** Milliseconds with a precision that suits their size: "0.42 ms", "12.3 ms", "1 204 ms". */
export function latencyText(ms: number | null | undefined, locale: string): string {
  if (ms === null || ms === undefined) return "—";
  const digits = ms < 1 ? 2 : ms < 100 ? 1 : 0;
  return `${ms.toLocaleString(locale, { maximumFractionDigits: digits })} ms`;
}

/** A 0..1 ratio as a percentage with enough digits to tell 99.9 % from 99.99 %; null as a dash. */
export function uptimeText(ratio: number | null | undefined, locale: string): string {
  if (ratio === null || ratio === undefined) return "—";
  const pct = ratio * 100;
  const digits = pct === 100 || pct === 0 ? 0 : pct >= 99 ? 3 : 2;
  return `${pct.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })} %`;
}

/** A duration in seconds: "42 s" under a minute, else as compactDuration ("1 h 20 min"). */
export function durationText(seconds: number): string {
  const whole = Math.round(seconds);
  return whole < 60 ? `${whole} s` : compactDuration(whole / 60);
}

/** Milliseconds from `iso` to `now`, never negative: an instant a little ahead of the page's clock is now. */
export const elapsed = (iso: string, now: number) => Math.max(0, now - Date.parse(iso));

export function uptimeColor(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined) return "dimmed";
  return ratio >= 0.999 ? "green" : ratio >= 0.99 ? "yellow" : "red";
}

/** The URL a heartbeat job posts to, on this server's own origin. */
export const pushUrl = (token: string) => `${window.location.origin}/api/v1/push/${token}`;
