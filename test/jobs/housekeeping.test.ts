import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { engines, type TestContext, testApp } from "../harness.js";

describe.each(engines)("job housekeeping on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-25T12:00:00.000Z");
  beforeAll(async () => {
    t = await testApp(engine, { clock });
  });
  afterAll(() => t.close());

  it("deletes succeeded jobs a week after they finished, nightly, keeping dead and recent ones", async () => {
    const { jobs, db } = t.platform;
    jobs.register("test.noop", async () => {});
    jobs.register(
      "test.fail",
      async () => {
        throw new Error("always");
      },
      { maxAttempts: 1 },
    );
    await jobs.enqueue("test.noop", {});
    await jobs.enqueue("test.fail", {});
    await jobs.drain();
    await jobs.scheduleHousekeeping("America/Sao_Paulo");
    clock.set("2026-12-01T12:00:00.000Z");
    await jobs.enqueue("test.noop", {});
    await jobs.drain();
    // 03:17 in São Paulo on 3 December: the old success is 8 days old, the newer one 2.
    clock.set("2026-12-03T06:18:00.000Z");
    await jobs.drain();
    const left = await db
      .selectFrom("jobs")
      .select(["kind", "status", "finished_at"])
      .where("kind", "like", "test.%")
      .orderBy("created_at")
      .execute();
    expect(left.map((j) => `${j.kind}:${j.status}`)).toEqual(["test.fail:dead", "test.noop:succeeded"]);
    expect(left[1]!.finished_at).toBe("2026-12-01T12:00:00.000Z");
  });
});
