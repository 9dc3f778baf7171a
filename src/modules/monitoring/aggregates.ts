/**
 * Check aggregates (pure): one minute of one monitor's checks in memory, and buckets of any width built
 * from stored minute, hour or day rows.
 */

export interface AggregateRow {
  monitorId: string;
  /** Start of the bucket, ISO-8601 UTC. */
  bucket: string;
  checks: number;
  failures: number;
  latencyCount: number;
  latencyMin: number | null;
  latencyAvg: number | null;
  latencyMax: number | null;
  latencyP95: number | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** One monitor's checks of one minute, kept in memory until the minute's flush. */
export class MinuteAccumulator {
  checks = 0;
  failures = 0;
  readonly latencies: number[] = [];

  constructor(
    readonly monitorId: string,
    /** Minute number since the epoch. */
    readonly minute: number,
  ) {}

  add(failed: boolean, latencyMs: number | null): void {
    this.checks++;
    if (failed) this.failures++;
    if (latencyMs !== null && Number.isFinite(latencyMs)) this.latencies.push(latencyMs);
  }

  /** Takes in another accumulator of the same monitor and minute (one dropped and re-created meanwhile). */
  merge(other: MinuteAccumulator): void {
    this.checks += other.checks;
    this.failures += other.failures;
    this.latencies.push(...other.latencies);
  }

  row(): AggregateRow {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const n = sorted.length;
    const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
    return {
      monitorId: this.monitorId,
      bucket: new Date(this.minute * 60_000).toISOString(),
      checks: this.checks,
      failures: this.failures,
      latencyCount: n,
      latencyMin: n ? round(sorted[0]!) : null,
      latencyAvg: n ? round(sorted.reduce((a, b) => a + b, 0) / n) : null,
      latencyMax: n ? round(sorted[n - 1]!) : null,
      latencyP95: round(percentile(sorted, 0.95)),
    };
  }
}

export interface SeriesPoint {
  at: string;
  checks: number;
  failures: number;
  latencyMin: number | null;
  latencyAvg: number | null;
  latencyMax: number | null;
  /** Latency-weighted mean of the parts' p95 when the point spans several stored buckets. */
  latencyP95: number | null;
}

/**
 * Merges stored rows into points `stepSeconds` wide, aligned to the epoch (so to whole minutes, hours and UTC
 * days). Buckets without checks are left out: a gap is a gap.
 */
export function rebucket(rows: readonly AggregateRow[], stepSeconds: number): SeriesPoint[] {
  const stepMs = stepSeconds * 1000;
  const points = new Map<
    number,
    { checks: number; failures: number; n: number; min: number; max: number; sum: number; p95sum: number }
  >();
  for (const r of rows) {
    const key = Math.floor(Date.parse(r.bucket) / stepMs) * stepMs;
    let p = points.get(key);
    if (!p) {
      p = { checks: 0, failures: 0, n: 0, min: Infinity, max: -Infinity, sum: 0, p95sum: 0 };
      points.set(key, p);
    }
    p.checks += r.checks;
    p.failures += r.failures;
    if (r.latencyCount > 0 && r.latencyAvg !== null) {
      p.n += r.latencyCount;
      p.sum += r.latencyAvg * r.latencyCount;
      p.p95sum += (r.latencyP95 ?? r.latencyAvg) * r.latencyCount;
      p.min = Math.min(p.min, r.latencyMin ?? r.latencyAvg);
      p.max = Math.max(p.max, r.latencyMax ?? r.latencyAvg);
    }
  }
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return [...points.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, p]) => ({
      at: new Date(at).toISOString(),
      checks: p.checks,
      failures: p.failures,
      latencyMin: p.n ? round(p.min) : null,
      latencyAvg: p.n ? round(p.sum / p.n) : null,
      latencyMax: p.n ? round(p.max) : null,
      latencyP95: p.n ? round(p.p95sum / p.n) : null,
    }));
}

export type Resolution = "minute" | "hour" | "day";

/** The coarsest stored resolution that still fits in one step. */
export function resolutionFor(stepSeconds: number): Resolution {
  if (stepSeconds >= 86_400) return "day";
  if (stepSeconds >= 3_600) return "hour";
  return "minute";
}
