import { describe, expect, it } from "vitest";
import { defaultPlan } from "../plan/document.js";
import { computeClocks, policyFromPlan } from "./clocks.js";
import { escalationSteps } from "./escalation.js";

const plan = defaultPlan(new Date("2026-11-01T00:00:00Z"));
const policy = policyFromPlan(plan);
const at = (iso: string) => new Date(iso).getTime();

describe("escalation matrix (plan defaults)", () => {
  it("critical: 50% and 100% of the 30-minute response, and 60 minutes before the 4-hour resolution breach", () => {
    const opened = at("2026-11-25T15:00:00Z");
    const clocks = computeClocks({
      events: [{ type: "opened", at: opened, severity: "critical", tier: "L1" }],
      policy,
      now: opened,
    });
    const steps = escalationSteps(plan, "critical", clocks, opened);
    expect(steps.map((s) => [s.step, s.clock.kind, new Date(s.at).toISOString(), s.notify.join("+")])).toEqual([
      [0, "first_response", "2026-11-25T15:15:00.000Z", "assignee+noc"],
      [1, "first_response", "2026-11-25T15:30:00.000Z", "manager+L3"],
      [2, "resolution", "2026-11-25T18:00:00.000Z", "manager+admin+emergencyContacts"],
    ]);
  });

  it("counts business time for medium and low: 80% of 24 business hours opened Friday 17:00", () => {
    const opened = at("2026-11-27T20:00:00Z"); // Friday 17:00 in São Paulo
    const clocks = computeClocks({
      events: [{ type: "opened", at: opened, severity: "medium", tier: "L1" }],
      policy,
      now: opened,
    });
    const [step] = escalationSteps(plan, "medium", clocks, opened);
    // 19.2 business hours: Friday 1 h, Monday 10 h, Tuesday 8.2 h → Tuesday 16:12 local.
    expect(new Date(step!.at).toISOString()).toBe("2026-12-01T19:12:00.000Z");
  });

  it("drops the response steps once the first response is given, and reports reached steps as due now", () => {
    const opened = at("2026-11-25T15:00:00Z");
    const now = at("2026-11-25T15:20:00Z");
    const clocks = computeClocks({
      events: [
        { type: "opened", at: opened, severity: "critical", tier: "L1" },
        { type: "agent_reply", at: at("2026-11-25T15:20:00Z") },
      ],
      policy,
      now,
    });
    expect(escalationSteps(plan, "critical", clocks, now).map((s) => s.step)).toEqual([2]);
    const late = computeClocks({
      events: [{ type: "opened", at: opened, severity: "critical", tier: "L1" }],
      policy,
      now,
    });
    const reached = escalationSteps(plan, "critical", late, now).filter((s) => s.at <= now);
    expect(reached.map((s) => s.step)).toEqual([0]);
  });
});
