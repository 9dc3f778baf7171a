import { spawn } from "node:child_process";
import { benchEngines } from "./harness.js";
import { measureMonitoring } from "./monitoring-core.js";

/**
 * HTTP monitoring cost at each of PLANTAO_BENCH_MONITORS (default 500, 2,000 and 10,000) HTTP monitors every
 * PLANTAO_BENCH_INTERVAL seconds (default 20, as Uptime Kuma was measured) against a local target in its own
 * process, a fresh connection per check (reusing one would hide connect failures). See monitoring-core.ts.
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

export default async function monitoringHttp(): Promise<void> {
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
