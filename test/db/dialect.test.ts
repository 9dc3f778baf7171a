import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines, type TestContext, testApp } from "../harness.js";

describe.each(engines)("dialect helpers on %s", (engine) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await testApp(engine);
  });
  afterAll(() => t.close());

  it("buckets instants by a width in seconds, the same on both engines", async () => {
    const { db, dialect } = t.platform;
    for (const at of ["2026-11-25T13:47:31.123Z", "2026-11-25T13:45:00.000Z", "2026-11-26T00:00:59.999Z"]) {
      await db
        .insertInto("events")
        .values({ type: "bucket.test", organization_id: null, subject_id: null, payload: "{}", created_at: at })
        .execute();
    }
    const rows = await db
      .selectFrom("events")
      .select([(eb) => dialect.timeBucket(eb.ref("created_at"), 300).as("bucket"), sql<string>`created_at`.as("at")])
      .where("type", "=", "bucket.test")
      .orderBy("id")
      .execute();
    expect(rows.map((r) => new Date(r.bucket).toISOString())).toEqual([
      "2026-11-25T13:45:00.000Z",
      "2026-11-25T13:45:00.000Z",
      "2026-11-26T00:00:00.000Z",
    ]);
  });
});
