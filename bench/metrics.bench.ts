import { cpus, loadavg } from "node:os";
import { sql } from "kysely";
import type { Family } from "../src/modules/metrics/exposition.js";
import { MetricsRepository } from "../src/modules/metrics/repository.js";
import { dialectOf } from "../src/platform/db/dialect.js";
import { uuidv7 } from "../src/platform/ids.js";
import { benchEngines, report, startBenchServer } from "./harness.js";

const SERIES = 1_000;
const SCRAPES = Number(process.env.PLANTAO_BENCH_SCRAPES || 150);
const QUERY_SERIES = 100;
const QUERY_DAYS = 30;
const RULES = 5_000;
const HOUR = 3_600_000;

/**
 * Metrics and alert rules, per engine, in one run:
 * - ingest: scrapes of 1,000 series stored through MetricsService.ingest (series lookup, label keys, bulk
 *   insert), in samples per second, against the raw INSERT rate of the same rows into a table of the same
 *   shape with plain multi-row INSERT statements (the engine's own floor); target ≥ 150,000 samples/s;
 * - query: 30 days of 100 series at a 1-hour step through MetricsService.query (roll-ups), in ms, against a
 *   plain SELECT of the same roll-up rows; target < 100 ms;
 * - rules: one evaluation tick of 5,000 metric rules, in CPU ms of this process, against the 15 s tick
 *   (ratio = share of one core); target < 0.2.
 */
