import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { phaseOf } from "../src/modules/monitoring/schedule.js";
import { uuidv7 } from "../src/platform/ids.js";
import { insertHttpMonitors } from "../test/fixtures/http-monitors.js";
import { type Child, spawnNode } from "../test/fixtures/processes.js";
import { report, startBenchServer } from "./harness.js";

/**
 * The failover gap, measured from outside as issue 18 did: two node processes on one PostgreSQL database
 * (PLANTAO_BENCH_POSTGRES_URL), 200 HTTP monitors every 10 s, the default 3 s lease, and a target that stamps
 * every check. One node is killed (-9), rejoins, then the other stops on SIGTERM; the largest gap of any
 * monitor is compared with the bound interval + lease + 1 s (ratio = bound / largest gap, at least 1), and
 * intervals checked twice are counted.
 */
const MONITORS = 200;
const INTERVAL_MS = 10_000;
const LEASE_MS = 3000;
const BOUND_MS = INTERVAL_MS + LEASE_MS + 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default async function monitoringFailover(): Promise<void> {
  if (!process.env.PLANTAO_BENCH_POSTGRES_URL) {
    process.stderr.write("monitoring-failover: needs PLANTAO_BENCH_POSTGRES_URL, skipped\n");
    return;
  }
  const hits = new Map<string, number[]>();
  const target = createServer((req, res) => {
    const id = req.url!.slice(1);
    hits.set(id, [...(hits.get(id) ?? []), Date.now()]);
    res.writeHead(200, { connection: "close" }).end("ok");
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  const port = (target.address() as AddressInfo).port;
  const ids = Array.from({ length: MONITORS }, () => uuidv7());
  const server = await startBenchServer("postgres", ({ platform }) =>
    insertHttpMonitors(platform, ids, `http://127.0.0.1:${port}`, {
      intervalSeconds: INTERVAL_MS / 1000,
      timeoutSeconds: 2,
    }),
  );
  const url = server.platform.config.databaseUrl;
  const children: Child[] = [];
  const node = async (id: string) => {
    const c = spawnNode(["--import", "tsx", "test/fixtures/monitor-node.ts", url, id, String(LEASE_MS)]);
    children.push(c);
    await c.line((l) => l === "ready", 60_000);
    return c;
  };
  try {
    const a = await node("bench-a");
    const b = await node("bench-b");
    await sleep(INTERVAL_MS + 5000);
    const from = Date.now();
    a.process.kill("SIGKILL");
    await sleep(3 * INTERVAL_MS);
    const a2 = await node("bench-a2");
    await sleep(2 * INTERVAL_MS);
    b.process.kill("SIGTERM");
    await b.exited;
    await sleep(2 * INTERVAL_MS);
    const to = Date.now();
    a2.process.kill("SIGTERM");
    await a2.exited;
    let largest = 0;
    let over = 0;
    let twice = 0;
    for (const id of ids) {
      const list = (hits.get(id) ?? []).filter((t) => t >= from && t <= to);
      const bounds = [from, ...list, to];
      let worst = 0;
      for (let i = 1; i < bounds.length; i++) worst = Math.max(worst, bounds[i]! - bounds[i - 1]!);
      largest = Math.max(largest, worst);
      if (worst > BOUND_MS) over++;
      const phase = phaseOf(id, INTERVAL_MS);
      const slots = list.map((t) => Math.floor((t - phase + 300) / INTERVAL_MS));
      for (let i = 1; i < slots.length; i++) if (slots[i] === slots[i - 1]) twice++;
    }
    report(
      {
        name: "monitoring-failover",
        metric: "bound (interval + lease + 1 s) / largest gap of any monitor (at least 1)",
        value: BOUND_MS,
        baseline: largest,
        monitors: MONITORS,
        intervalMs: INTERVAL_MS,
        leaseMs: LEASE_MS,
        monitorsOverBound: over,
        intervalsCheckedTwice: twice,
        events: "kill -9, rejoin, SIGTERM",
        loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
        node: process.version,
      },
      1,
    );
  } finally {
    for (const c of children)
      if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill("SIGKILL");
    await server.close();
    target.close();
  }
}
