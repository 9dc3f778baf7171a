import { describe, expect, it } from "vitest";
import {
  type AggregateRow,
  MinuteAccumulator,
  percentile,
  rebucket,
  resolutionFor,
} from "../../src/modules/monitoring/aggregates.js";
import { DueHeap, phaseOf, SHARDS, shardOf } from "../../src/modules/monitoring/schedule.js";

describe("minute aggregates", () => {
  it("keeps checks, failures and latency min/avg/max/p95 of one minute", () => {
    const acc = new MinuteAccumulator("m1", 29_000_000);
    for (let i = 1; i <= 20; i++) acc.add(i % 5 === 0, i === 7 ? null : i);
    const row = acc.row();
    expect(row).toMatchObject({
      monitorId: "m1",
      bucket: new Date(29_000_000 * 60_000).toISOString(),
      checks: 20,
      failures: 4,
      latencyCount: 19,
      latencyMin: 1,
      latencyMax: 20,
      latencyP95: 20,
    });
    expect(row.latencyAvg).toBeCloseTo((210 - 7) / 19, 3);
    expect(new MinuteAccumulator("m", 1).row()).toMatchObject({ checks: 0, latencyAvg: null, latencyP95: null });
  });

  it("merges two accumulators of the same minute", () => {
    const a = new MinuteAccumulator("m", 7);
    a.add(false, 10);
    const b = new MinuteAccumulator("m", 7);
    b.add(true, null);
    b.add(false, 30);
    a.merge(b);
    expect(a.row()).toMatchObject({
      checks: 3,
      failures: 1,
      latencyCount: 2,
      latencyMin: 10,
      latencyMax: 30,
      latencyAvg: 20,
    });
  });

  it("takes the nearest-rank percentile", () => {
    expect(percentile([], 0.95)).toBeNull();
    expect(percentile([5], 0.95)).toBe(5);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
  });

  it("merges stored rows into wider steps, weighting averages by the measured checks", () => {
    const row = (bucket: string, checks: number, avg: number | null, n = checks): AggregateRow => ({
      monitorId: "m",
      bucket,
      checks,
      failures: checks - n,
      latencyCount: n,
      latencyMin: avg === null ? null : avg - 1,
      latencyAvg: avg,
      latencyMax: avg === null ? null : avg + 1,
      latencyP95: avg === null ? null : avg + 0.5,
    });
    const points = rebucket(
      [
        row("2026-03-01T10:00:00.000Z", 2, 10),
        row("2026-03-01T10:01:00.000Z", 6, 20),
        row("2026-03-01T10:05:00.000Z", 3, null, 0),
      ],
      300,
    );
    expect(points).toEqual([
      {
        at: "2026-03-01T10:00:00.000Z",
        checks: 8,
        failures: 0,
        latencyMin: 9,
        latencyAvg: 17.5,
        latencyMax: 21,
        latencyP95: 18,
      },
      {
        at: "2026-03-01T10:05:00.000Z",
        checks: 3,
        failures: 3,
        latencyMin: null,
        latencyAvg: null,
        latencyMax: null,
        latencyP95: null,
      },
    ]);
  });

  it("picks the coarsest table that fits in a step", () => {
    expect(resolutionFor(60)).toBe("minute");
    expect(resolutionFor(3599)).toBe("minute");
    expect(resolutionFor(3600)).toBe("hour");
    expect(resolutionFor(86_400 * 7)).toBe("day");
  });
});

describe("schedule", () => {
  it("spreads monitors over shards and phases deterministically", () => {
    const ids = Array.from({ length: 6400 }, (_, i) => `0190c0de-0000-7000-8000-${String(i).padStart(12, "0")}`);
    const counts = new Array(SHARDS).fill(0);
    for (const id of ids) counts[shardOf(id)]++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
    expect(shardOf(ids[0]!)).toBe(shardOf(ids[0]!));
    const phases = ids.map((id) => phaseOf(id, 30_000));
    expect(Math.min(...phases)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...phases)).toBeLessThan(30_000);
    // Every second of the interval gets a share of the checks.
    const perSecond = new Set(phases.map((p) => Math.floor(p / 1000)));
    expect(perSecond.size).toBe(30);
  });

  it("pops due entries in order", () => {
    const heap = new DueHeap<number>();
    const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
    for (const [i, due] of values.entries()) heap.push({ due, item: i, seq: 0 });
    const out: number[] = [];
    while (heap.size) out.push(heap.pop()!.due);
    expect(out).toEqual([...values].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });
});
