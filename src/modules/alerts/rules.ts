import type { Aggregation } from "../metrics/aggregate.js";

/**
 * The alert rule evaluator, pure: each evaluation feeds it whether a rule's condition holds for one
 * series (or one monitor) at an instant, and it returns the alert's new rule state. Rule state (inactive,
 * pending, firing, resolved) is kept apart from notification state, which routing owns.
 */

export const severities = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof severities)[number];
export const comparisons = [">", ">=", "<", "<="] as const;
export type Comparison = (typeof comparisons)[number];
export const alertStates = ["inactive", "pending", "firing", "resolved"] as const;
export type AlertState = (typeof alertStates)[number];

export interface MetricExpression {
  metric: string;
  /** Exact label matches selecting the series. */
  match: Record<string, string>;
  fn: Aggregation;
  /** Window of the aggregation, in seconds. */
  windowSeconds: number;
  /** Quantile for fn = quantile, 0..1. */
  quantile?: number;
  /** Labels that keep series apart (one alert each); the series of one label set are averaged. */
  by: string[];
  op: Comparison;
  threshold: number;
  /** Once firing, the alert recovers only past this value (hysteresis); by default past `threshold`. */
  recoveryThreshold?: number | null;
}

export interface Timing {
  /** How long the condition must hold before pending becomes firing. */
  forSeconds: number;
  /** How long a firing alert stays firing after its condition stopped holding. */
  keepFiringForSeconds: number;
}

export interface AlertMemory {
  state: AlertState;
  /** When the condition started holding (pending or firing since). */
  activeSince: string | null;
  firedAt: string | null;
  /** The last evaluation at which the (hysteresis) condition held, for keep_firing_for. */
  lastTrueAt: string | null;
  resolvedAt: string | null;
  value: number | null;
}

export const initialAlert: AlertMemory = {
  state: "inactive",
  activeSince: null,
  firedAt: null,
  lastTrueAt: null,
  resolvedAt: null,
  value: null,
};

export type Transition = "pending" | "firing" | "resolved" | "cleared" | null;

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
  }
}

/** Whether a value keeps an expression's alert active: the threshold to start, the recovery one to stay. */
export function holds(
  expr: Pick<MetricExpression, "op" | "threshold" | "recoveryThreshold">,
  value: number | null,
  firing: boolean,
): boolean {
  if (value === null || Number.isNaN(value)) return false;
  if (firing && expr.recoveryThreshold !== undefined && expr.recoveryThreshold !== null) {
    // Still firing until the value crosses the recovery threshold: > 70 recovering under 60 stays at 65.
    const recovered =
      expr.op === ">" || expr.op === ">=" ? value < expr.recoveryThreshold : value > expr.recoveryThreshold;
    return !recovered;
  }
  return compare(value, expr.op, expr.threshold);
}

/** One evaluation: the condition's truth at `at` (already with hysteresis applied) gives the next state. */
export function step(
  memory: AlertMemory,
  active: boolean,
  at: Date,
  timing: Timing,
  value: number | null = null,
): { memory: AlertMemory; transition: Transition } {
  const now = at.toISOString();
  const t = at.getTime();
  const firing = memory.state === "firing";
  if (active) {
    const since = memory.state === "pending" || firing ? memory.activeSince! : now;
    if (firing) return { memory: { ...memory, lastTrueAt: now, value }, transition: null };
    if (t - Date.parse(since) >= timing.forSeconds * 1000)
      return {
        memory: { state: "firing", activeSince: since, firedAt: now, lastTrueAt: now, resolvedAt: null, value },
        transition: "firing",
      };
    return {
      memory: { ...memory, state: "pending", activeSince: since, lastTrueAt: now, value },
      transition: memory.state === "pending" ? null : "pending",
    };
  }
  if (firing) {
    if (memory.lastTrueAt && t - Date.parse(memory.lastTrueAt) < timing.keepFiringForSeconds * 1000)
      return { memory: { ...memory, value }, transition: null };
    return {
      memory: { ...memory, state: "resolved", activeSince: null, resolvedAt: now, value },
      transition: "resolved",
    };
  }
  if (memory.state === "pending")
    return { memory: { ...memory, state: "inactive", activeSince: null, value }, transition: "cleared" };
  return { memory: { ...memory, value }, transition: null };
}

/** Evaluates an expression's value for one series: hysteresis from the current state, then `step`. */
export function evaluate(
  memory: AlertMemory,
  expr: Pick<MetricExpression, "op" | "threshold" | "recoveryThreshold">,
  value: number | null,
  at: Date,
  timing: Timing,
) {
  return step(memory, holds(expr, value, memory.state === "firing"), at, timing, value);
}

/** Problems with a rule's expression, as `field: reason` lines (empty when it is valid). */
export function expressionProblems(expr: MetricExpression): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(expr.metric))
    problems.push({ field: "expression.metric", message: `"${expr.metric}" is not a metric name` });
  if (!(expr.windowSeconds > 0)) problems.push({ field: "expression.windowSeconds", message: "must be positive" });
  if (expr.fn === "quantile" && (expr.quantile === undefined || expr.quantile < 0 || expr.quantile > 1))
    problems.push({ field: "expression.quantile", message: "quantile needs a value between 0 and 1" });
  if (!Number.isFinite(expr.threshold)) problems.push({ field: "expression.threshold", message: "must be finite" });
  const r = expr.recoveryThreshold;
  if (r !== undefined && r !== null) {
    const above = expr.op === ">" || expr.op === ">=";
    if (above ? r > expr.threshold : r < expr.threshold)
      problems.push({
        field: "expression.recoveryThreshold",
        message: `must be ${above ? "at or below" : "at or above"} the threshold ${expr.threshold} for hysteresis`,
      });
  }
  for (const name of [...Object.keys(expr.match), ...expr.by])
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
      problems.push({ field: "expression", message: `"${name}" is not a label name` });
  return problems;
}

export interface Interval {
  from: string;
  /** Null: still open at the last value. */
  to: string | null;
}

/**
 * Replays an expression over past values (oldest first): the intervals where its alert would have been
 * pending (condition holding, `for` not yet past) and firing.
 */
export function replay(
  values: readonly { at: Date; value: number | null }[],
  expr: Pick<MetricExpression, "op" | "threshold" | "recoveryThreshold">,
  timing: Timing,
): { pending: Interval[]; firing: Interval[] } {
  const pending: Interval[] = [];
  const firing: Interval[] = [];
  let memory = initialAlert;
  for (const v of values) {
    const next = evaluate(memory, expr, v.value, v.at, timing);
    memory = next.memory;
    const at = v.at.toISOString();
    if (next.transition === "pending") pending.push({ from: memory.activeSince!, to: null });
    if (next.transition === "cleared") pending.at(-1)!.to = at;
    if (next.transition === "firing") {
      // Pending ends where firing starts; with `for` 0 the alert fires at once, never pending.
      const open = pending.at(-1);
      if (open && open.to === null) open.to = at;
      firing.push({ from: memory.firedAt!, to: null });
    }
    if (next.transition === "resolved") firing.at(-1)!.to = memory.resolvedAt;
  }
  return { pending, firing };
}
