/**
 * A day of one series' hourly roll-ups packed in one row: 24 slots of (count, sum, min, max, last) as
 * little-endian doubles, an empty hour with count 0. A 30-day query of 100 series then reads 3,000 rows
 * instead of 72,000, which is what keeps it under 100 ms on both engines (docs/benchmarks.md); the hourly rows
 * stay the source these blocks are packed from.
 */
export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const FIELDS = ["count", "sum", "min", "max", "last"] as const;
const SLOT = FIELDS.length;
export const BLOCK_BYTES = 24 * SLOT * 8;

export interface HourBucket {
  t: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
}

export const dayOf = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;

/** A fresh block, or an aligned copy of a stored one (drivers hand bytes at any offset). */
export function openBlock(stored?: Uint8Array | null): Float64Array {
  const block = new Float64Array(24 * SLOT);
  if (stored) {
    if (stored.byteLength !== BLOCK_BYTES) throw new RangeError(`an hour block has ${stored.byteLength} bytes`);
    new Uint8Array(block.buffer).set(stored);
  }
  return block;
}

/** Puts one hourly bucket in its slot of the day's block (the bucket's hour must be in that day). */
export function putHour(block: Float64Array, day: number, bucket: HourBucket): void {
  const hour = Math.floor((bucket.t - day) / HOUR_MS);
  if (hour < 0 || hour > 23) throw new RangeError(`hour bucket ${bucket.t} is not in the day ${day}`);
  const at = hour * SLOT;
  block[at] = bucket.count;
  block[at + 1] = bucket.sum;
  block[at + 2] = bucket.min;
  block[at + 3] = bucket.max;
  block[at + 4] = bucket.last;
}

export const blockBytes = (block: Float64Array): Buffer =>
  Buffer.from(block.buffer, block.byteOffset, block.byteLength);

/** The hourly buckets of a stored day within [from, to], oldest first; empty hours are skipped. */
export function readBlock(
  stored: Uint8Array,
  day: number,
  from: number,
  to: number,
  each: (t: number, count: number, sum: number, min: number, max: number, last: number) => void,
): void {
  if (stored.byteLength !== BLOCK_BYTES) throw new RangeError(`an hour block has ${stored.byteLength} bytes`);
  // Read in place at whatever offset the driver put the bytes: no aligned copy of each day.
  const block = new DataView(stored.buffer, stored.byteOffset, stored.byteLength);
  for (let hour = 0; hour < 24; hour++) {
    const t = day + hour * HOUR_MS;
    if (t < from || t > to) continue;
    const at = hour * SLOT * 8;
    const count = block.getFloat64(at, true);
    if (count === 0) continue;
    each(
      t,
      count,
      block.getFloat64(at + 8, true),
      block.getFloat64(at + 16, true),
      block.getFloat64(at + 24, true),
      block.getFloat64(at + 32, true),
    );
  }
}
