import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchEngines } from "./harness.js";
import { measureMonitoring } from "./monitoring-core.js";

/**
 * HTTP monitoring cost at each of PLANTAO_BENCH_MONITORS (default 500, 2,000 and 10,000) HTTP monitors every
 * PLANTAO_BENCH_INTERVAL seconds (default 20, as Uptime Kuma was measured) against a local target in its own
 * process, a fresh connection per check (reusing one would hide connect failures). See monitoring-core.ts.
 * Each size and engine runs in a process of its own: run after a larger one in the same process, a size was
 * charged for that one's leftovers (its garbage, its closed server's handles).
 */
const SIZES = (process.env.PLANTAO_BENCH_MONITORS || "500,2000,10000").split(",").map(Number);
const INTERVAL = Number(process.env.PLANTAO_BENCH_INTERVAL || 20);

/** The monitored HTTP server, alone in its process so its CPU is not counted as ours. */
const TARGET = `
const http = require("node:http");
const server = http.createServer((req, res) => { res.writeHead(200, { "content-type": "text/plain", connection: "close" }); res.end("ok"); });
server.listen(0, "127.0.0.1", () => process.stdout.write(String(server.address().port) + "\\n"));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

async function startTarget(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ["-e", TARGET], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once("exit", (code) => reject(new Error(`target exited with ${code}`)));
  });
  return { port, stop: () => child.stdin.end() };
}

/** Runs this file again for one size on one engine, in a child process with the same loader. */
function runAlone(engine: string, monitors: number): Promise<void> {
  const runner = join(dirname(fileURLToPath(import.meta.url)), "run.ts");
  const env = { ...process.env, PLANTAO_BENCH_ENGINES: engine, PLANTAO_BENCH_MONITORS: String(monitors) };
  return new Promise((resolve, reject) => {
    spawn(process.execPath, [...process.execArgv, runner, "monitoring-http.bench.ts"], { stdio: "inherit", env }).on(
      "exit",
      (code) =>
        code === 0 ? resolve() : reject(new Error(`monitoring-http at ${monitors} on ${engine}: exit ${code}`)),
    );
  });
}

export default async function monitoringHttp(): Promise<void> {
  if (SIZES.length > 1 || benchEngines.length > 1) {
    // Every size runs even when one misses its target (the child exits 1), so one run reports them all.
    const failed: string[] = [];
    for (const engine of benchEngines)
      for (const monitors of SIZES) await runAlone(engine, monitors).catch((e: Error) => failed.push(e.message));
    if (failed.length > 0) throw new Error(failed.join("; "));
    return;
  }
  const target = await startTarget();
  try {
    for (const engine of benchEngines) {
      for (const monitors of SIZES) {
        await measureMonitoring(engine, {
          name: `monitoring-http-${monitors}`,
          type: "http",
          monitors,
          intervalSeconds: INTERVAL,
          target: (i) => `http://127.0.0.1:${target.port}/health/${i}`,
          reference: `Uptime Kuma 2.5.3 side by side: 4.26 CPU-ms per HTTP check at 500 monitors, 4.13-4.55 at 2,000`,
        });
      }
    }
  } finally {
    target.stop();
  }
}
