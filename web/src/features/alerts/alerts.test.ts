import { Compile } from "typebox/compile";
import { describe, expect, it } from "vitest";
import { defaultRules } from "../../../../src/modules/alerts/defaults.js";
import { PreviewInput, RuleInput } from "../../../../src/modules/alerts/schemas.js";
import { aligned, clipped, labelText, stepGrid } from "./chart-data";
import { paramsOf, stateOf, stepOf, windowOf } from "./explorer";
import type { Rule } from "./model";
import { emptyRule, formOf, inputOf, previewOf, type RuleForm } from "./rule-form";

const ruleSchema = Compile(RuleInput);
const previewSchema = Compile(PreviewInput);

/** A default rule as the API shows it. */
const asShown = (name: string): Rule => {
  const r = defaultRules.find((d) => d.name === name)!;
  return {
    id: "r",
    name: r.name,
    kind: r.kind,
    monitorId: null,
    expression: r.expression ? { ...r.expression, match: r.expression.match ?? {}, by: r.expression.by ?? [] } : null,
    forSeconds: r.forSeconds ?? 0,
    keepFiringForSeconds: r.keepFiringForSeconds ?? 0,
    severity: r.severity ?? "medium",
    labels: r.labels ?? {},
    annotations: r.annotations ?? {},
    enabled: true,
    builtin: true,
    lastEvaluatedAt: null,
    lastError: null,
  };
};

describe("the rule editor's form", () => {
  it("gives back a default rule as the server's schema takes it, unchanged", () => {
    for (const name of ["HighCpu", "MonitorDown"]) {
      const rule = asShown(name);
      const input = inputOf(formOf(rule));
      expect(ruleSchema.Check(input), name).toBe(true);
      expect(input).toMatchObject({
        name,
        kind: rule.kind,
        forSeconds: rule.forSeconds,
        severity: rule.severity,
        annotations: rule.annotations,
      });
      if (rule.expression) expect(input.expression).toEqual({ ...rule.expression });
    }
  });

  it("sends rows with a name as records, and leaves empty numbers out for the server to name", () => {
    const form: RuleForm = {
      ...emptyRule,
      name: "TrunkCalls",
      metric: "sip_calls",
      match: [
        { key: 0, name: "trunk", value: "0800" },
        { key: 1, name: " ", value: "dropped" },
      ],
      labels: [{ key: 0, name: "team", value: "voip" }],
      threshold: "",
      recoveryThreshold: "",
    };
    const input = inputOf(form);
    expect(input.expression).toMatchObject({ match: { trunk: "0800" }, recoveryThreshold: null });
    expect(input.expression).not.toHaveProperty("threshold", expect.anything());
    expect(input.labels).toEqual({ team: "voip" });
    expect(ruleSchema.Check(input)).toBe(false);
  });

  it("asks for a preview only once the expression can be evaluated, named or not", () => {
    expect(previewOf(emptyRule)).toBeNull();
    expect(previewOf({ ...emptyRule, kind: "monitor" })).toBeNull();
    const unnamed = previewOf({ ...emptyRule, metric: "instance:cpu_usage:percent" });
    expect(unnamed).not.toHaveProperty("name");
    expect(previewSchema.Check(unnamed)).toBe(true);
    expect(previewOf({ ...emptyRule, metric: "cpu", threshold: "" })).toBeNull();
    expect(previewOf({ ...emptyRule, metric: "cpu", fn: "quantile", quantile: "" })).toBeNull();
    expect(previewSchema.Check(previewOf({ ...emptyRule, name: "Cpu", metric: "cpu", fn: "quantile" }))).toBe(true);
  });
});

describe("the metric explorer's URL", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");

  it("reproduces the chosen state from its link, and keeps defaults out of it", () => {
    const state = stateOf(new URLSearchParams(), now);
    expect(paramsOf(state).toString()).toBe("");
    const chosen = {
      ...state,
      metric: "node_cpu_seconds_total",
      matchers: [
        { key: 0, name: "mode", op: "!=" as const, value: "idle" },
        { key: 1, name: "instance", op: "=~" as const, value: "pbx-.*" },
      ],
      fn: "quantile" as const,
      quantile: 0.9,
      range: "custom" as const,
      from: "2026-12-01T00:00:00.000Z",
      to: "2026-12-02T00:00:00.000Z",
      step: 300,
    };
    const link = paramsOf(chosen).toString();
    expect(stateOf(new URLSearchParams(link), now)).toEqual(chosen);
    expect(windowOf(chosen, now)).toEqual({ from: Date.parse(chosen.from), to: Date.parse(chosen.to) });
  });

  it("ignores what it does not know, and picks a step that keeps a few hundred points", () => {
    const state = stateOf(new URLSearchParams("fn=median&range=2y&step=7&match=bad%20matcher&q=3"), now);
    expect(state).toMatchObject({ fn: "avg", range: "1h", step: null, matchers: [], quantile: 0.95 });
    expect(stepOf(state, windowOf(state, now))).toBe(15);
    expect(stepOf({ ...state, range: "24h" }, windowOf({ ...state, range: "24h" }, now))).toBe(300);
    expect(stepOf({ ...state, range: "30d" }, windowOf({ ...state, range: "30d" }, now))).toBe(14_400);
  });
});

describe("chart data", () => {
  it("aligns series on one time axis, null where a series has no point", () => {
    const grid = stepGrid(0, 180_000, 60_000);
    expect(
      aligned(
        [
          [
            [0, 1],
            [120_000, 3],
          ],
          [[60_000, 2]],
        ],
        grid,
      ),
    ).toEqual([
      [0, 60, 120, 180],
      [1, null, 3, null],
      [null, 2, null, null],
    ]);
  });

  it("names label sets in a stable order and clips intervals to the window", () => {
    expect(labelText({ mode: "idle", instance: "pbx-01" })).toBe('instance="pbx-01", mode="idle"');
    expect(
      clipped(
        [
          { from: "2026-12-07T10:00:00Z", to: "2026-12-07T11:00:00Z" },
          { from: "2026-12-07T11:30:00Z", to: null },
        ],
        Date.parse("2026-12-07T10:30:00Z"),
        Date.parse("2026-12-07T12:00:00Z"),
      ),
    ).toEqual([
      { start: Date.parse("2026-12-07T10:30:00Z"), end: Date.parse("2026-12-07T11:00:00Z") },
      { start: Date.parse("2026-12-07T11:30:00Z"), end: Date.parse("2026-12-07T12:00:00Z") },
    ]);
  });
});
