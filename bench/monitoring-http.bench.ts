import { spawn } from "node:child_process";
import { benchEngines } from "./harness.js";
import { measureMonitoring } from "./monitoring-core.js";

/**
 * HTTP monitoring cost: PLANTAO_BENCH_MONITORS (default 10,000) HTTP monitors every 30 s against a local target
 * in its own process, a fresh connection per check (reusing one would hide connect failures), as Uptime Kuma
 * was measured. See monitoring-core.ts for the window and the figures.
 */
const MONITORS = Number(process.env.PLANTAO_BENCH_MONITORS || 10_000);

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
      await measureMonitoring(engine, {
        name: "monitoring-http",
        type: "http",
        monitors: MONITORS,
        intervalSeconds: 30,
        target: (i) => `http://127.0.0.1:${target.port}/health/${i}`,
        reference: "Uptime Kuma 2.5.3: 3.0 CPU-ms per HTTP check (2,000 monitors / 20 s, fresh connection per check)",
      });
    }
  } finally {
    target.stop();
  }
}
