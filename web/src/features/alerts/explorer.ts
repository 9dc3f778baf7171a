import { aggregations } from "./rule-form";

/** The metric explorer's state, kept in the URL so a link reproduces the chart: pure parsing and shaping. */

export const explorerRanges = {
  "1h": 3_600,
  "6h": 21_600,
  "24h": 86_400,
  "7d": 604_800,
  "30d": 2_592_000,
} as const;
export type ExplorerRange = keyof typeof explorerRanges | "custom";
export const rangeChoices = [...Object.keys(explorerRanges), "custom"] as ExplorerRange[];

/** Steps offered, in seconds; "auto" picks the first that keeps a chart under `AUTO_POINTS` points a series. */
export const steps = [15, 60, 300, 900, 3_600, 14_400, 86_400] as const;
const AUTO_POINTS = 500;

export const matcherOps = ["=", "!=", "=~", "!~"] as const;
export type MatcherOp = (typeof matcherOps)[number];
export interface MatcherRow {
  key: number;
  name: string;
  op: MatcherOp;
  value: string;
}

export interface ExplorerState {
  metric: string;
  matchers: MatcherRow[];
  fn: (typeof aggregations)[number];
  quantile: number;
  range: ExplorerRange;
  /** ISO instants of a custom range. */
  from: string;
  to: string;
  /** Seconds, or null for automatic. */
  step: number | null;
}

const isFn = (v: string | null): v is ExplorerState["fn"] => aggregations.some((a) => a === v);
const isRange = (v: string | null): v is ExplorerRange => rangeChoices.some((r) => r === v);

/** `name=value`, `name!=value`, `name=~re`, `name!~re`, as the query API's `match[]` takes them. */
export function matcherText(m: Pick<MatcherRow, "name" | "op" | "value">): string {
  return `${m.name}${m.op}${m.value}`;
}

export function parseMatcherText(text: string, key: number): MatcherRow | null {
  const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)(.*)$/.exec(text);
  return m ? { key, name: m[1]!, op: m[2] as MatcherOp, value: m[3]! } : null;
}

export function stateOf(params: URLSearchParams, now: number): ExplorerState {
  const range = params.get("range");
  const quantile = Number(params.get("q"));
  const step = Number(params.get("step"));
  const custom = (name: string, fallback: number) => {
    const v = params.get(name);
    return v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : new Date(fallback).toISOString();
  };
  return {
    metric: params.get("metric") ?? "",
    matchers: params
      .getAll("match")
      .map((text, key) => parseMatcherText(text, key))
      .filter((m): m is MatcherRow => m !== null),
    fn: isFn(params.get("fn")) ? (params.get("fn") as ExplorerState["fn"]) : "avg",
    quantile: params.has("q") && quantile >= 0 && quantile <= 1 ? quantile : 0.95,
    range: isRange(range) ? range : "1h",
    from: custom("from", now - 3_600_000),
    to: custom("to", now),
    step: steps.some((s) => s === step) ? step : null,
  };
}

/** The URL's search parameters of a state: only what differs from the defaults, so links stay short. */
export function paramsOf(state: ExplorerState): URLSearchParams {
  const p = new URLSearchParams();
  if (state.metric) p.set("metric", state.metric);
  for (const m of state.matchers) if (m.name) p.append("match", matcherText(m));
  if (state.fn !== "avg") p.set("fn", state.fn);
  if (state.fn === "quantile") p.set("q", String(state.quantile));
  if (state.range !== "1h") p.set("range", state.range);
  if (state.range === "custom") {
    p.set("from", state.from);
    p.set("to", state.to);
  }
  if (state.step !== null) p.set("step", String(state.step));
  return p;
}

/** The window a state asks for, in ms: the last so long up to `now`, or the custom one. */
export function windowOf(state: ExplorerState, now: number): { from: number; to: number } {
  if (state.range === "custom") return { from: Date.parse(state.from), to: Date.parse(state.to) };
  return { from: now - explorerRanges[state.range] * 1000, to: now };
}

/** The step in seconds: the chosen one, else the shortest keeping the window under a few hundred points. */
export function stepOf(state: ExplorerState, window: { from: number; to: number }): number {
  if (state.step !== null) return state.step;
  const span = (window.to - window.from) / 1000;
  return steps.find((s) => span / s <= AUTO_POINTS) ?? steps[steps.length - 1]!;
}