export default async function metricsBench(): Promise<void> {
  for (const engine of benchEngines) {
    const server = await startBenchServer(engine);
    const { services, platform } = server;
    const db = platform.db;
    try {
      const target = await services.metrics.createTarget(
        null as never,
        {
          name: "bench",
          url: "http://127.0.0.1:1/metrics",
          enabled: false,
          maxSeries: 100_000,
        } as never,
      );
      const row = { id: target.id, max_series: 100_000 };
      const families = (value: number): Family[] => [
        {
          name: "bench_cpu",
          type: "gauge",
          help: null,
          samples: Array.from({ length: SERIES }, (_, i) => ({
            name: "bench_cpu",
            labels: { instance: `host-${i}`, job: "node" },
            value: value + (i % 7),
            timestampMs: null,
          })),
        },
      ];
      const t0 = Date.now() - 2 * HOUR;
      await services.metrics.ingest(row, families(50), { target: "bench" }, t0 - 15_000); // series created
      const started = performance.now();
      const ingestCpu = process.cpuUsage();
      for (let k = 0; k < SCRAPES; k++)
        await services.metrics.ingest(row, families(40 + (k % 50)), { target: "bench" }, t0 + k * 15_000);
      const ingestMs = performance.now() - started;
      const ingestCpuUsed = process.cpuUsage(ingestCpu);
      const ingestCpuMs = (ingestCpuUsed.user + ingestCpuUsed.system) / 1000;
      const ingestRate = (SCRAPES * SERIES) / (ingestMs / 1000);

      // The floor: the same rows into a table of the same shape, plain multi-row INSERTs in one transaction each.
      await sql`CREATE TABLE bench_raw_samples (series_id bigint NOT NULL, t bigint NOT NULL, value double precision NOT NULL, PRIMARY KEY (series_id, t))`.execute(
        db,
      );
      const batch = engine === "sqlite" ? 10_000 : 5_000;
      const rawStarted = performance.now();
      for (let k = 0; k < SCRAPES; k++) {
        const rows = Array.from({ length: SERIES }, (_, i) => ({
          series_id: i + 1,
          t: t0 + k * 15_000,
          value: 40 + (k % 50) + (i % 7),
        }));
        for (let i = 0; i < rows.length; i += batch)
          await (db as any)
            .insertInto("bench_raw_samples")
            .values(rows.slice(i, i + batch))
            .execute();
      }
      const rawMs = performance.now() - rawStarted;
      const rawRate = (SCRAPES * SERIES) / (rawMs / 1000);
      report({
        name: "metrics-ingest",
        metric: "samples per second",
        value: Math.round(ingestRate),
        baseline: Math.round(rawRate),
        engine,
        samples: SCRAPES * SERIES,
        series: SERIES,
        // Per CPU-second of this process: on a loaded machine the wall rate measures the other processes too.
        // SQLite runs in this process, so this is its whole cost; PostgreSQL's server CPU is not counted.
        samplesPerCpuSecond: Math.round((SCRAPES * SERIES) / (ingestCpuMs / 1000)),
        loadAverage: loadavg()[0],
        cores: cpus().length,
        target: "≥ 150,000 samples/s through MetricsService.ingest; baseline: plain INSERTs of the same rows",
        met: ingestRate >= 150_000,
      });

      // 30 days of hourly roll-ups for 100 series of one metric.
      const now = Date.now();
      const from = Math.floor((now - QUERY_DAYS * 24 * HOUR) / HOUR) * HOUR;
      const querySeries: number[] = [];
      for (let i = 0; i < QUERY_SERIES; i++) {
        const [s] = await db
          .insertInto("metric_series")
          .values({
            target_id: target.id,
            metric: "bench_query",
            labels: JSON.stringify({ instance: `q-${i}` }),
            labels_key: `instance=q-${i}`,
            created_at: new Date(from).toISOString(),
            last_seen_at: new Date(now).toISOString(),
          })
          .returning("id")
          .execute();
        querySeries.push(Number(s!.id));
      }
      const rollups = querySeries.flatMap((id) =>
        Array.from({ length: QUERY_DAYS * 24 }, (_, h) => ({
          series_id: id,
          resolution: 3600,
          t: from + h * HOUR,
          count: 240,
          sum: 240 * 50,
          min: 10,
          max: 90,
          last: 50,
        })),
      );
      for (let i = 0; i < rollups.length; i += 2_000)
        await db
          .insertInto("metric_rollups")
          .values(rollups.slice(i, i + 2_000))
          .execute();
      // Packed into day blocks as the roll-up job does after each hourly roll-up (no 5-minute rows here to roll).
      await new MetricsRepository(db, dialectOf(db)).rollUp(3600, from, now + HOUR);
      /** Median of 7 runs: wall ms and CPU ms of this process. */
      const timeIt = async (fn: () => Promise<unknown>) => {
        const runs: number[] = [];
        const cpuRuns: number[] = [];
        for (let i = 0; i < 7; i++) {
          const s = performance.now();
          const c = process.cpuUsage();
          await fn();
          const used = process.cpuUsage(c);
          runs.push(performance.now() - s);
          cpuRuns.push((used.user + used.system) / 1000);
        }
        return { wall: runs.sort((a, b) => a - b)[3]!, cpu: cpuRuns.sort((a, b) => a - b)[3]! };
      };
      let points = 0;
      const { wall: queryMs, cpu: queryCpuMs } = await timeIt(async () => {
        const r = await services.metrics.query({
          metric: "bench_query",
          match: [],
          from,
          to: now,
          stepSeconds: 3600,
          fn: "avg",
        } as never);
        points = r.series.reduce((n: number, s: { points: unknown[] }) => n + s.points.length, 0);
      });
      const { wall: selectMs, cpu: selectCpuMs } = await timeIt(() =>
        db
          .selectFrom("metric_rollups")
          .selectAll()
          .where("series_id", "in", querySeries)
          .where("resolution", "=", 3600)
          .where("t", ">=", from)
          .where("t", "<=", now)
          .orderBy("series_id")
          .orderBy("t")
          .execute(),
      );
      report({
        name: "metrics-query-30d",
        metric: "ms (median of 7)",
        value: Math.round(queryMs * 10) / 10,
        baseline: Math.round(selectMs * 10) / 10,
        engine,
        series: QUERY_SERIES,
        points,
        cpuMs: Math.round(queryCpuMs * 10) / 10,
        baselineCpuMs: Math.round(selectCpuMs * 10) / 10,
        loadAverage: loadavg()[0],
        target: "< 100 ms for 30 days of 100 series at a 1 h step; baseline: a plain SELECT of the same roll-ups",
        met: queryMs < 100,
      });

      // 5,000 rules: one per host over the scraped series (5 per host, different thresholds), 5-minute windows.
      const at = new Date().toISOString();
      const rules = Array.from({ length: RULES }, (_, i) => ({
        id: uuidv7(),
        name: `BenchRule${i}`,
        kind: "metric",
        monitor_id: null,
        expression: JSON.stringify({
          metric: "bench_cpu",
          match: { instance: `host-${i % SERIES}` },
          fn: "avg",
          windowSeconds: 300,
          by: ["instance"],
          op: ">",
          threshold: 60 + (i % 5) * 10,
          recoveryThreshold: null,
        }),
        for_seconds: 300,
        keep_firing_for_seconds: 0,
        severity: "medium",
        labels: "{}",
        annotations: "{}",
        enabled: true,
        builtin: false,
        last_evaluated_at: null,
        last_error: null,
        created_at: at,
        updated_at: at,
      }));
      for (let i = 0; i < rules.length; i += 500)
        await db
          .insertInto("alert_rules")
          .values(rules.slice(i, i + 500) as never)
          .execute();
      const evalAt = new Date(t0 + (SCRAPES - 1) * 15_000);
      await services.alerts.engine.tick(evalAt); // warm: alerts created
      const cpu = process.cpuUsage();
      const wall = performance.now();
      await services.alerts.engine.tick(new Date(evalAt.getTime() + 15_000));
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      report({
        name: "alert-rules-5000",
        metric: "CPU ms of one 15 s tick (this process)",
        value: Math.round(cpuMs),
        baseline: 15_000,
        engine,
        rules: RULES,
        wallMs: Math.round(performance.now() - wall),
        loadAverage: loadavg()[0],
        target: "5,000 rules every 15 s in < 20% of one core: ratio (share of the tick) < 0.2",
        met: cpuMs / 15_000 < 0.2,
        note: engine === "postgres" ? "the PostgreSQL server's own CPU is not counted" : undefined,
      });
    } finally {
      await server.close();
    }
  }
}
