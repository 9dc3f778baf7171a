import { loadavg } from "node:os";
import { benchEngines, report, startBenchServer } from "./harness.js";
import { windowSeconds } from "./monitoring-core.js";

/**
 * The fixed cost of monitoring on an idle node: CPU time of a server process with the engine running and no
 * monitor (heartbeat, lease renewals, timers), minus the same process with monitoring off, as a share of one
 * core over PLANTAO_BENCH_SECONDS. Goal: under 0.5 % of one core (issue 18); ratio = 0.5 % / ours.
 */
const GOAL_PERCENT = 0.5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cpuPercent(engine: (typeof benchEngines)[number], monitoringOn: boolean): Promise<number> {
  const server = await startBenchServer(engine);
  try {
    await server.platform.start();
    if (monitoringOn) await server.services.monitoring.start();
    await sleep(5000);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(windowSeconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const elapsed = performance.now() - t0;
    if (monitoringOn) await server.services.monitoring.stop();
    return ((cpu.user + cpu.system) / 1000 / elapsed) * 100;
  } finally {
    await server.close();
  }
}

export default async function monitoringIdle(): Promise<void> {
  for (const engine of benchEngines) {
    const without = await cpuPercent(engine, false);
    const withEngine = await cpuPercent(engine, true);
    const fixed = Math.max(0.001, withEngine - without);
    report(
      {
        name: "monitoring-idle",
        metric: "goal % of one core / monitoring's fixed idle cost (higher is better)",
        value: GOAL_PERCENT,
        baseline: Math.round(fixed * 1000) / 1000,
        engine,
        seconds: windowSeconds,
        processPercentWithMonitoring: Math.round(withEngine * 1000) / 1000,
        processPercentWithout: Math.round(without * 1000) / 1000,
        loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
        node: process.version,
      },
      1,
    );
  }
}
