import { Migrator, sql } from "kysely";
import { describe, expect, it } from "vitest";
import { openFrame } from "../../src/modules/metrics/frames.js";
import { openDatabase } from "../../src/platform/db/database.js";
import { migrateToLatest, migrations } from "../../src/platform/db/migrate.js";
import { engines, scratchDatabase } from "../harness.js";

const T = Date.parse("2026-11-30T10:00:00Z");
const H = 3_600_000;

describe.each(engines)("0046 metric frames on %s", (engine) => {
  it("packs stored samples a frame per target and instant, drops metric_samples, and unpacks them going down", async () => {
    const scratch = await scratchDatabase(engine);
    const database = await openDatabase(scratch.url);
    const db = database.db as any;
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo("0045_metric_hour_blocks")).error).toBeUndefined();
      const series = async (n: number, target_id: string) => {
        const row = await db
          .insertInto("metric_series")
          .values({
            target_id,
            metric: "m",
            labels: "{}",
            labels_key: `[["n","${n}"]]`,
            created_at: "2026-11-30T00:00:00.000Z",
            last_seen_at: "2026-11-30T00:00:00.000Z",
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        return Number(row.id);
      };
      const [s1, s2, s3] = [await series(1, "ta"), await series(2, "tb"), await series(3, "ta")];
      const samples = [
        { series_id: s3, t: T, value: 3.5 },
        { series_id: s1, t: T, value: 1.5 },
        { series_id: s2, t: T, value: 2.5 },
        { series_id: s1, t: T + 15_000, value: -1 },
        // Hours apart: the backfill skips the empty hours between.
        { series_id: s3, t: T + 50 * H, value: 7 },
      ];
      await db.insertInto("metric_samples").values(samples).execute();

      await migrateToLatest(db);
      const frames = await db.selectFrom("metric_frames").selectAll().orderBy("target_id").orderBy("t").execute();
      expect(
        frames.map((f: any) => {
          const frame = openFrame(f.series, f.samples);
          return { target: f.target_id, t: Number(f.t), series: [...frame.series], values: [...frame.values] };
        }),
      ).toEqual([
        { target: "ta", t: T, series: [s1, s3], values: [1.5, 3.5] },
        { target: "ta", t: T + 15_000, series: [s1], values: [-1] },
        { target: "ta", t: T + 50 * H, series: [s3], values: [7] },
        { target: "tb", t: T, series: [s2], values: [2.5] },
      ]);
      await expect(sql`SELECT count(*) FROM metric_samples`.execute(db)).rejects.toThrow();

      expect((await migrator.migrateTo("0045_metric_hour_blocks")).error).toBeUndefined();
      const back = await db.selectFrom("metric_samples").selectAll().orderBy("series_id").orderBy("t").execute();
      expect(back.map((r: any) => ({ series_id: Number(r.series_id), t: Number(r.t), value: r.value }))).toEqual(
        [...samples].sort((a, b) => a.series_id - b.series_id || a.t - b.t),
      );
    } finally {
      await database.close();
      await scratch.drop();
    }
  });
});
