import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Hourly roll-ups also packed a day per row (24 slots of count, sum, min, max, last as little-endian doubles):
 * a 30-day query reads 30 rows per series instead of 720. The hourly rows stay; existing ones are packed here
 * (the layout is spelled out again: a migration never changes with the code).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable("metric_hour_blocks")
    .addColumn("series_id", "bigint", (c) => c.notNull())
    .addColumn("day", "bigint", (c) => c.notNull())
    .addColumn("hours", dialect.types.bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint("metric_hour_blocks_by_series_day", ["series_id", "day"])
    .modifyEnd(dialect.rowsInKeyOrder)
    .execute();
  const rows = await sql<{
    series_id: number;
    t: number;
    count: number;
    sum: number;
    min: number;
    max: number;
    last: number;
  }>`
    SELECT series_id, t, count, sum, min, max, last FROM metric_rollups WHERE resolution = 3600 ORDER BY series_id, t`.execute(
    db,
  );
  const blocks = new Map<string, { series_id: number; day: number; hours: Float64Array }>();
  for (const r of rows.rows) {
    const t = Number(r.t);
    const day = Math.floor(t / DAY_MS) * DAY_MS;
    const key = `${r.series_id}:${day}`;
    let block = blocks.get(key);
    if (!block) {
      block = { series_id: Number(r.series_id), day, hours: new Float64Array(120) };
      blocks.set(key, block);
    }
    const at = Math.floor((t - day) / HOUR_MS) * 5;
    block.hours.set([Number(r.count), r.sum, r.min, r.max, r.last], at);
  }
  const values = [...blocks.values()].map((b) => ({
    series_id: b.series_id,
    day: b.day,
    hours: Buffer.from(b.hours.buffer),
  }));
  for (let i = 0; i < values.length; i += 500) {
    await db
      .insertInto("metric_hour_blocks")
      .values(values.slice(i, i + 500))
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("metric_hour_blocks").execute();
}
