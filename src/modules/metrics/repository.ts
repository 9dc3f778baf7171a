import { type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { DB, ScrapeTargetTable } from "../../platform/db/schema.js";
import { blockBytes, DAY_MS, dayOf, openBlock, putHour, readBlock } from "./hour-blocks.js";

export type TargetRow = Selectable<ScrapeTargetTable>;
export type TargetValues = Omit<TargetRow, "labels"> & { labels: Record<string, string> };

export interface SeriesRow {
  id: number;
  metric: string;
  labels: Record<string, string>;
  labels_key: string;
  target_id: string;
}

/** The columns of a roll-up bucket; a query reads only those its aggregation needs (`pointColumns`). */
export type PointColumn = "count" | "sum" | "min" | "max" | "last";

/** A raw sample (a one-sample bucket) or a roll-up bucket, with the columns that were read. */
export type StoredPoint = { series_id: number; t: number } & Partial<Record<PointColumn, number>>;

/** Rows per bulk insert statement: each is one parameter per column, so this only bounds memory. */
const SAMPLE_BATCH = 50_000;
export const ROLLUPS = [300, 3600] as const;
/** Day blocks per upsert (each ~1 KiB). */
const BLOCK_BATCH = 500;

export class MetricsRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  // targets ------------------------------------------------------------------------------------------

  async insertTarget(v: TargetValues): Promise<void> {
    await this.db
      .insertInto("scrape_targets")
      .values({ ...v, labels: this.dialect.json(v.labels) })
      .execute();
  }

  async updateTarget(id: string, v: Partial<TargetValues>): Promise<void> {
    const { labels, ...rest } = v;
    await this.db
      .updateTable("scrape_targets")
      .set({ ...rest, ...(labels ? { labels: this.dialect.json(labels) } : {}) })
      .where("id", "=", id)
      .execute();
  }

  async deleteTarget(id: string): Promise<void> {
    await this.db.deleteFrom("scrape_targets").where("id", "=", id).execute();
  }

  findTarget(id: string): Promise<TargetRow | undefined> {
    return this.db.selectFrom("scrape_targets").selectAll().where("id", "=", id).executeTakeFirst();
  }

  findTargetByName(name: string): Promise<TargetRow | undefined> {
    return this.db.selectFrom("scrape_targets").selectAll().where("name", "=", name).executeTakeFirst();
  }

  listTargets(): Promise<TargetRow[]> {
    return this.db.selectFrom("scrape_targets").selectAll().orderBy("name").execute();
  }

  // series and samples ----------------------------------------------------------------------------------

  async seriesOfTarget(targetId: string): Promise<SeriesRow[]> {
    const rows = await this.db
      .selectFrom("metric_series")
      .select(["id", "metric", "labels", "labels_key", "target_id"])
      .where("target_id", "=", targetId)
      .execute();
    return rows.map((r) => ({ ...r, labels: JSON.parse(r.labels) }));
  }

  /** Creates series (ignoring ones another node created meanwhile) and returns the target's series. */
  async createSeries(
    targetId: string,
    series: readonly { metric: string; labels: Record<string, string>; labels_key: string }[],
    now: string,
  ): Promise<SeriesRow[]> {
    for (let i = 0; i < series.length; i += 500) {
      await this.db
        .insertInto("metric_series")
        .values(
          series.slice(i, i + 500).map((s) => ({
            target_id: targetId,
            metric: s.metric,
            labels: this.dialect.json(s.labels),
            labels_key: s.labels_key,
            created_at: now,
            last_seen_at: now,
          })),
        )
        .onConflict((oc) => oc.columns(["target_id", "metric", "labels_key"]).doNothing())
        .execute();
    }
    return this.seriesOfTarget(targetId);
  }

  async touchSeries(targetId: string, now: string): Promise<void> {
    await this.db.updateTable("metric_series").set({ last_seen_at: now }).where("target_id", "=", targetId).execute();
  }

  /** Bulk insert, columns as arrays; a second sample of a series at the same instant is ignored. */
  async insertSamples(
    seriesIds: readonly number[],
    times: readonly number[],
    values: readonly number[],
  ): Promise<void> {
    for (let i = 0; i < seriesIds.length; i += SAMPLE_BATCH) {
      const source = this.dialect.numericRows(
        [
          { name: "series_id", type: "bigint" },
          { name: "t", type: "bigint" },
          { name: "value", type: "double" },
        ],
        [seriesIds.slice(i, i + SAMPLE_BATCH), times.slice(i, i + SAMPLE_BATCH), values.slice(i, i + SAMPLE_BATCH)],
      );
      // Relaxed commit: a crash of the PostgreSQL server (not of a node) may lose the last fraction of a second
      // of samples, as Prometheus's own WAL may; waiting for the disk on every scrape would cap ingest.
      await sql`INSERT INTO metric_samples (series_id, t, value) SELECT series_id, t, value FROM ${source} AS s
        WHERE ${this.dialect.relaxedCommit} ON CONFLICT (series_id, t) DO NOTHING`.execute(this.db);
    }
  }

  /** Series of a metric (optionally of some ids only). */
  async seriesOfMetric(metric: string): Promise<SeriesRow[]> {
    const rows = await this.db
      .selectFrom("metric_series")
      .select(["id", "metric", "labels", "labels_key", "target_id"])
      .where("metric", "=", metric)
      .orderBy("id")
      .execute();
    return rows.map((r) => ({ ...r, labels: JSON.parse(r.labels) }));
  }

  async metricNames(): Promise<string[]> {
    const rows = await this.db.selectFrom("metric_series").select("metric").distinct().orderBy("metric").execute();
    return rows.map((r) => r.metric);
  }

  /** Raw samples as one-sample buckets, oldest first per series. */
  async rawPoints(seriesIds: readonly number[], from: number, to: number): Promise<StoredPoint[]> {
    if (seriesIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("metric_samples")
      .select(["series_id", "t", "value"])
      .where("series_id", "in", seriesIds)
      .where("t", ">=", from)
      .where("t", "<=", to)
      .orderBy("series_id")
      .orderBy("t")
      .execute();
    return rows.map((r) => ({
      series_id: Number(r.series_id),
      t: Number(r.t),
      count: 1,
      sum: r.value,
      min: r.value,
      max: r.value,
      last: r.value,
    }));
  }

  /** Roll-up buckets with the given columns only: a 30-day query reads tens of thousands of them. */
  async rollupPoints(
    seriesIds: readonly number[],
    resolution: number,
    from: number,
    to: number,
    columns: readonly PointColumn[],
  ): Promise<StoredPoint[]> {
    if (seriesIds.length === 0) return [];
    const rows = await this.db
      .selectFrom("metric_rollups")
      .select(["series_id", "t", ...columns])
      .where("series_id", "in", seriesIds)
      .where("resolution", "=", resolution)
      .where("t", ">=", from)
      .where("t", "<=", to)
      .orderBy("series_id")
      .orderBy("t")
      .execute();
    // Both drivers answer bigint columns as numbers (database.ts), so the rows are used as they come.
    return rows as StoredPoint[];
  }

  /**
   * Rolls samples (or the finer roll-up) of [from, to) into buckets of `resolution` seconds; idempotent, so
   * the bucket in progress is rolled again by the next run.
   */
  async rollUp(resolution: number, from: number, to: number): Promise<void> {
    const width = sql.lit(resolution * 1000);
    const upsert = sql`ON CONFLICT (series_id, resolution, t) DO UPDATE SET count = excluded.count, sum = excluded.sum,
      min = excluded.min, max = excluded.max, last = excluded.last`;
    if (resolution === ROLLUPS[0]) {
      await sql`INSERT INTO metric_rollups (series_id, resolution, t, count, sum, min, max, last)
        SELECT series_id, ${sql.lit(resolution)}, b, count(*), sum(value), min(value), max(value), max(CASE WHEN rn = 1 THEN value END)
        FROM (SELECT series_id, (t / ${width}) * ${width} AS b, value,
                     ROW_NUMBER() OVER (PARTITION BY series_id, t / ${width} ORDER BY t DESC) AS rn
              FROM metric_samples WHERE t >= ${from} AND t < ${to}) s
        GROUP BY series_id, b ${upsert}`.execute(this.db);
      return;
    }
    const finer = sql.lit(ROLLUPS[0]);
    await sql`INSERT INTO metric_rollups (series_id, resolution, t, count, sum, min, max, last)
      SELECT series_id, ${sql.lit(resolution)}, b, sum(count), sum(sum), min(min), max(max), max(CASE WHEN rn = 1 THEN last END)
      FROM (SELECT series_id, (t / ${width}) * ${width} AS b, count, sum, min, max, last,
                   ROW_NUMBER() OVER (PARTITION BY series_id, t / ${width} ORDER BY t DESC) AS rn
            FROM metric_rollups WHERE resolution = ${finer} AND t >= ${from} AND t < ${to}) s
      GROUP BY series_id, b ${upsert}`.execute(this.db);
    if (resolution === 3600) await this.#packHours(from, to);
  }

  /** Puts the hourly buckets of [from, to) into their days' blocks (read, changed, written back). */
  async #packHours(from: number, to: number): Promise<void> {
    const hours = await this.db
      .selectFrom("metric_rollups")
      .select(["series_id", "t", "count", "sum", "min", "max", "last"])
      .where("resolution", "=", 3600)
      .where("t", ">=", from)
      .where("t", "<", to)
      .execute();
    if (hours.length === 0) return;
    const days = [...new Set(hours.map((h) => dayOf(Number(h.t))))];
    const blocks = new Map<string, { series_id: number; day: number; block: Float64Array }>();
    for (const b of await this.db
      .selectFrom("metric_hour_blocks")
      .select(["series_id", "day", "hours"])
      .where("day", "in", days)
      .execute()) {
      const key = `${b.series_id}:${b.day}`;
      blocks.set(key, { series_id: Number(b.series_id), day: Number(b.day), block: openBlock(b.hours) });
    }
    for (const h of hours) {
      const day = dayOf(Number(h.t));
      const key = `${h.series_id}:${day}`;
      let entry = blocks.get(key);
      if (!entry) {
        entry = { series_id: Number(h.series_id), day, block: openBlock() };
        blocks.set(key, entry);
      }
      putHour(entry.block, day, { ...h, t: Number(h.t), count: Number(h.count) });
    }
    const rows = [...blocks.values()].map((b) => ({ series_id: b.series_id, day: b.day, hours: blockBytes(b.block) }));
    for (let i = 0; i < rows.length; i += BLOCK_BATCH) {
      await this.db
        .insertInto("metric_hour_blocks")
        .values(rows.slice(i, i + BLOCK_BATCH))
        .onConflict((oc) => oc.columns(["series_id", "day"]).doUpdateSet({ hours: sql`excluded.hours` }))
        .execute();
    }
  }

  /** Hourly buckets from the day blocks, oldest first per series: 30 rows a month per series. */
  async hourPoints(seriesIds: readonly number[], from: number, to: number): Promise<StoredPoint[]> {
    if (seriesIds.length === 0) return [];
    const blocks = await this.db
      .selectFrom("metric_hour_blocks")
      .select(["series_id", "day", "hours"])
      .where("series_id", "in", seriesIds)
      .where("day", ">=", dayOf(from))
      .where("day", "<=", to)
      .orderBy("series_id")
      .orderBy("day")
      .execute();
    const out: StoredPoint[] = [];
    for (const b of blocks) {
      const series_id = Number(b.series_id);
      readBlock(b.hours, Number(b.day), from, to, (t, count, sum, min, max, last) =>
        out.push({ series_id, t, count, sum, min, max, last }),
      );
    }
    return out;
  }

  async prune(rawBefore: number, fiveMinuteBefore: number, hourBefore: number, seriesBefore: string): Promise<void> {
    await this.db.deleteFrom("metric_samples").where("t", "<", rawBefore).execute();
    await this.db
      .deleteFrom("metric_rollups")
      .where("resolution", "=", 300)
      .where("t", "<", fiveMinuteBefore)
      .execute();
    await this.db.deleteFrom("metric_rollups").where("resolution", "=", 3600).where("t", "<", hourBefore).execute();
    // A day goes once all of it is past the hourly retention.
    await this.db
      .deleteFrom("metric_hour_blocks")
      .where("day", "<=", hourBefore - DAY_MS)
      .execute();
    // Series unseen past every retention have no data left.
    await this.db.deleteFrom("metric_series").where("last_seen_at", "<", seriesBefore).execute();
  }
}
