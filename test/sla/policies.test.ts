import { describe, expect, it } from "vitest";
import type { PlanDocument, SlaPolicyDefinition } from "../../src/modules/plan/document.js";
import { checkPlan } from "../../src/modules/plan/validation.js";
import { computeClocks, policyFromPlan, type TicketEvent } from "../../src/modules/sla/clocks.js";
import { describePolicy, planUnderPolicy, selectPolicy } from "../../src/modules/sla/policies.js";
import { simulate } from "../../src/modules/sla/simulate.js";
import { local, plan, show } from "./fixtures.js";

const ORG_A = "0190a1b2-0000-7000-8000-00000000000a";
const ORG_B = "0190a1b2-0000-7000-8000-00000000000b";
const hours = (value: number) => ({ value, unit: "hours" as const });
const minutes = (value: number) => ({ value, unit: "minutes" as const });

const gold: SlaPolicyDefinition = {
  id: "gold",
  name: "Contrato ouro",
  conditions: { organizationIds: [ORG_A] },
  severities: { low: { response: hours(2), resolution: hours(24), calendar: "24x7" } },
  tiers: { L1: { target: minutes(30), maximum: hours(1) } },
};
const phone: SlaPolicyDefinition = {
  id: "phone",
  name: "Telefone",
  conditions: { channels: ["phone"] },
  tiers: { L1: { target: minutes(15), maximum: minutes(30), calendar: "24x7" } },
};
const goldCritical: SlaPolicyDefinition = {
  id: "gold-critical",
  name: "Ouro crítico",
  conditions: { organizationIds: [ORG_A], severities: ["critical"] },
  severities: { critical: { response: minutes(10) } },
};

const withPolicies = (...slaPolicies: SlaPolicyDefinition[]): PlanDocument => ({ ...plan, slaPolicies });

describe("policy selection: an ordered list, first match wins", () => {
  const doc = withPolicies(goldCritical, gold, phone);

  it("picks the first policy whose conditions all hold, else the plan's own targets", () => {
    const base = { severity: "low", tier: "L1" } as const;
    expect(selectPolicy(doc, { ...base, organizationId: ORG_A })?.id).toBe("gold");
    expect(selectPolicy(doc, { ...base, severity: "critical", organizationId: ORG_A })?.id).toBe("gold-critical");
    expect(selectPolicy(doc, { ...base, organizationId: ORG_B, channel: "phone" })?.id).toBe("phone");
    // Both gold and phone match: gold comes first.
    expect(selectPolicy(doc, { ...base, organizationId: ORG_A, channel: "phone" })?.id).toBe("gold");
    expect(selectPolicy(doc, { ...base, organizationId: ORG_B, channel: "email" })).toBeNull();
    expect(describePolicy(null)).toEqual({ id: "default", name: "Padrão do plano" });
  });

  it("depends on the order: the same policies the other way round choose differently", () => {
    const s = { severity: "low", tier: "L1", organizationId: ORG_A, channel: "phone" } as const;
    expect(selectPolicy(withPolicies(gold, phone), s)?.id).toBe("gold");
    expect(selectPolicy(withPolicies(phone, gold), s)?.id).toBe("phone");
  });

  it("needs every condition given; a value the subject lacks meets no condition on it; no conditions match all", () => {
    const typed: SlaPolicyDefinition = {
      id: "security",
      name: "Segurança",
      conditions: { types: ["security"], tiers: ["L3"] },
    };
    expect(selectPolicy(withPolicies(typed), { severity: "high", tier: "L3", type: "security" })?.id).toBe("security");
    expect(selectPolicy(withPolicies(typed), { severity: "high", tier: "L2", type: "security" })).toBeNull();
    expect(selectPolicy(withPolicies(typed), { severity: "high", tier: "L3" })).toBeNull();
    const all: SlaPolicyDefinition = { id: "all", name: "Todos", conditions: {} };
    expect(selectPolicy(withPolicies(all), { severity: "low", tier: "L1" })?.id).toBe("all");
  });

  it("replaces only the targets the policy gives", () => {
    const under = planUnderPolicy(plan, gold);
    expect(under.severities.low).toMatchObject({ response: hours(2), resolution: hours(24), calendar: "24x7" });
    expect(under.severities.medium).toEqual(plan.severities.medium);
    expect(under.tiers.L1.responseTime).toEqual({ target: minutes(30), maximum: hours(1), calendar: "comercial" });
    expect(under.tiers.L2).toEqual(plan.tiers.L2);
    expect(planUnderPolicy(plan, null)).toBe(plan);
  });
});

describe("simulation under policies", () => {
  const doc = withPolicies(gold, phone);
  // Friday 2026-11-27 17:00 in São Paulo: the worked example's instant.
  const input = { severity: "low", tier: "L1", openedAt: "2026-11-27T17:00:00-03:00" } as const;
  const tier = (r: ReturnType<typeof simulate>) => r.clocks.find((c) => c.kind === "tier_response")!;

  it("keeps the worked example under the default policy", () => {
    const r = simulate(doc, { ...input, organizationId: ORG_B, channel: "email" });
    expect(r.policy).toEqual({ id: "default", name: "Padrão do plano" });
    expect([tier(r).targetAt, tier(r).breachAt]).toEqual(["2026-11-30T12:00:00.000Z", "2026-11-30T14:00:00.000Z"]);
  });

  it("follows the organization's policy (uppercase ids too) and the channel's", () => {
    const org = simulate(doc, { ...input, organizationId: ORG_A.toUpperCase() });
    expect(org.policy.id).toBe("gold");
    // 30 and 60 business minutes from Friday 17:00.
    expect([tier(org).targetAt, tier(org).breachAt]).toEqual(["2026-11-27T20:30:00.000Z", "2026-11-27T21:00:00.000Z"]);
    const first = org.clocks.find((c) => c.kind === "first_response")!;
    expect([first.calendar, first.breachAt]).toEqual(["24x7", "2026-11-27T22:00:00.000Z"]);
    const byPhone = simulate(doc, { ...input, channel: "phone" });
    expect(byPhone.policy.id).toBe("phone");
    expect([tier(byPhone).calendar, tier(byPhone).breachAt]).toEqual(["24x7", "2026-11-27T20:30:00.000Z"]);
  });
});

