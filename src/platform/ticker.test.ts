import { afterEach, describe, expect, it, vi } from "vitest";
import { Ticker } from "./ticker.js";

describe("the ticker", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A ticker on fake timers, and the beats each duty ran at. */
  function setup(startAt: number) {
    vi.useFakeTimers({ now: startAt, toFake: ["setTimeout", "clearTimeout", "Date"] });
    // The globals, which the fake timers replace (the default is node:timers, which they leave alone).
    const ticker = new Ticker(() => Date.now(), globalThis);
    const runs: Record<string, number[]> = {};
    const duty = (name: string) => () => {
      runs[name] ??= [];
      runs[name].push(Date.now());
    };
    return { ticker, runs, duty };
  }

  it("runs duties of one period in the same wake-up, on the multiples of the period", () => {
    const { ticker, runs, duty } = setup(10_250);
    ticker.every(1_000, duty("a"));
    vi.advanceTimersByTime(400);
    ticker.every(1_000, duty("b"));
    ticker.every(5_000, duty("sweep"));
    vi.advanceTimersByTime(6_000);
    expect(runs.a).toEqual([11_000, 12_000, 13_000, 14_000, 15_000, 16_000]);
    expect(runs.b).toEqual(runs.a);
    // A slower duty beats with every fifth of the faster one, not at a phase of its own.
    expect(runs.sweep).toEqual([15_000]);
    expect(vi.getTimerCount()).toBe(1);
  });

  it("stops a duty, and keeps no timer once none is left", () => {
    const { ticker, runs, duty } = setup(0);
    const stopA = ticker.every(100, duty("a"));
    const stopB = ticker.every(300, duty("b"));
    vi.advanceTimersByTime(300);
    stopA();
    vi.advanceTimersByTime(300);
    expect(runs.a).toEqual([100, 200, 300]);
    expect(runs.b).toEqual([300, 600]);
    stopB();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps beating after a duty throws, and reports the error as uncaught", async () => {
    const { ticker, runs, duty } = setup(0);
    const uncaught: unknown[] = [];
    const onError = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", onError);
    try {
      ticker.every(100, () => {
        throw new Error("duty failed");
      });
      ticker.every(100, duty("b"));
      vi.advanceTimersByTime(200);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("uncaughtException", onError);
    }
    expect(runs.b).toEqual([100, 200]);
    expect(uncaught).toHaveLength(2);
  });

  it("refuses a period that is not positive", () => {
    const ticker = new Ticker(() => 0);
    expect(() => ticker.every(0, () => {})).toThrow(RangeError);
    expect(() => ticker.every(Number.NaN, () => {})).toThrow(RangeError);
  });
});
