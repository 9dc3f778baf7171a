import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { uuidv7 } from "../src/platform/ids.js";
import { insertHttpMonitors } from "../test/fixtures/http-monitors.js";
import { NODE_ENV, openNode } from "../test/fixtures/nodes.js";
import { type Child, spawnNode } from "../test/fixtures/processes.js";
import { report } from "./harness.js";
import { GOAL_RATIO, KUMA_CPU_MS_PER_CHECK, windowSeconds } from "./monitoring-core.js";

/**
 * CPU per HTTP check of the server a user runs (`npm start`: the built `dist/server/cli.js start`, jobs, the
 * event bus, every module on, SQLite under its data directory), measured from outside as Uptime Kuma was:
 * the process's user + system time from /proc over the window (all its threads: V8's compiler and GC
 * helpers, libuv's pool) divided by the checks the target counted. Each size runs in a fresh server and
 * data directory. The warm-up is long (the runtime keeps compiling for minutes), then WINDOWS windows of
 * PLANTAO_BENCH_SECONDS each are measured and the median reported. PLANTAO_BENCH_MONITORS (default 500,2000),
 * PLANTAO_BENCH_INTERVAL (20 s), PLANTAO_BENCH_WARMUP_SECONDS (150), PLANTAO_BENCH_WINDOWS (3),
 * PLANTAO_BENCH_NODE_ARGS (extra Node options for the server, to compare runtime settings),
 * PLANTAO_BENCH_TARGET_CLOSE (1: the target answers `Connection: close`, so no check can reuse a connection).
 */
const SIZES = (process.env.PLANTAO_BENCH_MONITORS || "500,2000").split(",").map(Number);
const INTERVAL = Number(process.env.PLANTAO_BENCH_INTERVAL || 20);
const WARMUP_S = Number(process.env.PLANTAO_BENCH_WARMUP_SECONDS || 150);
const WINDOWS = Number(process.env.PLANTAO_BENCH_WINDOWS || 3);
const NODE_ARGS = (process.env.PLANTAO_BENCH_NODE_ARGS || "").split(" ").filter(Boolean);
/** The target keeps connections open as web servers do; `PLANTAO_BENCH_TARGET_CLOSE=1` closes each one. */
const TARGET_CLOSES = process.env.PLANTAO_BENCH_TARGET_CLOSE === "1";
const root = fileURLToPath(new URL("../", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;
const TICKS = 100; // USER_HZ on Linux

/** user + system CPU-ms (fields 14 and 15 of a /proc stat file). */
function statMs(path: string): { user: number; system: number } {
  const stat = readFileSync(path, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: (Number(fields[11]) * 1000) / TICKS, system: (Number(fields[12]) * 1000) / TICKS };
}

/** The whole process (all threads) and its main thread alone: the rest is V8's GC and compiler threads. */
function cpuMs(pid: number): { user: number; system: number; main: number } {
  const all = statMs(`/proc/${pid}/stat`);
  const main = statMs(`/proc/${pid}/task/${pid}/stat`);
  return { ...all, main: main.user + main.system };
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}

export default async function monitoringProcess(): Promise<void> {
  if (!existsSync(join(root, "dist/server/cli.js"))) {
    process.stderr.write("monitoring-process: dist/server/cli.js missing (npm run build:server), skipped\n");
    return;
  }
  let hits = 0;
  const target = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { "content-type": "text/plain", ...(TARGET_CLOSES ? { connection: "close" } : {}) }).end("ok");
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  const port = (target.address() as AddressInfo).port;
  try {
    for (const monitors of SIZES) {
      const dataDir = mkdtempSync(join(tmpdir(), "plantao-bench-process-"));
      const { PLANTAO_DATABASE_URL: _, ...inherited } = process.env;
      const env = {
        ...inherited,
        // The seeding node below seals the database's secrets with this key.
        ...NODE_ENV,
        PLANTAO_DATA_DIR: dataDir,
        PLANTAO_PORT: "0",
        PLANTAO_HOST: "127.0.0.1",
        PLANTAO_LOG_LEVEL: "warn",
        PLANTAO_ADMIN_PASSWORD: "bench-admin-password",
      };
      const migrate = spawnNode(["dist/server/cli.js", "migrate"], env);
      await migrate.exited;
      const node = await openNode(`sqlite:${join(dataDir, "plantao.db")}`, "bench-seed");
      const ids = Array.from({ length: monitors }, () => uuidv7());
      for (let i = 0; i < ids.length; i += 500)
        await insertHttpMonitors(node, ids.slice(i, i + 500), `http://127.0.0.1:${port}`, {
          intervalSeconds: INTERVAL,
          timeoutSeconds: 10,
        });
      await node.close();
      const server: Child = spawnNode([...NODE_ARGS, "dist/server/cli.js", "start"], env);
      try {
        await sleep(WARMUP_S * 1000);
        const pid = server.process.pid!;
        let rss = rssMiB(pid);
        const sampler = setInterval(() => {
          rss = Math.max(rss, rssMiB(pid));
        }, 5000);
        const windows: Array<{ cpu: number; user: number; system: number; main: number; checks: number; s: number }> =
          [];
        for (let w = 0; w < WINDOWS; w++) {
          const c0 = cpuMs(pid);
          const h0 = hits;
          const t0 = performance.now();
          await sleep(windowSeconds * 1000);
          const c1 = cpuMs(pid);
          const user = c1.user - c0.user;
          const system = c1.system - c0.system;
          windows.push({
            cpu: user + system,
            user,
            system,
            main: c1.main - c0.main,
            checks: hits - h0,
            s: (performance.now() - t0) / 1000,
          });
        }
        clearInterval(sampler);
        windows.sort((a, b) => a.cpu / a.checks - b.cpu / b.checks);
        const perCheck = windows.map((w) => w.cpu / w.checks);
        const median = windows[Math.floor(windows.length / 2)]!;
        report(
          {
            name: `monitoring-process-${monitors}`,
            metric: "Uptime Kuma CPU-ms per check / ours, whole server process (higher is better)",
            value: KUMA_CPU_MS_PER_CHECK(monitors),
            baseline: round(median.cpu / median.checks),
            reference: "Uptime Kuma 2.5.3 side by side: 4.26 CPU-ms per HTTP check at 500 monitors, 4.13-4.55 at 2,000",
            engine: "sqlite",
            monitors,
            intervalSeconds: INTERVAL,
            warmupSeconds: WARMUP_S,
            windowSeconds,
            cpuMsPerCheckWindows: perCheck.map((v) => round(v)),
            cpuMsPerCheck: round(median.cpu / median.checks),
            userMsPerCheck: round(median.user / median.checks),
            systemMsPerCheck: round(median.system / median.checks),
            mainThreadMsPerCheck: round(median.main / median.checks),
            cpuPercentOfOneCore: round((median.cpu / (median.s * 1000)) * 100, 1),
            checksPerSec: round(median.checks / median.s, 1),
            rateVsSchedule: round(median.checks / median.s / (monitors / INTERVAL)),
            rssMiB: rss,
            nodeArgs: NODE_ARGS.join(" "),
            targetCloses: TARGET_CLOSES,
            loadAverage: loadavg().map((l) => round(l, 2)),
            node: process.version,
          },
          GOAL_RATIO,
        );
      } finally {
        server.process.kill("SIGTERM");
        await server.exited;
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    target.close();
  }
}
