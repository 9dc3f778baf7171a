import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AlertMemory,
  evaluate,
  expressionProblems,
  initialAlert,
  type MetricExpression,
  replay,
  step,
  type Timing,
} from "../../src/modules/alerts/rules.js";
import { aggregate, quantile, rate } from "../../src/modules/metrics/aggregate.js";

const t0 = Date.parse("2026-12-01T12:00:00Z");
const at = (seconds: number) => new Date(t0 + seconds * 1000);
const cpu = { op: ">" as const, threshold: 70, recoveryThreshold: 60 };

/** Evaluates values every 60 s and returns the state and transition after each. */
function run(
  values: (number | null)[],
  timing: Timing,
  expr: Pick<MetricExpression, "op" | "threshold" | "recoveryThreshold"> = cpu,
) {
  let m: AlertMemory = initialAlert;
  return values.map((v, i) => {
    const r = evaluate(m, expr, v, at(i * 60), timing);
    m = r.memory;
    return `${m.state}${r.transition ? `:${r.transition}` : ""}`;
  });
}

describe("alert rule evaluator", () => {
  it("fires at once without for, resolves when the condition stops", () => {
    expect(run([50, 80, 90, 50, 50], { forSeconds: 0, keepFiringForSeconds: 0 }, { op: ">", threshold: 70 })).toEqual([
      "inactive",
      "firing:firing",
      "firing",
      "resolved:resolved",
      "resolved",
    ]);
  });

  it("is pending until the condition held for `for`, firing once", () => {
    const states = run([80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80, 80], { forSeconds: 600, keepFiringForSeconds: 0 });
    expect(states.slice(0, 10)).toEqual(["pending:pending", ...Array(9).fill("pending")]);
    expect(states[10]).toBe("firing:firing");
    expect(states[11]).toBe("firing");
    expect(states.filter((s) => s.endsWith(":firing"))).toHaveLength(1);
  });

  it("clears a pending alert without firing when the condition breaks before `for`", () => {
    expect(run([80, 80, 50, 80], { forSeconds: 600, keepFiringForSeconds: 0 })).toEqual([
      "pending:pending",
      "pending",
      "inactive:cleared",
      "pending:pending",
    ]);
  });

  it("recovers only under the recovery threshold (hysteresis)", () => {
    expect(run([80, 65, 69, 75, 61, 59, 65], { forSeconds: 0, keepFiringForSeconds: 0 })).toEqual([
      "firing:firing",
      "firing",
      "firing",
      "firing",
      "firing",
      "resolved:resolved",
      "resolved",
    ]);
  });

  it("a resolved alert needs the firing threshold again, not the recovery one", () => {
    expect(run([80, 50, 65, 71], { forSeconds: 0, keepFiringForSeconds: 0 })).toEqual([
      "firing:firing",
      "resolved:resolved",
      "resolved",
      "firing:firing",
    ]);
  });

  it("keeps firing for keep_firing_for after the condition stops, and a return resets it", () => {
    expect(
      run([80, 50, 50, 80, 50, 50, 50], { forSeconds: 0, keepFiringForSeconds: 150 }, { op: ">", threshold: 70 }),
    ).toEqual(["firing:firing", "firing", "firing", "firing", "firing", "firing", "resolved:resolved"]);
  });

  it("treats no data and NaN as the condition not holding", () => {
    expect(run([80, null, Number.NaN], { forSeconds: 0, keepFiringForSeconds: 0 }, { op: ">", threshold: 70 })).toEqual(
      ["firing:firing", "resolved:resolved", "resolved"],
    );
  });

  it("handles below-threshold rules (free disk < 10% recovering over 15%)", () => {
    expect(
      run(
        [20, 8, 12, 16],
        { forSeconds: 0, keepFiringForSeconds: 0 },
        { op: "<", threshold: 10, recoveryThreshold: 15 },
      ),
    ).toEqual(["inactive", "firing:firing", "firing", "resolved:resolved"]);
  });

  it("monitor-state rules: a DOWN observation fires, UP resolves", () => {
    let m = initialAlert;
    const r1 = step(m, true, at(0), { forSeconds: 0, keepFiringForSeconds: 0 });
    m = r1.memory;
    expect(r1.transition).toBe("firing");
    const r2 = step(m, false, at(60), { forSeconds: 0, keepFiringForSeconds: 0 });
    expect(r2.transition).toBe("resolved");
    expect(r2.memory.resolvedAt).toBe(at(60).toISOString());
  });

  it("never fires twice without resolving in between, whatever the values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: null }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 600 }),
        (values, forSeconds, keepFiringForSeconds) => {
          const transitions = run(values, { forSeconds, keepFiringForSeconds })
            .map((s) => s.split(":")[1])
            .filter((x) => x === "firing" || x === "resolved");
          for (let i = 0; i < transitions.length; i++) expect(transitions[i]).toBe(i % 2 === 0 ? "firing" : "resolved");
        },
      ),
    );
  });

  it("replays the last values into pending and firing intervals (the rule preview)", () => {
    const values = [50, 80, 80, 80, 55, 50, 90].map((value, i) => ({ at: at(i * 300), value }));
    const iso = (seconds: number) => at(seconds).toISOString();
    expect(replay(values, cpu, { forSeconds: 600, keepFiringForSeconds: 0 })).toEqual({
      // Pending from the first 80 until `for` has passed, then firing until the recovery; the last 90 is pending.
      pending: [
        { from: iso(300), to: iso(900) },
        { from: iso(1800), to: null },
      ],
      firing: [{ from: iso(900), to: iso(1200) }],
    });
    // A condition that stops before `for` has passed leaves a closed pending interval and no firing.
    const brief = [80, 50].map((value, i) => ({ at: at(i * 300), value }));
    expect(replay(brief, cpu, { forSeconds: 600, keepFiringForSeconds: 0 })).toEqual({
      pending: [{ from: iso(0), to: iso(300) }],
      firing: [],
    });
    // Without `for` it fires at once: never pending.
    expect(replay(values, cpu, { forSeconds: 0, keepFiringForSeconds: 0 }).pending).toEqual([]);
  });

  it("reports invalid expressions field by field", () => {
    const expr: MetricExpression = {
      metric: "cpu usage",
      match: { "bad-label": "x" },
      fn: "quantile",
      windowSeconds: 0,
      by: [],
      op: ">",
      threshold: 70,
      recoveryThreshold: 80,
    };
    expect(expressionProblems(expr).map((p) => p.field)).toEqual([
      "expression.metric",
      "expression.windowSeconds",
      "expression.quantile",
      "expression.recoveryThreshold",
      "expression",
    ]);
    expect(
      expressionProblems({ ...expr, metric: "cpu", match: {}, fn: "avg", windowSeconds: 60, recoveryThreshold: 60 }),
    ).toEqual([]);
  });
});

describe("aggregations", () => {
  const pts = [
    [0, 10],
    [1000, 20],
    [2000, 5],
    [3000, 15],
  ] as const;
  it("computes avg, min, max, sum, last, count and quantile", () => {
    expect(aggregate("avg", pts)).toBe(12.5);
    expect(aggregate("min", pts)).toBe(5);
    expect(aggregate("max", pts)).toBe(20);
    expect(aggregate("sum", pts)).toBe(50);
    expect(aggregate("last", pts)).toBe(15);
    expect(aggregate("count", pts)).toBe(4);
    expect(aggregate("count", [])).toBe(0);
    expect(aggregate("avg", [])).toBeNull();
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(aggregate("quantile", pts, 1)).toBe(20);
  });
  it("rates counters across resets", () => {
    // 10 → 20 (+10), reset to 5 (+5), 5 → 15 (+10): 25 over 3 s.
    expect(rate(pts)).toBeCloseTo(25 / 3);
    expect(rate([[0, 1]])).toBeNull();
  });
});
