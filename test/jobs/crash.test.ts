import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Platform } from "../../src/platform/runtime.js";
import { openNode, waitFor } from "../fixtures/nodes.js";
import { type Child, spawnFixture } from "../fixtures/processes.js";
import { engines, type ScratchDatabase, scratchDatabase } from "../harness.js";

const HOLDS = 3;
const ACKS_BEFORE_KILL = 300;

describe.each(engines)("kill -9 during a burst of writes on %s", (engine) => {
  let scratch: ScratchDatabase;
  let writer: Child | undefined;
  let rescuer: Platform | undefined;

  beforeEach(async () => {
    scratch = await scratchDatabase(engine);
  });
  afterEach(async () => {
    writer?.process.kill("SIGKILL");
    await rescuer?.close();
    await scratch.drop();
  });

  it("loses no acknowledged write and leaves no job claimed forever", async () => {
    writer = spawnFixture("crash-writer.ts", [scratch.url, String(HOLDS)]);
    const acked = () => writer!.lines.filter((l) => !l.startsWith("held ")).length;
    // tsx compiles the app first: slow on a busy machine.
    await writer.line(() => acked() >= ACKS_BEFORE_KILL, 90_000);
    writer.process.kill("SIGKILL");
    const exit = await writer.exited;
    expect(exit.signal).toBe("SIGKILL");
    const killedAt = Date.now();

    const jobIds: string[] = [];
    const eventIds: number[] = [];
    const heldIds: string[] = [];
    for (const line of writer.lines) {
      const [kind, a, b] = line.split(" ");
      if (kind === "held") heldIds.push(a!);
      if (kind === "job") jobIds.push(a!);
      if (kind === "event") eventIds.push(Number(a));
      if (kind === "tx") {
        eventIds.push(Number(a));
        jobIds.push(b!);
      }
    }
    expect(heldIds).toHaveLength(HOLDS);
    expect(jobIds.length + eventIds.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

    rescuer = await openNode(scratch.url, "rescuer", { config: { jobLeaseMs: 1_000, jobPollMs: 100 } });
    const storedJobs = new Set((await rescuer.db.selectFrom("jobs").select("id").execute()).map((r) => r.id));
    const storedEvents = new Set(
      (await rescuer.db.selectFrom("events").select("id").execute()).map((r) => Number(r.id)),
    );
    expect(jobIds.filter((id) => !storedJobs.has(id))).toEqual([]);
    expect(eventIds.filter((id) => !storedEvents.has(id))).toEqual([]);

    const reran: string[] = [];
    rescuer.jobs.register("hold", async (job) => {
      reran.push(job.id);
    });
    await rescuer.start();
    await waitFor("the dead node's jobs to finish", () => reran.length >= HOLDS, 5_000);
    const tookOverMs = Date.now() - killedAt;
    expect(reran.sort()).toEqual([...heldIds].sort());

    await waitFor(
      "their results to be recorded",
      async () =>
        (
          await rescuer!.db
            .selectFrom("jobs")
            .select("id")
            .where("id", "in", heldIds)
            .where("status", "=", "succeeded")
            .execute()
        ).length === HOLDS,
      2_000,
    );
    const held = await rescuer.db.selectFrom("jobs").select("attempts").where("id", "in", heldIds).execute();
    expect(held.map((j) => j.attempts)).toEqual(heldIds.map(() => 2));
    expect(await rescuer.db.selectFrom("jobs").select("id").where("status", "=", "running").execute()).toEqual([]);
    console.info(
      `${engine}: ${jobIds.length} jobs and ${eventIds.length} events acknowledged; takeover ${tookOverMs} ms after kill`,
    );
  }, 150_000);
});
