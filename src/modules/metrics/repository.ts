import { type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { DB, ScrapeTargetTable } from "../../platform/db/schema.js";
import type { Point } from "./aggregate.js";
import {
  type Frame,
  FrameRollup,
  frameBytes,
  framesOf,
  layoutPicks,
  mergeFrames,
  openFrame,
  openSeries,
  pick,
  pickSlices,
  type TimedFrame,
} from "./frames.js";
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

/**
 * One series' points as columns, oldest first: a 30-day query folds 72,000 of them, and an object per point
 * was most of its time on PostgreSQL (docs/benchmarks.md). A column the query does not read may stay empty.
 */
export type SeriesPoints = { t: number[] } & Record<PointColumn, number[]>;
export const seriesPoints = (): SeriesPoints => ({ t: [], count: [], sum: [], min: [], max: [], last: [] });

/** Frames per INSERT statement (four parameters each); a scrape is usually one frame. */
const FRAME_BATCH = 500;
export const ROLLUPS = [300, 3600] as const;
/**
 * Series of a target are sliced out of its frames when at most one in this many of its series is wanted;
 * past that, reading the whole frames costs about the same.
 */
const PICK_SHARE = 8;
/** Frames read whole per statement where a frame is laid out like none of the layouts found in its range. */
const WHOLE_BATCH = 500;
/**
 * Layout segments (series list changes) past which a range's middle frames are read whole: each is a bound
 * parameter of the target's series bytes and a test per frame, and a list that changes this often is rare.
 */
const MAX_SEGMENTS = 64;

/** A frame layout (its series bytes) and, within a range, the instant from which frames are laid out so. */
interface Layout {
  series: Buffer;
  since: number | null;
}

/** A frame's instant and its sliced values with where each wanted series' value is, or null slots if not sliced. */
interface SlicedFrame {
  t: number;
  slots: number[] | null;
  picked: Uint8Array | null;
}

/** The driver's bytes as a Buffer (a view, for `equals` and binding). */
const bufferOf = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
/** Day blocks per upsert (each ~1 KiB). */
const BLOCK_BATCH = 500;
/** A roll-up run rewrites the buckets it rolls (the one in progress grows). */
const UPSERT_BUCKET = sql`ON CONFLICT (series_id, resolution, t) DO UPDATE SET count = excluded.count, sum = excluded.sum,
  min = excluded.min, max = excluded.max, last = excluded.last`;

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

  /**
   * Marks the target's series seen at `now`, skipping those marked since `since` (by another node scraping the
   * target, or by this one before a restart).
   */
  async touchSeries(targetId: string, now: string, since: string): Promise<void> {
    await this.db
      .updateTable("metric_series")
      .set({ last_seen_at: now })
      .where("target_id", "=", targetId)
      .where("last_seen_at", "<", since)
      .execute();
  }

  /**
   * Stores a target's samples, columns as arrays, as one frame per instant. A frame already stored for the
   * target at that instant (a second scrape in the same millisecond, or samples carrying a timestamp the
   * exporter repeats) gets the new series merged in, and a second sample of a series at the same instant is
   * ignored, as with a row per sample.
   */
  async insertSamples(
    targetId: string,
    seriesIds: readonly number[],
    times: readonly number[],
    values: readonly number[],
  ): Promise<void> {
    const frames = framesOf(seriesIds, times, values);
    const bytes = sql.raw(this.dialect.types.bytes as string);
    for (let i = 0; i < frames.length; i += FRAME_BATCH) {
      const batch = frames.slice(i, i + FRAME_BATCH);
      const rows = batch.map((f) => {
        const b = frameBytes(f);
        return sql`(${targetId}, CAST(${f.t} AS BIGINT), CAST(${b.series} AS ${bytes}), CAST(${b.values} AS ${bytes}))`;
      });
      // Relaxed commit: a crash of the PostgreSQL server (not of a node) may lose the last fraction of a second
      // of samples, as Prometheus's own WAL may; waiting for the disk on every scrape would cap ingest.
      const { rows: inserted } = await sql<{ t: number }>`
        INSERT INTO metric_frames (target_id, t, series, samples) SELECT * FROM (VALUES ${sql.join(rows)}) AS f
        WHERE ${this.dialect.relaxedCommit} ON CONFLICT (target_id, t) DO NOTHING RETURNING t`.execute(this.db);
      if (inserted.length === batch.length) continue;
      const stored = new Set(inserted.map((r) => Number(r.t)));
      for (const f of batch) if (!stored.has(f.t)) await this.#mergeFrame(targetId, f);
    }
  }

  /** Adds a frame's new series to the stored frame of its instant; compare-and-set, as another node may too. */
  async #mergeFrame(targetId: string, frame: TimedFrame): Promise<void> {
    for (;;) {
      const row = await this.db
        .selectFrom("metric_frames")
        .select(["series", "samples"])
        .where("target_id", "=", targetId)
        .where("t", "=", frame.t)
        .executeTakeFirst();
      // Only pruning deletes frames: the instant is past the raw retention.
      if (!row) return;
      const stored = openFrame(row.series, row.samples);
      const merged = mergeFrames(stored, frame);
      if (merged.series.length === stored.series.length) return;
      const b = frameBytes(merged);
      const { numUpdatedRows } = await this.db
        .updateTable("metric_frames")
        .set({ series: b.series, samples: b.values })
        .where("target_id", "=", targetId)
        .where("t", "=", frame.t)
        .where("series", "=", row.series)
        .executeTakeFirst();
      if (numUpdatedRows > 0n) return;
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

  /**
   * Raw samples of the series in [from, to], oldest first per series. A few series of a target are sliced out
   * of its frames in SQL (`#pickByLayout`); otherwise the frames of the series' targets in that range are read
   * whole, with the wanted series' values picked out of each.
   */
  async rawSamples(seriesIds: readonly number[], from: number, to: number): Promise<Map<number, Point[]>> {
    const out = new Map<number, Point[]>();
    if (seriesIds.length === 0) return out;
    const add = (id: number, t: number, value: number) => {
      const points = out.get(id);
      if (points) points.push([t, value]);
      else out.set(id, [[t, value]]);
    };
    const wanted = new Map<string, number[]>();
    for (const s of await this.db
      .selectFrom("metric_series")
      .select(["id", "target_id"])
      .where("id", "in", seriesIds)
      .orderBy("id")
      .execute()) {
      const ids = wanted.get(s.target_id) ?? [];
      if (ids.length === 0) wanted.set(s.target_id, ids);
      ids.push(Number(s.id));
    }
    const whole: string[] = [];
    for (const [targetId, ids] of wanted)
      if (!(await this.#pickByLayout(targetId, ids, from, to, add))) whole.push(targetId);
    if (whole.length === 0) return out;
    const frames = await this.db
      .selectFrom("metric_frames")
      .select(["target_id", "t", "series", "samples"])
      .where("target_id", "in", whole)
      .where("t", ">=", from)
      .where("t", "<=", to)
      .orderBy("target_id")
      .orderBy("t")
      .execute();
    for (const f of frames) {
      const t = Number(f.t);
      pick(openFrame(f.series, f.samples), wanted.get(f.target_id)!, (id, value) => add(id, t, value));
    }
    return out;
  }

  /**
   * A few series of one target in [from, to], read as 8 bytes per series and frame: the range's last and first
   * frames give the layouts (series lists), each frame is tested against them in SQL, and the values at the
   * wanted series' positions are sliced out. Frames laid out like neither (the series list changed more than
   * once in the range) are sliced in a second pass over their span, with the layouts found where the series
   * list changed (`#layoutChanges`); only frames laid out otherwise again (a frame merged meanwhile, or a list
   * that changes too often) are read whole. False, having read nothing more, when the series are a large share
   * of the target's: then reading whole frames costs about the same.
   */
  async #pickByLayout(
    targetId: string,
    ids: readonly number[],
    from: number,
    to: number,
    add: (id: number, t: number, value: number) => void,
  ): Promise<boolean> {
    const inRange = (edge: "min" | "max") =>
      sql`(SELECT ${sql.raw(edge)}(t) FROM metric_frames WHERE target_id = ${targetId} AND t >= ${from} AND t <= ${to})`;
    const { rows: edges } = await sql<{ series: Uint8Array }>`
      SELECT series FROM metric_frames WHERE target_id = ${targetId} AND t IN (${inRange("max")}, ${inRange("min")})
      ORDER BY t DESC`.execute(this.db);
    if (edges.length === 0) return true;
    const layouts = edges.map((e) => bufferOf(e.series)).filter((b, i, all) => i === 0 || !b.equals(all[0]!));
    if (ids.length * PICK_SHARE > Math.max(...layouts.map((b) => b.byteLength / 4))) return false;
    const rows = await this.#sliceFrames(
      targetId,
      ids,
      from,
      to,
      layouts.map((series) => ({ series, since: null })),
    );
    const unresolved = rows.filter((r) => r.slots === null).map((r) => r.t);
    const resolved = new Map<number, SlicedFrame>();
    if (unresolved.length > 0) {
      const [first, last] = [unresolved[0]!, unresolved.at(-1)!];
      const segments = await this.#layoutChanges(targetId, first, last);
      if (segments.length <= MAX_SEGMENTS)
        for (const r of await this.#sliceFrames(targetId, ids, first, last, segments))
          if (r.slots !== null) resolved.set(r.t, r);
    }
    const rest = unresolved.filter((t) => !resolved.has(t));
    const whole = new Map<number, Frame>();
    for (let i = 0; i < rest.length; i += WHOLE_BATCH)
      for (const f of await this.db
        .selectFrom("metric_frames")
        .select(["t", "series", "samples"])
        .where("target_id", "=", targetId)
        .where("t", "in", rest.slice(i, i + WHOLE_BATCH))
        .execute())
        whole.set(Number(f.t), openFrame(f.series, f.samples));
    for (const r of rows) {
      const each = (id: number, value: number) => add(id, r.t, value);
      const sliced = r.slots === null ? resolved.get(r.t) : r;
      if (sliced) {
        if (sliced.picked) pickSlices(sliced.picked, sliced.slots!, ids, each);
        continue;
      }
      // Missing only when pruned between the reads: past the raw retention.
      const frame = whole.get(r.t);
      if (frame) pick(frame, ids, each);
    }
    return true;
  }

  /**
   * Where the target's series list changed in [from, to]: the first frame's layout and each one that differs
   * from the frame before it, each with the instant it starts at, latest first (so in `#sliceFrames` a frame
   * meets its own segment's test first: one comparison of series bytes per frame). Every frame's series bytes
   * are compared with its predecessor's in SQL, so only the changes are read.
   */
  async #layoutChanges(targetId: string, from: number, to: number): Promise<Layout[]> {
    const { rows } = await sql<{ t: number; series: Uint8Array }>`
      SELECT t, series FROM (
        SELECT t, series, lag(series) OVER (ORDER BY t) AS previous
        FROM metric_frames WHERE target_id = ${targetId} AND t >= ${from} AND t <= ${to}) AS f
      WHERE previous IS NULL OR series <> previous ORDER BY t DESC`.execute(this.db);
    return rows.map((r) => ({ series: bufferOf(r.series), since: Number(r.t) }));
  }

  /**
   * The frames of [from, to], oldest first, with the values at the wanted series' positions sliced out of those
   * laid out like one of `layouts` (tested in SQL in their order, a layout with `since` only for frames from that
   * instant on), and `slots` null for the others.
   */
  async #sliceFrames(
    targetId: string,
    ids: readonly number[],
    from: number,
    to: number,
    layouts: readonly Layout[],
  ): Promise<SlicedFrame[]> {
    const distinct: Buffer[] = [];
    const layoutOf = layouts.map(({ series }) => {
      const l = distinct.findIndex((d) => d.equals(series));
      return l >= 0 ? l : distinct.push(series) - 1;
    });
    const { positions, slots } = layoutPicks(
      distinct.map((b) => openSeries(b)),
      ids,
    );
    const picked =
      positions.length > 0
        ? this.dialect.bytesSlices(
            sql.ref("samples"),
            positions.map((p) => ({ offset: p * 8, length: 8 })),
          )
        : sql`NULL`;
    const tests = layouts.map(({ series, since }, i) => {
      const laidOut = sql`series = ${series}`;
      return sql`WHEN ${since === null ? laidOut : sql`t >= ${since} AND ${laidOut}`} THEN ${sql.lit(layoutOf[i]!)}`;
    });
    const { rows } = await sql<{ t: number; layout: number | null; picked: Uint8Array | null }>`
      SELECT t, CASE ${sql.join(tests, sql` `)} END AS layout, ${picked} AS picked
      FROM metric_frames WHERE target_id = ${targetId} AND t >= ${from} AND t <= ${to} ORDER BY t`.execute(this.db);
    return rows.map((r) => ({
      t: Number(r.t),
      slots: r.layout === null ? null : slots[Number(r.layout)]!,
      picked: r.picked,
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
   * Rolls raw samples (or the finer roll-up) of [from, to) into buckets of `resolution` seconds; idempotent, so
   * the bucket in progress is rolled again by the next run.
   */
  async rollUp(resolution: number, from: number, to: number): Promise<void> {
    if (resolution === ROLLUPS[0]) {
      await this.#rollFrames(from, to);
      return;
    }
    const width = sql.lit(resolution * 1000);
    const finer = sql.lit(ROLLUPS[0]);
    await sql`INSERT INTO metric_rollups (series_id, resolution, t, count, sum, min, max, last)
      SELECT series_id, ${sql.lit(resolution)}, b, sum(count), sum(sum), min(min), max(max), max(CASE WHEN rn = 1 THEN last END)
      FROM (SELECT series_id, (t / ${width}) * ${width} AS b, count, sum, min, max, last,
                   ROW_NUMBER() OVER (PARTITION BY series_id, t / ${width} ORDER BY t DESC) AS rn
            FROM metric_rollups WHERE resolution = ${finer} AND t >= ${from} AND t < ${to}) s
      GROUP BY series_id, b ${UPSERT_BUCKET}`.execute(this.db);
    if (resolution === 3600) await this.#packHours(from, to);
  }

  /** Rolls the frames of [from, to) into 5-minute buckets, a target at a time so memory stays bounded. */
  async #rollFrames(from: number, to: number): Promise<void> {
    const targets = await this.db
      .selectFrom("metric_frames")
      .select("target_id")
      .distinct()
      .where("t", ">=", from)
      .where("t", "<", to)
      .execute();
    for (const { target_id } of targets) {
      const rollup = new FrameRollup(ROLLUPS[0] * 1000);
      for (const f of await this.db
        .selectFrom("metric_frames")
        .select(["t", "series", "samples"])
        .where("target_id", "=", target_id)
        .where("t", ">=", from)
        .where("t", "<", to)
        .orderBy("t")
        .execute())
        rollup.add(Number(f.t), openFrame(f.series, f.samples));
      if (rollup.size === 0) continue;
      const source = this.dialect.numericRows(
        [
          { name: "series_id", type: "bigint" },
          { name: "t", type: "bigint" },
          { name: "count", type: "bigint" },
          { name: "sum", type: "double" },
          { name: "min", type: "double" },
          { name: "max", type: "double" },
          { name: "last", type: "double" },
        ],
        rollup.columns(),
      );
      await sql`INSERT INTO metric_rollups (series_id, resolution, t, count, sum, min, max, last)
        SELECT series_id, ${sql.lit(ROLLUPS[0])}, t, count, sum, min, max, last FROM ${source} AS s WHERE 1 = 1
        ${UPSERT_BUCKET}`.execute(this.db);
    }
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

  /** Hourly buckets from the day blocks per series, oldest first: 30 rows a month per series. */
  async hourPoints(seriesIds: readonly number[], from: number, to: number): Promise<Map<number, SeriesPoints>> {
    const bySeries = new Map<number, SeriesPoints>();
    if (seriesIds.length === 0) return bySeries;
    const blocks = await this.db
      .selectFrom("metric_hour_blocks")
      .select(["series_id", "day", "hours"])
      .where("series_id", "in", seriesIds)
      .where("day", ">=", dayOf(from))
      .where("day", "<=", to)
      .orderBy("series_id")
      .orderBy("day")
      .execute();
    let points = seriesPoints();
    let current = Number.NaN;
    const each = (t: number, count: number, sum: number, min: number, max: number, last: number) => {
      points.t.push(t);
      points.count.push(count);
      points.sum.push(sum);
      points.min.push(min);
      points.max.push(max);
      points.last.push(last);
    };
    for (const b of blocks) {
      const series_id = Number(b.series_id);
      if (series_id !== current) {
        current = series_id;
        points = seriesPoints();
        bySeries.set(series_id, points);
      }
      readBlock(b.hours, Number(b.day), from, to, each);
    }
    return bySeries;
  }

  async prune(rawBefore: number, fiveMinuteBefore: number, hourBefore: number, seriesBefore: string): Promise<void> {
    await this.db.deleteFrom("metric_frames").where("t", "<", rawBefore).execute();
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
