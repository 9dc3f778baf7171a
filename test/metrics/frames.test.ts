import { describe, expect, it } from "vitest";
import {
  type Frame,
  FrameRollup,
  frameBytes,
  framesOf,
  indexOf,
  layoutPicks,
  mergeFrames,
  openFrame,
  packFrame,
  pick,
  pickSlices,
} from "../../src/modules/metrics/frames.js";

/** A stale marker as Prometheus writes it (a NaN with its own payload). */
const STALE = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
const plain = (f: Frame) => ({ series: [...f.series], values: [...f.values] });
const picked = (f: Frame, wanted: number[]) => {
  const out: [number, number][] = [];
  pick(f, wanted, (id, v) => out.push([id, v]));
  return out;
};

describe("frames", () => {
  it("packs samples by ascending series id, keeping already ordered ones as they are", () => {
    expect(plain(packFrame([1, 2, 5], [10, 20, 50]))).toEqual({ series: [1, 2, 5], values: [10, 20, 50] });
    expect(plain(packFrame([5, 1, 3], [50, 10, 30]))).toEqual({ series: [1, 3, 5], values: [10, 30, 50] });
  });

  it("keeps the first of two samples of a series in one scrape", () => {
    expect(plain(packFrame([2, 1, 2, 2], [20, 10, 21, 22]))).toEqual({ series: [1, 2], values: [10, 20] });
    expect(plain(packFrame([1, 1], [1, 2]))).toEqual({ series: [1], values: [1] });
  });

  it("packs an empty scrape into an empty frame", () => {
    const f = packFrame([], []);
    expect(plain(f)).toEqual({ series: [], values: [] });
    const b = frameBytes(f);
    expect(b.series.byteLength).toBe(0);
    expect(plain(openFrame(b.series, b.values))).toEqual({ series: [], values: [] });
    expect(indexOf(f, 1)).toBe(-1);
    expect(picked(f, [1, 2])).toEqual([]);
  });

  it("keeps NaN, stale markers, ±Inf, -0 and extreme values through the stored bytes", () => {
    const values = [
      Number.NaN,
      STALE,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      Number.MAX_VALUE,
      5e-324,
    ];
    const b = frameBytes(packFrame([1, 2, 3, 4, 5, 6, 7], values));
    expect(b.series.byteLength).toBe(28);
    expect(b.values.byteLength).toBe(56);
    const back = openFrame(b.series, b.values);
    expect(Number.isNaN(back.values[0])).toBe(true);
    expect(Number.isNaN(back.values[1])).toBe(true);
    expect([...back.values.slice(2)]).toEqual(values.slice(2));
    expect(Object.is(back.values[4], -0)).toBe(true);
  });

  it("stores ids as little-endian uint32 and values as little-endian doubles", () => {
    const b = frameBytes(packFrame([0x01020304, 0xffff_ffff], [1, -2]));
    expect([...b.series]).toEqual([4, 3, 2, 1, 255, 255, 255, 255]);
    expect(b.values.readDoubleLE(0)).toBe(1);
    expect(b.values.readDoubleLE(8)).toBe(-2);
  });

  it("refuses ids that are not uint32 and columns of different lengths", () => {
    expect(() => packFrame([-1], [1])).toThrow(RangeError);
    expect(() => packFrame([2 ** 32], [1])).toThrow(RangeError);
    expect(() => packFrame([1.5], [1])).toThrow(RangeError);
    expect(() => packFrame([1, 2], [1])).toThrow(/2 series ids for 1 values/);
  });

  it("opens stored bytes at any offset and refuses inconsistent lengths", () => {
    const b = frameBytes(packFrame([3, 7, 9], [0.5, 1.5, 2.5]));
    // As a driver may hand them: inside a larger buffer at an odd offset.
    const at = (bytes: Buffer, offset: number) => {
      const backing = Buffer.alloc(bytes.byteLength + offset + 3);
      bytes.copy(backing, offset);
      return backing.subarray(offset, offset + bytes.byteLength);
    };
    expect(plain(openFrame(at(b.series, 1), at(b.values, 3)))).toEqual({ series: [3, 7, 9], values: [0.5, 1.5, 2.5] });
    expect(plain(openFrame(at(b.series, 4), at(b.values, 8)))).toEqual({ series: [3, 7, 9], values: [0.5, 1.5, 2.5] });
    expect(() => openFrame(b.series.subarray(0, 5), b.values)).toThrow(RangeError);
    expect(() => openFrame(b.series, b.values.subarray(0, 16))).toThrow(RangeError);
  });

  it("finds a series by binary search, at either end, in the middle, and not when absent", () => {
    const ids = Array.from({ length: 1001 }, (_, i) => i * 2 + 10);
    const f = packFrame(
      ids,
      ids.map((id) => id / 2),
    );
    expect(indexOf(f, 10)).toBe(0);
    expect(indexOf(f, 2010)).toBe(1000);
    expect(indexOf(f, 1010)).toBe(500);
    for (const absent of [0, 9, 11, 1011, 2011, 5000]) expect(indexOf(f, absent)).toBe(-1);
    expect(indexOf(f, 10, 1)).toBe(-1);
    expect(indexOf(packFrame([4], [1]), 4)).toBe(0);
  });

  it("picks the wanted series present in a frame, in order", () => {
    const f = packFrame([2, 4, 6, 8], [20, 40, 60, 80]);
    expect(picked(f, [1, 2, 5, 6, 8, 9])).toEqual([
      [2, 20],
      [6, 60],
      [8, 80],
    ]);
    expect(picked(f, [])).toEqual([]);
    expect(picked(f, [2, 4, 6, 8])).toEqual([
      [2, 20],
      [4, 40],
      [6, 60],
      [8, 80],
    ]);
  });

  it("plans the value positions to slice for frames laid out like known ones", () => {
    const last = packFrame([3, 7, 9, 12], [0, 0, 0, 0]).series;
    const first = packFrame([3, 5, 7, 9], [0, 0, 0, 0]).series;
    // 7 moved (a series before it gone), 5 only in the first layout, 12 only in the last, 4 in neither.
    expect(layoutPicks([last, first], [4, 5, 7, 12])).toEqual({
      positions: [1, 2, 3],
      slots: [
        [-1, -1, 0, 2],
        [-1, 0, 1, -1],
      ],
    });
    expect(layoutPicks([last], [4])).toEqual({ positions: [], slots: [[-1]] });
    expect(layoutPicks([], [4])).toEqual({ positions: [], slots: [] });
  });

  it("slices the planned values out of frames laid out like a layout as picking does, NaN and ±Inf too", () => {
    const layouts = [
      [1, 2, 4, 8, 16, 32],
      [2, 3, 4, 16, 32, 64, 65],
    ].map((ids) => packFrame(ids, ids).series);
    const wanted = [1, 3, 4, 5, 32, 64];
    const { positions, slots } = layoutPicks(layouts, wanted);
    const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, STALE];
    layouts.forEach((layout, l) => {
      const frame = packFrame(
        [...layout],
        [...layout].map((id, i) => specials[(id + i) % specials.length]! + id * (i % 2)),
      );
      const bytes = frameBytes(frame).values;
      // The SQL slices as the engines return them: at an odd offset of a larger buffer.
      const sliced = Buffer.alloc(positions.length * 8 + 1);
      for (const [i, p] of positions.entries()) bytes.copy(sliced, 1 + i * 8, p * 8, p * 8 + 8);
      const got: [number, number][] = [];
      pickSlices(sliced.subarray(1), slots[l]!, wanted, (id, v) => got.push([id, v]));
      expect(got).toEqual(picked(frame, wanted));
    });
  });

  it("merges a second frame of the same instant: new series added, the stored samples win", () => {
    const stored = packFrame([2, 5, 9], [20, 50, 90]);
    const merged = mergeFrames(stored, packFrame([1, 5, 7, 12], [10, 55, 70, 120]));
    expect(plain(merged)).toEqual({ series: [1, 2, 5, 7, 9, 12], values: [10, 20, 50, 70, 90, 120] });
    expect(plain(mergeFrames(stored, packFrame([], [])))).toEqual(plain(stored));
    expect(plain(mergeFrames(packFrame([], []), stored))).toEqual(plain(stored));
    expect(plain(mergeFrames(stored, stored))).toEqual(plain(stored));
  });

  it("groups a scrape's samples into a frame per instant, oldest first", () => {
    expect(framesOf([], [], [])).toEqual([]);
    const one = framesOf([3, 1], [100, 100], [30, 10]);
    expect(one.map((f) => ({ t: f.t, ...plain(f) }))).toEqual([{ t: 100, series: [1, 3], values: [10, 30] }]);
    const many = framesOf([1, 2, 3, 1], [200, 100, 200, 100], [1, 2, 3, 4]);
    expect(many.map((f) => ({ t: f.t, ...plain(f) }))).toEqual([
      { t: 100, series: [1, 2], values: [4, 2] },
      { t: 200, series: [1, 3], values: [1, 3] },
    ]);
  });

  it("rolls frames up per series and bucket, with last the latest sample and non-finite values left out", () => {
    const W = 300_000;
    const r = new FrameRollup(W);
    expect(r.size).toBe(0);
    r.add(0, packFrame([1, 2], [10, 100]));
    r.add(60_000, packFrame([1, 2], [30, Number.NaN]));
    r.add(120_000, packFrame([1], [20]));
    r.add(180_000, packFrame([1, 2], [STALE, Number.POSITIVE_INFINITY]));
    r.add(W, packFrame([1, 3], [5, Number.NEGATIVE_INFINITY]));
    r.add(W + 1, packFrame([], []));
    expect(r.size).toBe(3);
    const [series, t, count, sum, min, max, last] = r.columns();
    const rows = series!.map((id, i) => [id, t![i], count![i], sum![i], min![i], max![i], last![i]]);
    expect(rows).toEqual([
      [1, 0, 3, 60, 10, 30, 20],
      [2, 0, 1, 100, 100, 100, 100],
      [1, W, 1, 5, 5, 5, 5],
    ]);
  });
});
