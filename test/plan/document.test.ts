import { describe, expect, it } from "vitest";
import { defaultPlan } from "../../src/modules/plan/document.js";
import { checkPlan } from "../../src/modules/plan/validation.js";

const plan = defaultPlan(new Date("2026-03-10T15:00:00Z"));
const h = (value: number) => ({ value, unit: "hours" });
const min = (value: number) => ({ value, unit: "minutes" });

describe("the default plan is the written plan", () => {
  it("is a valid document", () => {
    expect(checkPlan(plan)).toEqual({ ok: true, document: plan });
  });

  it("has a Monday-Friday 08:00-18:00 business calendar with Brazilian public holidays, and a 24x7 one", () => {
    const c = plan.calendars.comercial!;
    expect(c.timezone).toBe("America/Sao_Paulo");
    expect(c.alwaysOpen).toBe(false);
    for (const d of ["monday", "tuesday", "wednesday", "thursday", "friday"] as const) {
      expect(c.week[d]).toEqual([{ start: "08:00", end: "18:00" }]);
    }
    expect(c.week.saturday).toEqual([]);
    expect(c.week.sunday).toEqual([]);
    expect(c.holidays).toEqual({ country: "BR", types: ["public"], custom: [] });
    expect(plan.calendars["24x7"]).toMatchObject({ alwaysOpen: true, timezone: "America/Sao_Paulo" });
  });

  it("has the three support levels with their channels and response times", () => {
    expect(plan.tiers.L1.channels).toEqual(["email", "chat", "phone"]);
    expect(plan.tiers.L1.responseTime).toEqual({ target: h(2), maximum: h(4), calendar: "comercial" });
    expect(plan.tiers.L1.responsibilities).toEqual([
      "Atendimento inicial",
      "Resolução de problemas simples",
      "Coleta de informações",
    ]);
    expect(plan.tiers.L2.channels).toEqual(["email", "ticket", "scheduled_call"]);
    expect(plan.tiers.L2.responseTime).toEqual({ target: h(4), maximum: h(8), calendar: "comercial" });
    expect(plan.tiers.L3.channels).toEqual(["ticket", "scheduled_call"]);
    expect(plan.tiers.L3.responseTime).toEqual({
      target: { value: 1, unit: "businessDays" },
      maximum: { value: 2, unit: "businessDays" },
      calendar: "comercial",
    });
    expect(plan.tiers.L3.examples).toContain("Bugs críticos no sistema");
  });

  it("has the four severities with response and resolution times", () => {
    const s = plan.severities;
    expect([s.critical.response, s.critical.resolution, s.critical.calendar]).toEqual([min(30), h(4), "24x7"]);
    expect([s.high.response, s.high.resolution, s.high.calendar]).toEqual([h(2), h(8), "24x7"]);
    expect([s.medium.response, s.medium.resolution, s.medium.calendar]).toEqual([h(4), h(24), "comercial"]);
    expect([s.low.response, s.low.resolution, s.low.calendar]).toEqual([h(8), h(72), "comercial"]);
    expect(s.critical.description).toBe("Sistema indisponível ou função crítica afetada");
  });

  it("has the backup, update, maintenance and security routine", () => {
    expect(plan.backups.full).toEqual({ cron: "0 2 * * *", timezone: "America/Sao_Paulo" });
    expect(plan.backups.incremental).toEqual({ cron: "0 */4 * * *", timezone: "America/Sao_Paulo" });
    expect(plan.backups.retention).toEqual({
      daily: { value: 30, unit: "days" },
      weekly: { value: 3, unit: "months" },
      monthly: { value: 1, unit: "years" },
    });
    expect(plan.backups.restoreTest).toMatchObject({ cadence: "monthly", validateIntegrity: true });
    expect(plan.updates.security).toMatchObject({ cadence: "immediate", afterValidation: true });
    expect(plan.updates.fixes.cadence).toBe("biweekly");
    expect(plan.updates.improvements.cadence).toBe("monthly");
    expect(plan.maintenanceWindow).toMatchObject({
      start: "02:00",
      end: "05:00",
      timezone: "America/Sao_Paulo",
      noticeHours: 48,
    });
    expect(plan.security).toEqual({
      vulnerabilityScan: "monthly",
      penetrationTest: "quarterly",
      accessAudit: "weekly",
    });
  });

  it("has the KPI targets, disaster recovery objectives and a quarterly review dated at creation", () => {
    expect(plan.kpis.availability).toMatchObject({
      systemUptimePercent: 99.9,
      serviceAvailabilityPercent: 99.95,
      mtbfReview: "monthly",
    });
    expect(plan.kpis.support.firstContactResolutionPercent).toBe(70);
    expect(plan.kpis.performance).toEqual({
      apiResponseBelowMs: 200,
      pageLoadBelowMs: 2000,
      resourceUsageBelowPercent: 70,
    });
    expect(plan.disasterRecovery).toEqual({
      rpo: h(1),
      rto: h(4),
      contingencyEnvironmentReady: true,
      documentedChecklists: true,
    });
    expect(plan.review).toEqual({ cadence: "quarterly", lastReviewedAt: "2026-03-10", graceDays: 14 });
  });

  it("has an escalation entry for every severity", () => {
    expect(plan.escalation.critical.maxTimePerLevel).toEqual(min(30));
    expect(plan.escalation.critical.steps[0]).toEqual({
      clock: "response",
      trigger: "percentElapsed",
      value: 50,
      notify: ["assignee", "noc"],
    });
    expect(plan.escalation.low.maxTimePerLevel).toEqual(h(8));
  });
});
