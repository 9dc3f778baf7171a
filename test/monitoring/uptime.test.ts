import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Status } from "../../src/modules/monitoring/state-machine.js";
import { type StateInterval, uptime } from "../../src/modules/monitoring/uptime.js";

const T0 = Date.parse("2026-03-01T00:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();
const iv = (status: Status, from: number, to: number | null): StateInterval => ({
  status,
  startedAt: iso(from),
  endedAt: to === null ? null : iso(to),
});

describe("uptime from state intervals", () => {
  it("is time-weighted: 45 minutes up of 60 is 75%", () => {
    const r = uptime([iv("UP", 0, 30), iv("DOWN", 30, 45), iv("UP", 45, null)], at(0), at(60), at(60));
    expect(r.uptime).toBe(0.75);
    expect(r.upSeconds).toBe(45 * 60);
    expect(r.downSeconds).toBe(15 * 60);
    expect(r.outages).toBe(1);
    expect(r.seconds).toMatchObject({ UP: 2700, DOWN: 900, NONE: 0 });
  });

  it("leaves maintenance, unreachable and no-data time out", () => {
    const r = uptime(
      [iv("UP", 10, 20), iv("MAINTENANCE", 20, 30), iv("DOWN", 30, 40), iv("UNREACHABLE", 40, 50), iv("UP", 50, 60)],
      at(0),
      at(60),
      at(60),
    );
    expect(r.uptime).toBeCloseTo(20 / 30);
    expect(r.excludedSeconds).toBe(30 * 60);
    expect(r.seconds).toMatchObject({ NONE: 600, MAINTENANCE: 600, UNREACHABLE: 600 });
  });

  it("counts DEGRADED as up and PENDING as down", () => {
    const r = uptime([iv("DEGRADED", 0, 30), iv("PENDING", 30, 60)], at(0), at(60), at(60));
    expect(r.uptime).toBe(0.5);
    expect(r.outages).toBe(0);
  });

  it("clips intervals to the window and ends an open one at now; the future is no data", () => {
    const r = uptime([iv("DOWN", -100, 10), iv("UP", 10, null)], at(0), at(120), at(60));
    expect(r.seconds.DOWN).toBe(600);
    expect(r.seconds.UP).toBe(3000);
    expect(r.seconds.NONE).toBe(3600);
    expect(r.outages).toBe(0); // it began before the window
    expect(r.uptime).toBeCloseTo(50 / 60);
  });

  it("is null when nothing in the window counts", () => {
    expect(uptime([], at(0), at(60), at(60)).uptime).toBeNull();
    expect(uptime([iv("MAINTENANCE", 0, null)], at(0), at(60), at(60)).uptime).toBeNull();
    expect(uptime([iv("UP", 0, null)], at(0), at(60), at(-10)).uptime).toBeNull();
  });

  it("counts overlapping intervals once, in order of start", () => {
    const r = uptime([iv("DOWN", 20, 40), iv("UP", 0, 30)], at(0), at(40), at(40));
    expect(r.seconds.UP).toBe(1800);
    expect(r.seconds.DOWN).toBe(600);
  });

  it("accounts for every second of any window exactly once (property)", () => {
    const statuses: Status[] = ["UP", "DEGRADED", "DOWN", "PENDING", "MAINTENANCE", "UNREACHABLE"];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...statuses), fc.integer({ min: 1, max: 120 })), { maxLength: 20 }),
        fc.integer({ min: -50, max: 500 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 0, max: 1000 }),
        (steps, from, length, now) => {
          let t = 0;
          const intervals = steps.map(([status, d], i) => {
            const i0 = t;
            t += d;
            return iv(status, i0, i === steps.length - 1 ? null : t);
          });
          const r = uptime(intervals, at(from), at(from + length), at(now));
          const total = Object.values(r.seconds).reduce((a, b) => a + b, 0);
          expect(total).toBeCloseTo(length * 60, 6);
          if (r.uptime !== null) {
            expect(r.uptime).toBeGreaterThanOrEqual(0);
            expect(r.uptime).toBeLessThanOrEqual(1);
          }
          expect(r.upSeconds + r.downSeconds + r.excludedSeconds).toBeCloseTo(length * 60, 6);
        },
      ),
    );
  });
});
