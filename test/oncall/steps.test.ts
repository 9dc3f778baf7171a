import { describe, expect, it } from "vitest";
import { nextStep } from "../../src/modules/oncall/page-model.js";
import type { Step } from "../../src/modules/oncall/schemas.js";
import { defaultPlan } from "../../src/modules/plan/document.js";
import { planPagingPolicies } from "../../src/modules/plan/paging.js";

/** Which step a page runs next: through the steps and their repeats, while each step's condition holds. */

const step = (condition?: Step["condition"]): Step => ({ targets: [{ kind: "oncall" }], waitMinutes: 5, condition });
const start = { step: -1, round: 0 };

describe("next step", () => {
  it("walks the steps, then the repeats, then nothing", () => {
    const steps = [step(), step()];
    const walk = [];
    for (let at = nextStep(steps, 1, start, "triggered"); at; at = nextStep(steps, 1, at, "triggered")) walk.push(at);
    expect(walk).toEqual([
      { step: 0, round: 0 },
      { step: 1, round: 0 },
      { step: 0, round: 1 },
      { step: 1, round: 1 },
    ]);
  });

  it("after an acknowledgement only the steps that run until resolved are left; resolved leaves none", () => {
    const steps = [step(), step("notResolved"), step()];
    expect(nextStep(steps, 0, { step: 0, round: 0 }, "acknowledged")).toEqual({ step: 1, round: 0 });
    expect(nextStep(steps, 0, { step: 1, round: 0 }, "acknowledged")).toBeNull();
    expect(nextStep(steps, 2, { step: 1, round: 0 }, "acknowledged")).toEqual({ step: 1, round: 1 });
    expect(nextStep(steps, 2, start, "resolved")).toBeNull();
  });
});

describe("the plan's default policies", () => {
  const policies = planPagingPolicies(defaultPlan(new Date("2026-01-01")));

  it("one per severity, waiting the matrix's maximum time per level, the on-call told first", () => {
    expect(policies.map((p) => [p.defaultFor, p.steps.length, p.steps[0]!.waitMinutes, p.repeat])).toEqual([
      ["critical", 3, 30, 2],
      ["high", 2, 120, 1],
      ["medium", 1, 240, 0],
      ["low", 1, 480, 0],
    ]);
    for (const p of policies) expect(p.steps[0]!.targets[0]).toEqual({ kind: "oncall" });
  });

  it("critical: NOC and the affected customers first, then managers and L3, then admins and the emergency contacts", () => {
    const [critical] = policies;
    expect(critical!.steps.map((s) => s.targets)).toEqual([
      [{ kind: "oncall" }, { kind: "role", role: "noc" }, { kind: "customers" }],
      [
        { kind: "role", role: "manager" },
        { kind: "tier", tier: "L3" },
      ],
      [{ kind: "role", role: "manager" }, { kind: "role", role: "admin" }, { kind: "emergencyContacts" }],
    ]);
  });
});
