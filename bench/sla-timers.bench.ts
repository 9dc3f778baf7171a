import { uuidv7 } from "../src/platform/ids.js";
import { benchEngines, report, startBenchServer } from "./harness.js";

const BACKLOG = 100_000;
const SAMPLE = 200;
const WINDOW_MS = 15_000;

/**
 * Exact-time timers under load: 100,000 pending deadline jobs (due over the next day, as SLA timers are), and
 * 200 probe timers due within the next 15 s. Value: the probes' worst lateness with the backlog; baseline: the
 * same probes on an empty queue in the same run. Issue target: every timer fires within 1 s of its time.
 */
export default async function slaTimers(): Promise<void> {
  for (const engine of benchEngines) {
    const server = await startBenchServer(engine);
    try {
      const { jobs, db } = server.platform;
      const late: number[] = [];
      jobs.register<{ probe: boolean }>("bench.timer", async (job) => {
        if (job.payload.probe) late.push(Date.now() - new Date(job.runAt).getTime());
      });
      const probes = async () => {
        late.length = 0;
        const start = Date.now() + 1000;
        for (let i = 0; i < SAMPLE; i++) {
          await jobs.enqueue(
            "bench.timer",
            { probe: true },
            { runAt: new Date(start + Math.floor((i * WINDOW_MS) / SAMPLE)) },
          );
        }
        const deadline = Date.now() + WINDOW_MS + 30_000;
        while (late.length < SAMPLE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        if (late.length < SAMPLE) throw new Error(`only ${late.length} of ${SAMPLE} probe timers fired`);
        const sorted = [...late].sort((a, b) => a - b);
        return { max: sorted.at(-1)!, p99: sorted[Math.floor(SAMPLE * 0.99) - 1]!, median: sorted[SAMPLE / 2]! };
      };
      await jobs.start();
      const empty = await probes();
      const now = Date.now();
      const iso = new Date(now).toISOString();
      for (let i = 0; i < BACKLOG; i += 1000) {
        await db
          .insertInto("jobs")
          .values(
            Array.from({ length: 1000 }, (_, k) => ({
              id: uuidv7(),
              kind: "bench.timer",
              payload: '{"probe":false}',
              status: "queued" as const,
              run_at: new Date(now + 3_600_000 + ((i + k) * 86_400_000) / BACKLOG).toISOString(),
              attempts: 0,
              max_attempts: 5,
              dedupe_key: null,
              schedule_name: null,
              locked_by: null,
              locked_until: null,
              last_error: null,
              created_at: iso,
              updated_at: iso,
              finished_at: null,
            })),
          )
          .execute();
      }
      const loaded = await probes();
      report({
        name: "sla-timers",
        metric: "max lateness ms",
        value: loaded.max,
        baseline: Math.max(1, empty.max),
        engine,
        pendingTimers: BACKLOG,
        probes: SAMPLE,
        p99Ms: loaded.p99,
        medianMs: loaded.median,
        baselineP99Ms: empty.p99,
        target: "every timer within 1000 ms",
        pass: loaded.max < 1000,
        node: process.version,
      });
      if (loaded.max >= 1000) process.exitCode = 1;
      await jobs.stop(1000);
    } finally {
      await server.close();
    }
  }
}
