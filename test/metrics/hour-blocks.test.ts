import { describe, expect, it } from "vitest";
import {
  BLOCK_BYTES,
  blockBytes,
  DAY_MS,
  dayOf,
  type HourBucket,
  openBlock,
  putHour,
  readBlock,
} from "../../src/modules/metrics/hour-blocks.js";

const DAY = Date.parse("2026-03-08T00:00:00Z");
const H = 3_600_000;
const bucket = (hour: number, v: number): HourBucket => ({
  t: DAY + hour * H,
  count: 12,
  sum: 12 * v,
  min: v - 1,
  max: v + 1,
  last: v,
});
const read = (stored: Uint8Array, from = DAY, to = DAY + DAY_MS) => {
  const out: HourBucket[] = [];
  readBlock(stored, DAY, from, to, (t, count, sum, min, max, last) => out.push({ t, count, sum, min, max, last }));
  return out;
};

describe("hour blocks", () => {
  it("finds the UTC day of an instant, midnight included", () => {
    expect(dayOf(DAY)).toBe(DAY);
    expect(dayOf(DAY + DAY_MS - 1)).toBe(DAY);
    expect(dayOf(DAY + DAY_MS)).toBe(DAY + DAY_MS);
    expect(dayOf(DAY - 1)).toBe(DAY - DAY_MS);
  });

  it("keeps each hour in its slot and skips empty hours", () => {
    const block = openBlock();
    putHour(block, DAY, bucket(0, 10));
    putHour(block, DAY, bucket(23, 40.5));
    putHour(block, DAY, bucket(7, -3));
    const stored = blockBytes(block);
    expect(stored.byteLength).toBe(BLOCK_BYTES);
    expect(read(stored)).toEqual([bucket(0, 10), bucket(7, -3), bucket(23, 40.5)]);
  });

  it("changes a stored block without losing its other hours, from bytes at any offset", () => {
    const first = openBlock();
    putHour(first, DAY, bucket(1, 5));
    // Drivers may hand the bytes inside a larger buffer, not 8-byte aligned.
    const padded = Buffer.alloc(BLOCK_BYTES + 3);
    blockBytes(first).copy(padded, 3);
    const stored = padded.subarray(3);
    const again = openBlock(stored);
    putHour(again, DAY, bucket(1, 6));
    putHour(again, DAY, bucket(2, 7));
    expect(read(blockBytes(again))).toEqual([bucket(1, 6), bucket(2, 7)]);
    // The stored bytes themselves are untouched.
    expect(read(stored)).toEqual([bucket(1, 5)]);
  });

  it("reads only the hours within [from, to]", () => {
    const block = openBlock();
    for (let h = 0; h < 24; h++) putHour(block, DAY, bucket(h, h));
    const stored = blockBytes(block);
    expect(read(stored, DAY + 22 * H, DAY + DAY_MS).map((b) => b.last)).toEqual([22, 23]);
    expect(read(stored, DAY, DAY + 2 * H).map((b) => b.last)).toEqual([0, 1, 2]);
    expect(read(stored, DAY + DAY_MS, DAY + 2 * DAY_MS)).toEqual([]);
  });

  it("refuses an hour of another day and bytes of another size", () => {
    expect(() => putHour(openBlock(), DAY, bucket(24, 1))).toThrow(RangeError);
    expect(() => putHour(openBlock(), DAY, bucket(-1, 1))).toThrow(RangeError);
    expect(() => openBlock(Buffer.alloc(BLOCK_BYTES - 8))).toThrow(/bytes/);
    expect(() => read(Buffer.alloc(BLOCK_BYTES + 8))).toThrow(/bytes/);
  });
});
