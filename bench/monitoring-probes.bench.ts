import { spawn } from "node:child_process";
import { Value } from "typebox/value";
import { type CheckResult, type ProbeType, probeTypes } from "../src/modules/monitoring/checks/index.js";
import { startSipp } from "../test/fixtures/sipp.js";
import { measureSeconds, report } from "./harness.js";

/** The budget per check: 10,000 HTTP monitors at 30 s under 25% of one core. */
const BUDGET_CPU_MS = 0.75;

/**
 * The probes alone (no scheduler, no storage), at the check rates: HTTP at 333/s (10,000 monitors
 * every 30 s) against a server in another process, a fresh connection per check; sip-options over UDP at
 * 67/s (2,000 monitors every 30 s) against SIPp. Value: CPU time of this process per check (user + system),
 * after a warm-up; baseline: the 0.75 CPU-ms budget for the whole engine's work per check.
 */
async function measure(name: string, probe: ProbeType, target: string, perSecond: number): Promise<void> {
  const settings = Value.Default(probe.settings, {}) as Record<string, unknown>;
  const runOne = () => probe.run(target, settings, { signal: AbortSignal.timeout(5000), timeoutMs: 5000 });
  for (let i = 0; i < 200; i++) await runOne();
  const total = Math.round(perSecond * measureSeconds);
  const results: Promise<CheckResult>[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond));
      while (results.length < due) results.push(runOne());
      if (results.length >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 50);
  });
  const done = await Promise.all(results);
  const used = process.cpuUsage(cpu);
  const latencies = done.map((r) => r.latencyMs ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  report({
    name,
    metric: "CPU-ms per check (probe only, lower is better)",
    value: Math.round(((used.user + used.system) / 1000 / total) * 1000) / 1000,
    baseline: BUDGET_CPU_MS,
    checks: total,
    perSecond,
    up: done.filter((r) => r.status === "up").length,
    p50LatencyMs: latencies[Math.floor(total / 2)],
    p99LatencyMs: latencies[Math.floor(total * 0.99)],
    rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
  });
}

export default async function monitoringProbes(): Promise<void> {
  const server = spawn(
    process.execPath,
    [
      "-e",
      'require("http").createServer((q, r) => r.end("ok")).listen(0, "127.0.0.1", function () { console.log(this.address().port) })',
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  try {
    const port = await new Promise<string>((resolve) => server.stdout!.once("data", (d) => resolve(String(d).trim())));
    await measure("monitoring probe: http", probeTypes.http!, `http://127.0.0.1:${port}/`, 333);
  } finally {
    server.kill();
  }
  const sipp = await startSipp("options-200.xml", "udp");
  try {
    await measure("monitoring probe: sip-options (UDP)", probeTypes["sip-options"]!, sipp.uri(), 67);
  } finally {
    await sipp.stop();
  }
}