describe("a policy change during the ticket's life (policy_changed)", () => {
  const gentle = policyFromPlan(plan);
  const strict = policyFromPlan(planUnderPolicy(plan, gold));
  const changed = (when: string): TicketEvent => ({
    type: "policy_changed",
    at: local(when),
    severities: strict.severities,
    tiers: strict.tiers,
  });

  it("gives running clocks the new budgets from their start, on the new calendar from the change", () => {
    const events: TicketEvent[] = [
      { type: "opened", at: local("2026-11-30 09:00"), severity: "low", tier: "L1" },
      changed("2026-11-30 09:20"),
    ];
    const clocks = computeClocks({ events, policy: gentle, now: local("2026-11-30 09:20") });
    const tier = clocks.find((c) => c.kind === "tier_response")!;
    expect([show(tier.targetAt), show(tier.breachAt)]).toEqual(["2026-11-30 09:30 -03:00", "2026-11-30 10:00 -03:00"]);
    const first = clocks.find((c) => c.kind === "first_response")!;
    // 20 minutes used on business hours, the rest of 2 h on 24x7 from 09:20.
    expect([first.calendar, show(first.breachAt)]).toEqual(["24x7", "2026-11-30 11:00 -03:00"]);
  });

  it("never makes a clock due before the change, and leaves a late clock's breach where it was", () => {
    const events: TicketEvent[] = [
      { type: "opened", at: local("2026-11-30 09:00"), severity: "low", tier: "L1" },
      changed("2026-11-30 10:30"),
    ];
    const tier = computeClocks({ events, policy: gentle, now: local("2026-11-30 10:30") }).find(
      (c) => c.kind === "tier_response",
    )!;
    expect(show(tier.breachAt)).toBe("2026-11-30 10:30 -03:00");
    // The same policy again changes no budget: the breach keeps its instant.
    const late = computeClocks({
      events: [
        { type: "opened", at: local("2026-11-30 09:00"), severity: "low", tier: "L1" },
        { type: "policy_changed", at: local("2026-11-30 14:00"), severities: gentle.severities, tiers: gentle.tiers },
      ],
      policy: gentle,
      now: local("2026-11-30 14:00"),
    }).find((c) => c.kind === "tier_response")!;
    expect(show(late.breachedAt!)).toBe("2026-11-30 13:00 -03:00");
  });
});

describe("policy validation", () => {
  const errors = (...policies: unknown[]) => {
    const r = checkPlan({ ...plan, slaPolicies: policies });
    return r.ok ? [] : r.errors.map((e) => e.pointer);
  };

  it("accepts policies with known values, and a plan without the list (stored before policies existed)", () => {
    expect(errors(gold, phone, goldCritical)).toEqual([]);
    const { slaPolicies: _, ...older } = plan;
    expect(checkPlan(older).ok).toBe(true);
  });

  it("refuses unknown condition values, each with its pointer", () => {
    expect(errors({ ...phone, conditions: { channels: ["fax"] } })).toEqual(["/slaPolicies/0/conditions/channels/0"]);
    expect(errors({ ...gold, conditions: { types: ["usage_question", "coffee"] } })).toEqual([
      "/slaPolicies/0/conditions/types/1",
    ]);
    expect(errors({ ...gold, conditions: { severities: ["urgent"] } })).toEqual([
      "/slaPolicies/0/conditions/severities/0",
    ]);
    expect(errors({ ...gold, conditions: { tiers: ["L4"] } })).toEqual(["/slaPolicies/0/conditions/tiers/0"]);
    expect(errors({ ...gold, conditions: { organizationIds: ["acme"] } })).toEqual([
      "/slaPolicies/0/conditions/organizationIds/0",
    ]);
    expect(errors({ ...gold, conditions: { planet: ["mars"] } })).toEqual(["/slaPolicies/0/conditions/planet"]);
    expect(errors({ ...gold, conditions: { channels: [] } })).toEqual(["/slaPolicies/0/conditions/channels"]);
  });

  it("refuses duplicate ids and the reserved id of the plan's own targets", () => {
    expect(errors(gold, phone, { ...goldCritical, id: "gold" })).toEqual(["/slaPolicies/2/id"]);
    expect(errors({ ...gold, id: "default" })).toEqual(["/slaPolicies/0/id"]);
  });

  it("refuses a policy on an unknown calendar, and targets out of order once merged", () => {
    expect(errors({ ...phone, tiers: { L1: { calendar: "noturno" } } })).toEqual(["/slaPolicies/0/tiers/L1/calendar"]);
    expect(errors({ ...gold, severities: { high: { calendar: "nope" } } })).toEqual([
      "/slaPolicies/0/severities/high/calendar",
    ]);
    // L1's maximum is 4 h in the plan: a 5 h target alone exceeds it.
    expect(errors({ ...phone, tiers: { L1: { target: hours(5) } } })).toEqual(["/slaPolicies/0/tiers/L1/target"]);
    expect(errors({ ...gold, severities: { low: { resolution: hours(1) } } })).toEqual([
      "/slaPolicies/0/severities/low/resolution",
    ]);
  });
});
