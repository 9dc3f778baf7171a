import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../src/platform/runtime.js";
import { openNode, waitFor } from "../fixtures/nodes.js";
import { type Child, spawnFixture } from "../fixtures/processes.js";
import { postgresUrl, type ScratchDatabase, scratchDatabase } from "../harness.js";

const JOBS = 1_000;

// Two app processes share one database only on PostgreSQL; SQLite is a single-node engine.
describe.skipIf(!postgresUrl)("two worker processes on one PostgreSQL database", () => {
  let scratch: ScratchDatabase;
  let enqueuer: Platform;
  const workers: Child[] = [];

  beforeAll(async () => {
    scratch = await scratchDatabase("postgres");
    enqueuer = await openNode(scratch.url, "enqueuer");
    // No unique key on purpose: a job run twice must show up as two rows, not as an error.
    await sql`CREATE TABLE job_runs (job_id text NOT NULL, node_id text NOT NULL)`.execute(enqueuer.db);
  });
  afterAll(async () => {
    for (const w of workers) w.process.kill("SIGKILL");
    await enqueuer?.close();
    await scratch?.drop();
  });

  it(`runs ${JOBS} jobs exactly once between them`, async () => {
    workers.push(
      spawnFixture("job-worker.ts", [scratch.url, "w1"]),
      spawnFixture("job-worker.ts", [scratch.url, "w2"]),
    );
    // tsx compiles the app first: slow on a busy machine.
    await Promise.all(workers.map((w) => w.line((l) => l === "ready", 90_000)));

    const t0 = Date.now();
    const ids = await enqueuer.db.transaction().execute(async (trx) => {
      const out: string[] = [];
      for (let i = 0; i < JOBS; i++)
        out.push((await enqueuer.jobs.enqueue("work", { i }, { executor: trx })) as string);
      return out;
    });
    const done = () =>
      enqueuer.db
        .selectFrom("jobs")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("status", "=", "succeeded")
        .executeTakeFirstOrThrow();
    await waitFor("every job to succeed", async () => Number((await done()).n) === JOBS, 20_000, 100);
    const elapsed = Date.now() - t0;

    const runs = await sql<{ job_id: string; node_id: string }>`SELECT job_id, node_id FROM job_runs`.execute(
      enqueuer.db,
    );
    const perJob = new Map<string, number>();
    for (const r of runs.rows) perJob.set(r.job_id, (perJob.get(r.job_id) ?? 0) + 1);
    expect([...perJob.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(new Set(perJob.keys())).toEqual(new Set(ids));
    const perNode = new Map<string, number>();
    for (const r of runs.rows) perNode.set(r.node_id, (perNode.get(r.node_id) ?? 0) + 1);
    expect(perNode.get("w1")).toBeGreaterThan(0);
    expect(perNode.get("w2")).toBeGreaterThan(0);
    const attempts = await enqueuer.db.selectFrom("jobs").select("attempts").where("attempts", "!=", 1).execute();
    expect(attempts).toEqual([]);
    console.info(`${JOBS} jobs in ${elapsed} ms; w1 ran ${perNode.get("w1")}, w2 ran ${perNode.get("w2")}`);

    for (const w of workers) w.process.kill("SIGTERM");
    const exits = await Promise.all(workers.map((w) => w.exited));
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
  }, 150_000);
});
