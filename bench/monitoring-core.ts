import { loadavg } from "node:os";
import { Value } from "typebox/value";
import { probeTypes } from "../src/modules/monitoring/checks/index.js";
import type { Engine } from "../src/platform/db/dialect.js";
import { uuidv7 } from "../src/platform/ids.js";
import { type BenchLine, report, startBenchServer, startCpuProfile } from "./harness.js";

/**
 * The measurement shared by the monitoring benchmarks: N monitors of one probe type, seeded straight into the
 * database, run by the real engine of a real server process (this one) against a target in another process.
 * After a warm-up of one interval and a little more (every monitor has run, the JIT is warm), CPU time of this
 * process over the window is divided by the checks done in it. The reference is Uptime Kuma 2.5.3 measured
 * side by side on this kind of machine (issue 18): 4.26 CPU-ms per HTTP check at 500 monitors and 4.13–4.55
 * at 2,000 (the lower figure is used, and for larger counts too); the goal is ten times less: a ratio of 10.
 */
export const KUMA_CPU_MS_PER_CHECK = (monitors: number) => (monitors <= 500 ? 4.26 : 4.13);
export const GOAL_RATIO = 10;
export const windowSeconds = Number(process.env.PLANTAO_BENCH_SECONDS || 60);
/** Extra warm-up beyond the first interval: a node runs for days, so the figure is its steady state. */
const warmupSeconds = Number(process.env.PLANTAO_BENCH_WARMUP_SECONDS || 5);

export interface MonitoringRun {
  name: string;
  type: string;
  monitors: number;
  intervalSeconds: number;
  target(i: number): string;
  settings?: Record<string, unknown>;
  /** What the figure is compared with, for the JSON line. */
  reference: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

export async function measureMonitoring(engine: Engine, run: MonitoringRun): Promise<BenchLine> {
  const probe = probeTypes[run.type];
  if (!probe) throw new Error(`no probe type ${run.type}`);
  // As the API stores them: the probe's defaults filled in.
  const settings = Value.Default(probe.settings, structuredClone(run.settings ?? {})) as Record<string, unknown>;
  const server = await startBenchServer(engine, async ({ platform }) => {
    const now = new Date().toISOString();
    for (let i = 0; i < run.monitors; i += 500) {
      const rows = [];
      for (let j = i; j < Math.min(run.monitors, i + 500); j++) {
        rows.push({
          id: uuidv7(),
          organization_id: null,
          name: `${run.type} ${j}`,
          type: run.type,
          target: run.target(j),
          interval_seconds: run.intervalSeconds,
          timeout_seconds: 10,
          retries: 1,
          failure_threshold: 1,
          success_threshold: 1,
          settings: platform.dialect.json(settings),
          parent_id: null,
          group_id: null,
          enabled: true,
          push_token_hash: null,
          created_at: now,
          updated_at: now,
        });
      }
      await platform.db.insertInto("monitors").values(rows).execute();
    }
  });
  try {
    await server.platform.start();
    const monitoring = server.services.monitoring;
    await monitoring.start();
    await sleep((run.intervalSeconds + warmupSeconds) * 1000);
    const before = monitoring.engine.stats();
    const profile = await startCpuProfile();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let rss = process.memoryUsage.rss();
    // rss() alone: memoryUsage() also walks the heap's spaces, a cost the checks would be charged for.
    const sampler = setInterval(() => {
      rss = Math.max(rss, process.memoryUsage.rss());
    }, 1000);
    await sleep(windowSeconds * 1000);
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    await profile?.(`${run.name}-${engine}`);
    const elapsedS = (performance.now() - t0) / 1000;
    const after = monitoring.engine.stats();
    const checks = after.checks - before.checks;
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const cpuMsPerCheck = cpuMs / checks;
    const expectedPerSec = run.monitors / run.intervalSeconds;
    const notUp = await server.platform.db
      .selectFrom("monitor_states")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "!=", "UP")
      .executeTakeFirst();
    await monitoring.stop();
    return report(
      {
        name: run.name,
        metric: "Uptime Kuma CPU-ms per check / ours (higher is better)",
        value: KUMA_CPU_MS_PER_CHECK(run.monitors),
        baseline: round(cpuMsPerCheck),
        reference: run.reference,
        engine,
        monitors: run.monitors,
        intervalSeconds: run.intervalSeconds,
        seconds: Math.round(elapsedS),
        cpuMsPerCheck: round(cpuMsPerCheck),
        userMsPerCheck: round(cpu.user / 1000 / checks),
        systemMsPerCheck: round(cpu.system / 1000 / checks),
        cpuPercentOfOneCore: round((cpuMs / (elapsedS * 1000)) * 100, 1),
        checksPerSec: round(checks / elapsedS, 1),
        expectedChecksPerSec: round(expectedPerSec, 1),
        rateVsSchedule: round(checks / elapsedS / expectedPerSec),
        lagP50Ms: after.lagP50Ms,
        lagP99Ms: after.lagP99Ms,
        lagMaxMs: after.lagMaxMs,
        skipped: after.skipped - before.skipped,
        notUp: Number(notUp?.n ?? 0),
        rssMiB: Math.round(rss / 1048576),
        loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
        node: process.version,
      },
      GOAL_RATIO,
    );
  } finally {
    await server.close();
  }
}
