import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harnessActor, type TestContext, testApp } from "../harness.js";

const BIN = "/usr/bin/prometheus-node-exporter";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe.skipIf(!existsSync(BIN))("Debian's node_exporter scraped on loopback", () => {
  let t: TestContext;
  let exporter: ChildProcess;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    exporter = spawn(BIN, [`--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
    url = `http://127.0.0.1:${port}/metrics`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(url).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    t = await testApp("sqlite");
  }, 60_000);
  afterAll(async () => {
    exporter?.kill();
    await t?.close();
  });

  it("parses every family and stores CPU, memory, disk and network with the usage gauges", async () => {
    const created = await t.services.metrics.createTarget(harnessActor(t), { name: "node", url });
    const row = (await (t.services.metrics as any).repo.findTarget(created.id))!;
    const first = await t.services.metrics.scrape(row);
    expect(first.error).toBeNull();
    expect(first.samples).toBeGreaterThan(100);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await t.services.metrics.scrape(row);
    expect(second.error).toBeNull();
    const names = await t.services.metrics.metricNames();
    for (const n of [
      "node_cpu_seconds_total",
      "node_memory_MemAvailable_bytes",
      "node_filesystem_avail_bytes",
      "node_network_receive_bytes_total",
      "instance:memory_usage:percent",
    ])
      expect(names).toContain(n);
  }, 30_000);
});
