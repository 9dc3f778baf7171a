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

describe("open-hours-only steps", () => {
  it("wait for the severity's calendar to open", () => {
    const doc = structuredClone(plan);
    doc.escalation.low.steps = [
      { clock: "resolution", trigger: "percentElapsed", value: 1, notify: ["assignee"], openHoursOnly: true },
    ];
    // Opened Friday 17:59 local; 1 % of 72 business hours is 43.2 minutes, reached Monday 08:42; the calendar is open then.
    const opened = at("2026-11-27T20:59:00Z");
    const clocks = computeClocks({
      events: [{ type: "opened", at: opened, severity: "low", tier: "L1" }],
      policy: policyFromPlan(doc),
      now: opened,
    });
    expect(new Date(escalationSteps(doc, "low", clocks, opened)[0]!.at).toISOString()).toBe("2026-11-30T11:42:12.000Z");
    // Reached on a Saturday (24x7 severity calendar replaced by business hours): fires at Monday's opening.
    doc.severities.critical.calendar = "comercial";
    doc.escalation.critical.steps = [
      { clock: "response", trigger: "percentElapsed", value: 0, notify: ["noc"], openHoursOnly: true },
    ];
    const saturday = at("2026-11-28T15:00:00Z");
    const c2 = computeClocks({
      events: [{ type: "opened", at: saturday, severity: "critical", tier: "L1" }],
      policy: policyFromPlan(doc),
      now: saturday,
    });
    expect(new Date(escalationSteps(doc, "critical", c2, saturday)[0]!.at).toISOString()).toBe(
      "2026-11-30T11:00:00.000Z",
    );
  });
});
