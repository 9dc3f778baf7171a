/**
 * Aggregations over one series' points in a window, pure: shared by the query API and the alert rules.
 * Points are `[timeMs, value]`, oldest first.
 */

export const aggregations = ["avg", "min", "max", "sum", "last", "count", "rate", "quantile"] as const;
export type Aggregation = (typeof aggregations)[number];

export type Point = readonly [number, number];

/** Per-second increase of a counter over the points, counting a drop as a reset (as Prometheus does). */
export function rate(points: readonly Point[]): number | null {
  if (points.length < 2) return null;
  let increase = 0;
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1]![1];
    const cur = points[i]![1];
    increase += cur >= prev ? cur - prev : cur;
  }
  const seconds = (points.at(-1)![0] - points[0]![0]) / 1000;
  return seconds > 0 ? increase / seconds : null;
}

/** The q-quantile (0..1) of the values, interpolated between the closest ranks. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Null when the window holds no point (or too few for a rate): "no data", never zero. */
export function aggregate(fn: Aggregation, points: readonly Point[], q = 0.95): number | null {
  if (fn === "rate") return rate(points);
  if (points.length === 0) return fn === "count" ? 0 : null;
  const values = points.map((p) => p[1]);
  switch (fn) {
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "min":
      return Math.min(...values);
    case "max":
      return Math.max(...values);
    case "last":
      return values.at(-1)!;
    case "count":
      return values.length;
    case "quantile":
      return quantile(values, q);
  }
}
