import type { HourBucket } from "./hour-blocks.js";

/**
 * Raw samples packed a scrape per row: the samples of one target at one instant as two byte strings, the
 * series ids ascending (little-endian uint32) and their values in the same order (little-endian doubles).
 * A scrape of 1,000 series is then one row written instead of 1,000, which is what lifts ingest past the
 * engines' per-row INSERT rate (docs/benchmarks.md); a series' value in a frame is found by binary search.
 */
export interface Frame {
  series: Uint32Array;
  values: Float64Array;
}

/** A frame and its instant, as a scrape produces them. */
export interface TimedFrame extends Frame {
  t: number;
}

const MAX_SERIES_ID = 0xffff_ffff;

/**
 * Packs samples of one instant: ordered by series; of two samples of one series the first is kept, as the
 * store keeps the first sample of a series at an instant. Values are kept as given, NaN and ±Inf too.
 */
export function packFrame(ids: ArrayLike<number>, values: ArrayLike<number>): Frame {
  const n = ids.length;
  if (values.length !== n) throw new RangeError(`${n} series ids for ${values.length} values`);
  let ascending = true;
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (!Number.isInteger(id) || id < 0 || id > MAX_SERIES_ID) throw new RangeError(`series id ${id} is not a uint32`);
    if (i > 0 && id <= ids[i - 1]!) ascending = false;
  }
  // Exporters write their samples in the same order every scrape and series get ids in that order: usually
  // already ascending, so no sort.
  if (ascending) return { series: Uint32Array.from(ids), values: Float64Array.from(values) };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ids[a]! - ids[b]! || a - b);
  const series = new Uint32Array(n);
  const packed = new Float64Array(n);
  let m = 0;
  for (const i of order) {
    if (m > 0 && series[m - 1] === ids[i]) continue;
    series[m] = ids[i]!;
    packed[m] = values[i]!;
    m++;
  }
  return { series: series.subarray(0, m), values: packed.subarray(0, m) };
}

/** Samples given as columns, grouped into one frame per instant (a scrape's samples may carry their own). */
export function framesOf(ids: readonly number[], times: readonly number[], values: readonly number[]): TimedFrame[] {
  if (times.length === 0) return [];
  const first = times[0]!;
  if (times.every((t) => t === first)) return [{ t: first, ...packFrame(ids, values) }];
  const byTime = new Map<number, { ids: number[]; values: number[] }>();
  for (let i = 0; i < times.length; i++) {
    let group = byTime.get(times[i]!);
    if (!group) {
      group = { ids: [], values: [] };
      byTime.set(times[i]!, group);
    }
    group.ids.push(ids[i]!);
    group.values.push(values[i]!);
  }
  return [...byTime].sort(([a], [b]) => a - b).map(([t, g]) => ({ t, ...packFrame(g.ids, g.values) }));
}

/** The frame's two stored byte strings (views, not copies). */
export function frameBytes(frame: Frame): { series: Buffer; values: Buffer } {
  return {
    series: Buffer.from(frame.series.buffer, frame.series.byteOffset, frame.series.byteLength),
    values: Buffer.from(frame.values.buffer, frame.values.byteOffset, frame.values.byteLength),
  };
}

/**
 * A stored frame, read in place when the driver's bytes are aligned and copied otherwise (a Buffer's `slice`
 * would not copy).
 */
export function openFrame(series: Uint8Array, values: Uint8Array): Frame {
  if (series.byteLength % 4 !== 0 || values.byteLength !== series.byteLength * 2)
    throw new RangeError(`a frame has ${series.byteLength} bytes of series and ${values.byteLength} of values`);
  const n = series.byteLength / 4;
  return {
    series: openSeries(series),
    values:
      values.byteOffset % 8 === 0
        ? new Float64Array(values.buffer, values.byteOffset, n)
        : new Float64Array(new Uint8Array(values).buffer, 0, n),
  };
}

/** A stored frame's series ids alone, as `openFrame` reads them. */
export function openSeries(series: Uint8Array): Uint32Array {
  if (series.byteLength % 4 !== 0) throw new RangeError(`a frame has ${series.byteLength} bytes of series`);
  const n = series.byteLength / 4;
  return series.byteOffset % 4 === 0
    ? new Uint32Array(series.buffer, series.byteOffset, n)
    : new Uint32Array(new Uint8Array(series).buffer, 0, n);
}

