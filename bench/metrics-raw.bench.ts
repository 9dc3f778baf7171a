import { loadavg } from "node:os";
import type { Point } from "../src/modules/metrics/aggregate.js";
import { openFrame, pick } from "../src/modules/metrics/frames.js";
import { MetricsRepository } from "../src/modules/metrics/repository.js";
import { dialectOf } from "../src/platform/db/dialect.js";
import { benchEngines, report, startBenchServer } from "./harness.js";

const SERIES = 1_000;
const INTERVAL = 15_000;
const HOURS = Number(process.env.PLANTAO_BENCH_RAW_HOURS || 24);
const RUNS = 20;
/**
 * Series lists of the target over the range (PLANTAO_BENCH_RAW_LAYOUTS): past 1, the list changes that many
 * times less one at even intervals, a series at the end of the target's list gone at each change.
 */
const LAYOUTS = Number(process.env.PLANTAO_BENCH_RAW_LAYOUTS || 1);
/** Scrapes per insert call: framesOf makes one frame of each. */
const INSERT_BATCH = 100;

/**
 * Raw reads of a few series of one big target, per engine: one target of 1,000 series scraped every 15 s for
 * 24 hours (5,760 frames), then 24 hours of 1 and of 10 of its series through MetricsRepository.rawSamples (what
 * raw metric queries, rule windows and rule previews read), p50 and p95 of 20 runs, against reading the range's
 * whole frames and picking the series out of each (how every raw read worked before), interleaved run by run.
 * With PLANTAO_BENCH_RAW_LAYOUTS=4 the target's series list changes three times over the range.
 */
export default async function metricsRawBench(): Promise<void> {
  for (const engine of benchEngines) {
    const server = await startBenchServer(engine);
    const db = server.platform.db;
    try {
      const repo = new MetricsRepository(db, dialectOf(db));
      const target = await server.services.metrics.createTarget(
        null as never,
        { name: "bench-raw", url: "http://127.0.0.1:1/metrics", enabled: false, maxSeries: 100_000 } as never,
      );
      const series = await repo.createSeries(
        target.id,
        Array.from({ length: SERIES }, (_, i) => ({
          metric: "bench_raw",
          labels: { instance: `host-${i}` },
          labels_key: `instance=host-${i}`,
        })),
        new Date().toISOString(),
      );
      const ids = series.map((s) => Number(s.id)).sort((a, b) => a - b);
      const scrapes = (HOURS * 3_600_000) / INTERVAL;
      const to = Date.now();
      const from = to - (scrapes - 1) * INTERVAL;
      // Gauges that wander (incompressible doubles, as real ones are), every series in every scrape.
      let seed = 1;
      const seeded = await timed(async () => {
        for (let k = 0; k < scrapes; k += INSERT_BATCH) {
          const n = Math.min(INSERT_BATCH, scrapes - k);
          const sIds: number[] = [];
          const times: number[] = [];
          const values: number[] = [];
          for (let j = 0; j < n; j++)
            for (const id of ids.slice(0, SERIES - Math.floor(((k + j) * LAYOUTS) / scrapes))) {
              seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
              sIds.push(id);
              times.push(from + (k + j) * INTERVAL);
              values.push((id % 100) + seed / 2 ** 31);
            }
          await repo.insertSamples(target.id, sIds, times, values);
        }
      });
      process.stderr.write(`metrics-raw ${engine}: ${scrapes} frames stored in ${Math.round(seeded)} ms\n`);

      /** The read as it was: the range's whole frames, each decoded, the wanted series picked out. */
      const wholeFrames = async (wanted: number[]) => {
        const out = new Map<number, Point[]>();
        for (const f of await db
          .selectFrom("metric_frames")
          .select(["target_id", "t", "series", "samples"])
          .where("target_id", "in", [target.id])
          .where("t", ">=", from)
          .where("t", "<=", to)
          .orderBy("target_id")
          .orderBy("t")
          .execute()) {
          const t = Number(f.t);
          pick(openFrame(f.series, f.samples), wanted, (id, value) => {
            const points = out.get(id) ?? [];
            if (points.length === 0) out.set(id, points);
            points.push([t, value]);
          });
        }
        return out;
      };

      for (const count of [1, 10]) {
        // Spread over the target's series, so the slices come from across each frame.
        const wanted = Array.from({ length: count }, (_, i) => ids[Math.floor(((i + 0.5) * SERIES) / count)]!);
        const sliced = await repo.rawSamples(wanted, from, to);
        const whole = await wholeFrames(wanted);
        for (const id of wanted)
          if (JSON.stringify(sliced.get(id)) !== JSON.stringify(whole.get(id)))
            throw new Error(`series ${id}: the sliced read differs from the whole frames`);
        const runs: number[] = [];
        const baseRuns: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          runs.push(await timed(() => repo.rawSamples(wanted, from, to)));
          baseRuns.push(await timed(() => wholeFrames(wanted)));
        }
        const p50 = percentile(runs, 0.5);
        const base50 = percentile(baseRuns, 0.5);
        report({
          name: `metrics-raw-${HOURS}h-${count}${LAYOUTS > 1 ? `-${LAYOUTS}-layouts` : ""}`,
          metric: `ms (p50 of ${RUNS})`,
          value: p50,
          baseline: base50,
          engine,
          series: count,
          frames: scrapes,
          targetSeries: SERIES,
          layouts: LAYOUTS,
          points: count * scrapes,
          p95: percentile(runs, 0.95),
          baselineP95: percentile(baseRuns, 0.95),
          loadAverage: loadavg()[0],
          note: "value: rawSamples (values sliced by layout); baseline: the range's whole frames read and picked, as before",
        });
      }
    } finally {
      await server.close();
    }
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const s = performance.now();
  await fn();
  return performance.now() - s;
}

function percentile(runs: readonly number[], q: number): number {
  const sorted = [...runs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! * 10) / 10;
}
