import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { every, untilBeat } from "./cadence.js";

// Periods no other suite uses: test files share this module within a worker.
const PERIOD = 1_234;
const NODE = "cadence-test-a";

describe("every (a node's beat)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(PERIOD * 1000 + 7);
  });
  afterEach(() => vi.useRealTimers());

  it("runs every subscription of one node and period in the same beat, one period apart", () => {
    const seen: Array<[string, number]> = [];
    const stopA = every(PERIOD, NODE, () => seen.push(["a", Date.now()]));
    const stopB = every(PERIOD, NODE, () => seen.push(["b", Date.now()]));
    expect(vi.getTimerCount()).toBe(1);
    const first = Date.now() + untilBeat(PERIOD, NODE);
    vi.advanceTimersByTime(first - Date.now() - 1);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1 + PERIOD);
    expect(seen).toEqual([
      ["a", first],
      ["b", first],
      ["a", first + PERIOD],
      ["b", first + PERIOD],
    ]);
    stopA();
    stopB();
  });

  it("keeps its phase across beats, and beats of different periods of one node coincide", () => {
    const at: Array<[number, number]> = [];
    const stopShort = every(1_000 * 7, NODE, () => at.push([7, Date.now()]));
    const stopLong = every(1_000 * 7 * 3, NODE, () => at.push([21, Date.now()]));
    vi.advanceTimersByTime(21_000 * 2);
    const longs = at.filter(([p]) => p === 21).map(([, t]) => t);
    const shorts = at.filter(([p]) => p === 7).map(([, t]) => t);
    expect(longs).toHaveLength(2);
    expect(shorts).toHaveLength(6);
    for (const t of longs) expect(shorts).toContain(t);
    expect(new Set(shorts.map((t) => t % 7_000)).size).toBe(1);
    stopShort();
    stopLong();
  });

  it("gives different nodes different phases", () => {
    const phases = new Set(
      ["node-a", "node-b", "node-c", "node-d"].map((n) => (Date.now() + untilBeat(1_000, n)) % 1_000),
    );
    expect(phases.size).toBeGreaterThan(1);
  });

  it("stops a subscription alone, and the timer with the last one", () => {
    const a = vi.fn();
    const b = vi.fn();
    const stopA = every(PERIOD, NODE, a);
    const stopB = every(PERIOD, NODE, b);
    stopA();
    vi.advanceTimersByTime(PERIOD);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
    stopB();
    expect(vi.getTimerCount()).toBe(0);
    stopB();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("runs the other work when one throws, and does not swallow the error", () => {
    const errors: unknown[] = [];
    const after = vi.fn();
    const stopA = every(PERIOD, NODE, () => {
      throw new Error("boom");
    });
    const stopB = every(PERIOD, NODE, after);
    const microtask = vi.spyOn(globalThis, "queueMicrotask").mockImplementation((fn) => {
      try {
        fn();
      } catch (err) {
        errors.push(err);
      }
    });
    vi.advanceTimersByTime(PERIOD);
    microtask.mockRestore();
    expect(after).toHaveBeenCalledTimes(1);
    expect(errors).toEqual([new Error("boom")]);
    stopA();
    stopB();
  });
});
