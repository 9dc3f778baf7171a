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

  it("slices byte strings, stored ones too, byte for byte and shorter where they end", async () => {
    const { db, dialect } = t.platform;
    // Bytes that are no valid UTF-8 and NUL: SQLite's `||` makes text of them, and the cast takes them back.
    const bytes = Buffer.from([0, 255, 0xc3, 0x28, 1, 0, 0, 0x80, 9, 10, 11, 12]);
    await db
      .insertInto("metric_frames")
      .values({ target_id: "slices", t: 1, series: bytes, samples: Buffer.alloc(24) })
      .execute();
    const slices = (list: { offset: number; length: number }[]) =>
      db
        .selectFrom("metric_frames")
        .select((eb) => dialect.bytesSlices(eb.ref("series"), list).as("v"))
        .where("target_id", "=", "slices")
        .executeTakeFirstOrThrow()
        .then((r) => [...r.v]);
    expect(await slices([{ offset: 2, length: 4 }])).toEqual([0xc3, 0x28, 1, 0]);
    expect(
      await slices([
        { offset: 8, length: 4 },
        { offset: 0, length: 2 },
        { offset: 10, length: 8 },
      ]),
    ).toEqual([9, 10, 11, 12, 0, 255, 11, 12]);
    expect(await slices([{ offset: 12, length: 8 }])).toEqual([]);
    await db.deleteFrom("metric_frames").where("target_id", "=", "slices").execute();
  });
});
