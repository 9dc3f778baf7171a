import pino from "pino";
import { loadConfig } from "../src/platform/config.js";
import { createPlatform } from "../src/platform/runtime.js";
import { createServices } from "../src/services.js";
import { benchEngines, measureSeconds, report, startBenchServer } from "./harness.js";

/**
 * Event → webhook job queued, through the claimed fan-out: 30 events a second for `measureSeconds`, published
 * alternately by two nodes on PostgreSQL (one on SQLite), each event matching two webhooks. The baseline, in
 * the same run, is the publishing transaction itself (the event's insert and commit): the fan-out's lag on top
 * of what publishing already costs. Informational: nothing is asserted here (test/events/fanout.test.ts does).
 */
const actor = {
  userId: "00000000-0000-7000-8000-000000000000",
  email: "bench@example.com",
  name: "bench",
  role: "admin" as const,
  organizationId: "00000000-0000-7000-8000-000000000001",
  tier: null,
  teams: [],
  via: "session" as const,
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? 0;
};

for (const engine of benchEngines) {
  const server = await startBenchServer(engine);
  const nodes = [{ platform: server.platform, services: server.services }];
  if (engine === "postgres") {
    const config = loadConfig(
      { PLANTAO_LOG_LEVEL: "silent", PLANTAO_JOBS: "off" },
      { databaseUrl: server.platform.config.databaseUrl, dataDir: server.platform.config.dataDir, nodeId: "b" },
    );
    const platform = await createPlatform({ config, logger: pino({ level: "silent" }), env: {} });
    nodes.push({ platform, services: createServices(platform) });
  }
  for (const name of ["one", "two"]) {
    await server.services.webhooks.create(
      actor,
      { name, url: "http://127.0.0.1:9/", eventTypes: ["plan.*"] },
      { ip: "127.0.0.1", headers: {} },
    );
  }
  for (const n of nodes) await n.platform.start();
  const count = measureSeconds * 30;
  const publishMs: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const { platform } = nodes[i % nodes.length]!;
    const t0 = performance.now();
    await platform.db
      .transaction()
      .execute((trx) =>
        platform.events.publish({ type: "plan.updated", subjectId: String(i), payload: { version: i } }, trx),
      );
    publishMs.push(performance.now() - t0);
    const due = started + ((i + 1) * 1000) / 30;
    if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
  }
  const deadline = Date.now() + 30_000;
  while ((await server.platform.fanOut.pending()).count > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const db = server.platform.db;
  const events = await db.selectFrom("events").select(["id", "created_at"]).execute();
  const at = new Map(events.map((e) => [Number(e.id), new Date(e.created_at).getTime()]));
  const jobs = await db
    .selectFrom("jobs")
    .select(["dedupe_key", "created_at"])
    .where("kind", "=", "webhook.deliver")
    .execute();
  const lags = jobs.map((j) => new Date(j.created_at).getTime() - at.get(Number(j.dedupe_key!.split(":")[2]))!);
  report({
    name: `event-fanout-${engine}`,
    metric: "event → webhook job queued p99 (ms), against the publishing transaction's p99",
    value: pct(lags, 0.99),
    baseline: Math.round(pct(publishMs, 0.99) * 10) / 10,
    engine,
    nodes: nodes.length,
    events: count,
    jobs: jobs.length,
    expectedJobs: count * 2,
    p50Ms: pct(lags, 0.5),
    p99Ms: pct(lags, 0.99),
    maxMs: Math.max(...lags),
    publishP50Ms: Math.round(pct(publishMs, 0.5) * 10) / 10,
  });
  for (const n of nodes.slice(1)) await n.platform.close();
  await server.close();
}
