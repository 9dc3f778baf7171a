import { Migrator } from "kysely";
import { describe, expect, it } from "vitest";
import { readBlock } from "../../src/modules/metrics/hour-blocks.js";
import { openDatabase } from "../../src/platform/db/database.js";
import { migrateToLatest, migrations } from "../../src/platform/db/migrate.js";
import { engines, scratchDatabase } from "../harness.js";

const DAY = Date.parse("2026-11-30T00:00:00Z");
const H = 3_600_000;

describe.each(engines)("0045 hour blocks on %s", (engine) => {
  it("packs the hourly roll-ups already stored, a day per series, leaving the 5-minute ones alone", async () => {
    const scratch = await scratchDatabase(engine);
    const database = await openDatabase(scratch.url);
    try {
      const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
      const { error } = await migrator.migrateTo("0044_ticket_queue_counts");
      expect(error).toBeUndefined();
      const bucket = (series_id: number, resolution: number, t: number, v: number) => ({
        series_id,
        resolution,
        t,
        count: 12,
        sum: 12 * v,
        min: v,
        max: v,
        last: v,
      });
      await database.db
        .insertInto("metric_rollups")
        .values([
          bucket(1, 3600, DAY + 23 * H, 23),
          bucket(1, 3600, DAY + 24 * H, 24),
          bucket(1, 3600, DAY + 25 * H, 25),
          bucket(2, 3600, DAY + 5 * H, 5),
          bucket(2, 300, DAY + 5 * H, 99),
        ])
        .execute();
      await migrateToLatest(database.db);
      const blocks = await database.db
        .selectFrom("metric_hour_blocks")
        .selectAll()
        .orderBy("series_id")
        .orderBy("day")
        .execute();
      const unpacked = blocks.map((b) => {
        const hours: [number, number][] = [];
        readBlock(b.hours, Number(b.day), 0, Number.MAX_SAFE_INTEGER, (t, _c, _s, _min, _max, last) =>
          hours.push([t, last]),
        );
        return { series: Number(b.series_id), day: Number(b.day), hours };
      });
      expect(unpacked).toEqual([
        { series: 1, day: DAY, hours: [[DAY + 23 * H, 23]] },
        {
          series: 1,
          day: DAY + 24 * H,
          hours: [
            [DAY + 24 * H, 24],
            [DAY + 25 * H, 25],
          ],
        },
        { series: 2, day: DAY, hours: [[DAY + 5 * H, 5]] },
      ]);
    } finally {
      await database.close();
      await scratch.drop();
    }
  });
});
