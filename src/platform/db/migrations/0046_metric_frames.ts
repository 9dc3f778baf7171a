import { type Kysely, sql } from "kysely";
import { dialectOf } from "../dialect.js";

const HOUR_MS = 3_600_000;

/**
 * Raw samples stored a scrape per row (`metric_frames`: a target's samples at one instant, series ids
 * ascending as little-endian uint32 and their values as little-endian doubles) instead of a row per sample,
 * which capped ingest at the engines' per-row INSERT rate. Existing samples are packed here, a target and an
 * hour at a time so memory stays bounded (the layout is spelled out again: a migration never changes with the
 * code); `metric_samples` goes. The frames are an ordinary table on SQLite too: `WITHOUT ROWID` suits small
 * rows, and a frame is kilobytes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  await db.schema
    .createTable("metric_frames")
    .addColumn("target_id", "text", (c) => c.notNull())
    .addColumn("t", "bigint", (c) => c.notNull())
    .addColumn("series", dialect.types.bytes, (c) => c.notNull())
    .addColumn("samples", dialect.types.bytes, (c) => c.notNull())
    .addPrimaryKeyConstraint("metric_frames_by_target_time", ["target_id", "t"])
    .execute();
  // Roll-ups and pruning read by time across targets.
  await db.schema.createIndex("metric_frames_t").on("metric_frames").column("t").execute();

  const targets = await sql<{ target_id: string }>`SELECT DISTINCT target_id FROM metric_series`.execute(db);
  for (const { target_id } of targets.rows) {
    // Hour by hour, skipping the hours without samples (an exporter's own timestamps may be far apart).
    const ofTarget = sql`series_id IN (SELECT id FROM metric_series WHERE target_id = ${target_id})`;
    for (let from = Number.MIN_SAFE_INTEGER; ; ) {
      const next = await sql<{ t: number | null }>`
        SELECT min(t) AS t FROM metric_samples WHERE ${ofTarget} AND t >= ${from}`.execute(db);
      if (next.rows[0]?.t == null) break;
      const hour = Math.floor(Number(next.rows[0].t) / HOUR_MS) * HOUR_MS;
      await packHour(db, target_id, hour);
      from = hour + HOUR_MS;
    }
  }
  await db.schema.dropTable("metric_samples").execute();
}

async function packHour(db: Kysely<any>, targetId: string, hour: number): Promise<void> {
  const { rows } = await sql<{ series_id: number; t: number; value: number }>`
    SELECT series_id, t, value FROM metric_samples
    WHERE series_id IN (SELECT id FROM metric_series WHERE target_id = ${targetId})
      AND t >= ${hour} AND t < ${hour + HOUR_MS}
    ORDER BY t, series_id`.execute(db);
  const frames: { target_id: string; t: number; series: Buffer; samples: Buffer }[] = [];
  for (let i = 0; i < rows.length; ) {
    const t = Number(rows[i]!.t);
    let j = i;
    while (j < rows.length && Number(rows[j]!.t) === t) j++;
    const series = new Uint32Array(j - i);
    const samples = new Float64Array(j - i);
    for (let k = i; k < j; k++) {
      series[k - i] = Number(rows[k]!.series_id);
      samples[k - i] = rows[k]!.value;
    }
    frames.push({ target_id: targetId, t, series: Buffer.from(series.buffer), samples: Buffer.from(samples.buffer) });
    i = j;
  }
  for (let i = 0; i < frames.length; i += 500)
    await db
      .insertInto("metric_frames")
      .values(frames.slice(i, i + 500))
      .execute();
}

/** Unpacks the frames into a row per sample again, a target and an hour at a time. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("metric_samples")
    .addColumn("series_id", "bigint", (c) => c.notNull())
    .addColumn("t", "bigint", (c) => c.notNull())
    .addColumn("value", "double precision", (c) => c.notNull())
    .addPrimaryKeyConstraint("metric_samples_by_series_time", ["series_id", "t"])
    .modifyEnd(dialectOf(db).rowsInKeyOrder)
    .execute();
  const targets = await sql<{ target_id: string }>`SELECT DISTINCT target_id FROM metric_frames`.execute(db);
  for (const { target_id } of targets.rows)
    for (let from = Number.MIN_SAFE_INTEGER; ; ) {
      const next = await sql<{ t: number | null }>`
        SELECT min(t) AS t FROM metric_frames WHERE target_id = ${target_id} AND t >= ${from}`.execute(db);
      if (next.rows[0]?.t == null) break;
      const hour = Math.floor(Number(next.rows[0].t) / HOUR_MS) * HOUR_MS;
      await unpackHour(db, target_id, hour);
      from = hour + HOUR_MS;
    }
  await db.schema.dropTable("metric_frames").execute();
}

async function unpackHour(db: Kysely<any>, targetId: string, hour: number): Promise<void> {
  const frames = await db
    .selectFrom("metric_frames")
    .select(["t", "series", "samples"])
    .where("target_id", "=", targetId)
    .where("t", ">=", hour)
    .where("t", "<", hour + HOUR_MS)
    .execute();
  const columns: number[][] = [[], [], []];
  for (const f of frames) {
    // Copies: the driver's bytes need not be aligned.
    const series = new Uint32Array(new Uint8Array(f.series).buffer);
    const samples = new Float64Array(new Uint8Array(f.samples).buffer);
    for (let k = 0; k < series.length; k++) {
      columns[0]!.push(series[k]!);
      columns[1]!.push(Number(f.t));
      columns[2]!.push(samples[k]!);
    }
  }
  const source = dialectOf(db).numericRows(
    [
      { name: "series_id", type: "bigint" },
      { name: "t", type: "bigint" },
      { name: "value", type: "double" },
    ],
    columns,
  );
  await sql`INSERT INTO metric_samples (series_id, t, value) SELECT series_id, t, value FROM ${source} AS s`.execute(
    db,
  );
}
