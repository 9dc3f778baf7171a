import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchEngines, report, startBenchServer } from "./harness.js";
import { windowSeconds } from "./monitoring-core.js";

/**
 * The fixed cost of monitoring on an idle node: CPU time of a server process with the engine running and no
 * monitor (heartbeat, lease renewals, timers), minus the same process with monitoring off, as a share of one
 * core over PLANTAO_BENCH_SECONDS. Goal: under 0.5 % of one core (issue 18); ratio = 0.5 % / ours. Each of
 * the two measures runs in a process of its own, so neither is charged for what the other left behind.
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

/** One measure in a child process with the same loader; it prints the percentage on its last line. */
function measureAlone(engine: string, monitoringOn: boolean): Promise<number> {
  const runner = join(dirname(fileURLToPath(import.meta.url)), "run.ts");
  const env = {
    ...process.env,
    PLANTAO_BENCH_ENGINES: engine,
    PLANTAO_BENCH_IDLE_MONITORING: monitoringOn ? "on" : "off",
  };
  return new Promise((resolve, reject) => {
    let out = "";
    const child = spawn(process.execPath, [...process.execArgv, runner, "monitoring-idle.bench.ts"], {
      stdio: ["ignore", "pipe", "inherit"],
      env,
    });
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(Number(out.trim().split("\n").at(-1))) : reject(new Error(`idle measure: exit ${code}`)),
    );
  });
}

export default async function monitoringIdle(): Promise<void> {
  const mode = process.env.PLANTAO_BENCH_IDLE_MONITORING;
  if (mode) {
    process.stdout.write(`${await cpuPercent(benchEngines[0]!, mode === "on")}\n`);
    return;
  }
  for (const engine of benchEngines) {
    const without = await measureAlone(engine, false);
    const withEngine = await measureAlone(engine, true);
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