/** Position of a series in the frame at or after `from`, or -1 when the frame has no sample of it. */
export function indexOf(frame: Pick<Frame, "series">, seriesId: number, from = 0): number {
  const { series } = frame;
  let lo = from;
  let hi = series.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const id = series[mid]!;
    if (id === seriesId) return mid;
    if (id < seriesId) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Calls `each` for every wanted series (ascending ids) the frame has a sample of, in that order; each search
 * starts past the previous find.
 */
export function pick(frame: Frame, wanted: readonly number[], each: (seriesId: number, value: number) => void): void {
  let from = 0;
  for (const id of wanted) {
    const i = indexOf(frame, id, from);
    if (i < 0) continue;
    each(id, frame.values[i]!);
    from = i + 1;
  }
}

/**
 * How to read a few series out of frames laid out like known ones (stored frames' series ids) without reading
 * the frames: a target's series list rarely changes between scrapes, so most frames of a range have the series
 * bytes of its first or last frame, and in those a series' value is at a known position. `positions` are the
 * value positions to slice out of every frame (ascending, without repeats); `slots[l][i]` is where wanted series
 * i's value is among those slices in a frame laid out like layout l, or -1 where that layout has none of it.
 * Ascending, so in a frame with fewer series than some positions the slices past its end (empty) come last and
 * the others keep their slots.
 */
export interface LayoutPicks {
  positions: number[];
  slots: number[][];
}

export function layoutPicks(layouts: readonly Uint32Array[], wanted: readonly number[]): LayoutPicks {
  const at = layouts.map((layout) => wanted.map((id) => indexOf({ series: layout }, id)));
  const positions = [...new Set(at.flat().filter((p) => p >= 0))].sort((a, b) => a - b);
  const slot = new Map(positions.map((p, i) => [p, i]));
  return { positions, slots: at.map((ps) => ps.map((p) => (p < 0 ? -1 : slot.get(p)!))) };
}

/**
 * Calls `each` for every wanted series with a slot (see `layoutPicks`) in the sliced values of one frame: eight
 * bytes a position, little-endian, as stored.
 */
export function pickSlices(
  sliced: Uint8Array,
  slots: readonly number[],
  wanted: readonly number[],
  each: (seriesId: number, value: number) => void,
): void {
  const view = new DataView(sliced.buffer, sliced.byteOffset, sliced.byteLength);
  for (let i = 0; i < wanted.length; i++) {
    const slot = slots[i]!;
    if (slot >= 0) each(wanted[i]!, view.getFloat64(slot * 8, true));
  }
}

/** A stored frame with the series of another frame of the same instant added; the stored samples win. */
export function mergeFrames(stored: Frame, incoming: Frame): Frame {
  const series = new Uint32Array(stored.series.length + incoming.series.length);
  const values = new Float64Array(series.length);
  let i = 0;
  let j = 0;
  let m = 0;
  while (i < stored.series.length || j < incoming.series.length) {
    const a = i < stored.series.length ? stored.series[i]! : Number.POSITIVE_INFINITY;
    const b = j < incoming.series.length ? incoming.series[j]! : Number.POSITIVE_INFINITY;
    if (a <= b) {
      series[m] = a;
      values[m++] = stored.values[i++]!;
      if (a === b) j++;
    } else {
      series[m] = b;
      values[m++] = incoming.values[j++]!;
    }
  }
  return { series: series.subarray(0, m), values: values.subarray(0, m) };
}

/** Count, sum, min, max and last of one series in one bucket: a row of metric_rollups. */
export interface Bucket extends HourBucket {
  seriesId: number;
}

/**
 * Rolls frames up into buckets of `width` ms per series. Frames must come oldest first (for `last`). Only
 * finite values count: a NaN (a Prometheus staleness marker) says the series has no sample there, and
 * ±Inf would turn a bucket's sum and average into infinities.
 */
export class FrameRollup {
  readonly #buckets = new Map<number, Map<number, Bucket>>();

  constructor(private readonly width: number) {}

  add(t: number, frame: Frame): void {
    const start = Math.floor(t / this.width) * this.width;
    let bySeries = this.#buckets.get(start);
    if (!bySeries) {
      bySeries = new Map();
      this.#buckets.set(start, bySeries);
    }
    const { series, values } = frame;
    for (let i = 0; i < series.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      const id = series[i]!;
      const b = bySeries.get(id);
      if (!b) {
        bySeries.set(id, { seriesId: id, t: start, count: 1, sum: v, min: v, max: v, last: v });
        continue;
      }
      b.count++;
      b.sum += v;
      if (v < b.min) b.min = v;
      if (v > b.max) b.max = v;
      b.last = v;
    }
  }

  /** The buckets as columns (series_id, t, count, sum, min, max, last), for one bulk upsert. */
  columns(): number[][] {
    const out: number[][] = [[], [], [], [], [], [], []];
    for (const bySeries of this.#buckets.values())
      for (const b of bySeries.values()) {
        out[0]!.push(b.seriesId);
        out[1]!.push(b.t);
        out[2]!.push(b.count);
        out[3]!.push(b.sum);
        out[4]!.push(b.min);
        out[5]!.push(b.max);
        out[6]!.push(b.last);
      }
    return out;
  }

  get size(): number {
    let n = 0;
    for (const bySeries of this.#buckets.values()) n += bySeries.size;
    return n;
  }
}
