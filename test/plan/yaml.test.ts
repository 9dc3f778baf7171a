import { describe, expect, it } from "vitest";
import { defaultPlan } from "../../src/modules/plan/document.js";
import { exportPlanYaml, parsePlanYaml } from "../../src/modules/plan/yaml.js";

const plan = defaultPlan(new Date("2026-03-10T15:00:00Z"));
const yaml = exportPlanYaml(plan);
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("plan YAML", () => {
  it("round-trips the plan, without anchors", () => {
    expect(parsePlanYaml(yaml)).toEqual({ ok: true, document: plan });
    expect(yaml).not.toMatch(/[&*]a\d/);
    expect(yaml).toContain("lastReviewedAt: 2026-03-10");
  });

  it("names the line and the field of a wrong value, an unknown field and a missing one", () => {
    const edited = yaml
      .replace("  rpo:\n    value: 1\n", "  rpo:\n    value: 0\n")
      .replace("  noticeHours: 48\n", "  noticeHours: 48\n  noticeDays: 2\n")
      .replace("  graceDays: 14\n", "");
    const result = parsePlanYaml(edited);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const rpoLine = lineOf(edited, "  rpo:") + 1;
    expect(result.errors).toEqual([
      {
        line: lineOf(edited, "noticeDays"),
        column: 3,
        pointer: "/maintenanceWindow/noticeDays",
        message: '"noticeDays" is not allowed here',
      },
      { line: rpoLine, column: 5, pointer: "/disasterRecovery/rpo/value", message: "must be > 0" },
      { line: lineOf(edited, "review:"), column: 1, pointer: "/review/graceDays", message: '"graceDays" is required' },
    ]);
  });

  it("names the line of a semantic error", () => {
    const edited = yaml.replace("calendar: 24x7", "calendar: plantao");
    const result = parsePlanYaml(edited);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          line: lineOf(edited, "calendar: plantao"),
          column: 5,
          pointer: "/severities/critical/calendar",
          message: 'unknown calendar "plantao" (known: comercial, 24x7)',
        },
      ],
    });
  });

  it("reports syntax errors and duplicate keys with their line", () => {
    expect(parsePlanYaml("schemaVersion: 1\ncalendars:\n\tcomercial: 1\n")).toEqual({
      ok: false,
      errors: [{ line: 3, column: 1, pointer: "", message: "Tabs are not allowed as indentation" }],
    });
    const duplicate = parsePlanYaml("schemaVersion: 1\nschemaVersion: 1\n");
    expect(duplicate.ok).toBe(false);
    if (!duplicate.ok) expect(duplicate.errors[0]).toMatchObject({ line: 2, message: expect.stringMatching(/unique/) });
    expect(parsePlanYaml("")).toEqual({
      ok: false,
      errors: [{ line: 1, column: 1, pointer: "", message: "must be object" }],
    });
  });
});
