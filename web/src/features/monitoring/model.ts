import { api, type JsonBody, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { compactDuration } from "../../shell/format";

// Shapes of /api/v1/monitors come from the generated OpenAPI paths, so a change of contract is a type error here.
type Monitors = paths["/api/v1/monitors"];
type OneMonitor = paths["/api/v1/monitors/{id}"];
export type Monitor = JsonBody<OneMonitor["get"]["responses"][200]>;
export type MonitorState = NonNullable<Monitor["state"]>;
export type MonitorInput = JsonBody<Monitors["post"]["requestBody"]>;
export type MonitorPatch = JsonBody<OneMonitor["patch"]["requestBody"]>;
export type MonitorWithToken = JsonBody<Monitors["post"]["responses"][201]>;
export type Uptime = JsonBody<paths["/api/v1/monitors/{id}/uptime"]["get"]["responses"][200]>;
export type Series = JsonBody<paths["/api/v1/monitors/{id}/series"]["get"]["responses"][200]>;
export type SeriesPoint = Series["points"][number];
/** What a dashboard card shows, from GET /api/v1/monitors/overview. */
export type Overview = JsonBody<paths["/api/v1/monitors/overview"]["get"]["responses"][200]>;
export type CardFigures = Overview["items"][number];
/** A minute of the card's sparkline. */
export type MinutePoint = CardFigures["minutes"][number];
export type StateChange = JsonBody<paths["/api/v1/monitors/{id}/history"]["get"]["responses"][200]>["items"][number];

export type Status = MonitorState["status"];
export const statuses: readonly Status[] = ["UP", "DEGRADED", "DOWN", "PENDING", "MAINTENANCE", "UNREACHABLE"];
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

/** Monitors one overview request may ask for (the server answers 400 beyond). */
export const OVERVIEW_MAX_IDS = 200;

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
export type ClusterNodes = JsonBody<paths["/api/v1/monitoring/nodes"]["get"]["responses"][200]>;

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
  async nodes(signal?: AbortSignal): Promise<ClusterNodes> {
    return unwrap(await api.GET("/api/v1/monitoring/nodes", { signal }));
  },
  /** Every monitor matching the filter, all pages (the dashboard shows them all, grouped). */
  async all(signal?: AbortSignal): Promise<Monitor[]> {
    const out: Monitor[] = [];
    let cursor: string | undefined;
    do {
      const page = unwrap(await api.GET("/api/v1/monitors", { params: { query: { limit: PAGE, cursor } }, signal }));
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  },
  members: async (groupId: string, signal?: AbortSignal) =>
    unwrap(await api.GET("/api/v1/monitors", { params: { query: { groupId, limit: PAGE } }, signal })),
  get: async (id: string, signal?: AbortSignal) =>
    unwrap(await api.GET("/api/v1/monitors/{id}", { params: byId(id), signal })),
  create: async (body: MonitorInput) => unwrap(await api.POST("/api/v1/monitors", { body })),
  update: async (id: string, body: MonitorPatch) =>
    unwrap(await api.PATCH("/api/v1/monitors/{id}", { params: byId(id), body })),
  remove: async (id: string) => unwrap(await api.DELETE("/api/v1/monitors/{id}", { params: byId(id) })),
  pause: async (id: string) => unwrap(await api.POST("/api/v1/monitors/{id}/pause", { params: byId(id) })),
  resume: async (id: string) => unwrap(await api.POST("/api/v1/monitors/{id}/resume", { params: byId(id) })),
  rotatePushToken: async (id: string) =>
    unwrap(await api.POST("/api/v1/monitors/{id}/push-token", { params: byId(id) })),
  uptime: async (id: string, window: { from: string; to: string }, signal?: AbortSignal) =>
    unwrap(await api.GET("/api/v1/monitors/{id}/uptime", { params: { path: { id }, query: window }, signal })),
  series: async (id: string, window: { from: string; to: string }, step: number, signal?: AbortSignal) =>
    unwrap(
      await api.GET("/api/v1/monitors/{id}/series", { params: { path: { id }, query: { ...window, step } }, signal }),
    ),
  /** State changes newest first; with a window, only those overlapping it. */
  history: async (
    id: string,
    cursor: string | undefined,
    signal?: AbortSignal,
    limit = 100,
    window?: { from: string; to: string },
  ) =>
    unwrap(
      await api.GET("/api/v1/monitors/{id}/history", {
        params: { path: { id }, query: { cursor, limit, ...window } },
        signal,
      }),
    ),
  overview: async (ids: string[], signal?: AbortSignal) =>
    unwrap(await api.GET("/api/v1/monitors/overview", { params: { query: { ids } }, signal })),
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
