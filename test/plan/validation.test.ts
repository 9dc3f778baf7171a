import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultPlan, type PlanDocument } from "../../src/modules/plan/document.js";
import { checkPlan } from "../../src/modules/plan/validation.js";

const base = () => defaultPlan(new Date("2026-03-10T15:00:00Z"));

/** The errors of the default plan after `change`, as pointer → message. */
function errorsAfter(change: (p: PlanDocument) => void) {
  const plan = base();
  change(plan);
  const result = checkPlan(plan);
  return result.ok ? [] : result.errors;
}

const pointers = (change: (p: PlanDocument) => void) => errorsAfter(change).map((e) => e.pointer);

describe("plan validation", () => {
  it("names each field of a malformed document", () => {
    const errors = errorsAfter((p) => {
      (p.disasterRecovery.rpo as { value: number }).value = 0;
      (p.kpis.availability as { systemUptimePercent: number }).systemUptimePercent = 101;
      (p as unknown as Record<string, unknown>).surprise = true;
      delete (p.tiers.L1 as Partial<PlanDocument["tiers"]["L1"]>).channels;
      (p.tiers.L2.channels as string[]).push("fax");
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        { pointer: "/disasterRecovery/rpo/value", message: "must be > 0" },
        { pointer: "/kpis/availability/systemUptimePercent", message: "must be <= 100" },
        { pointer: "/surprise", message: '"surprise" is not allowed here' },
        { pointer: "/tiers/L1/channels", message: '"channels" is required' },
        expect.objectContaining({ pointer: "/tiers/L2/channels/3" }),
      ]),
    );
    expect(errors).toHaveLength(5);
  });

  it("rejects a non-object", () => {
    expect(checkPlan("plan")).toEqual({ ok: false, errors: [{ pointer: "", message: "must be object" }] });
  });

  it("rejects unknown calendar references", () => {
    expect(errorsAfter((p) => (p.tiers.L2.responseTime.calendar = "noturno"))).toEqual([
      {
        pointer: "/tiers/L2/responseTime/calendar",
        message: 'unknown calendar "noturno" (known: comercial, 24x7)',
        key: "unknownCalendar",
        params: { calendar: { type: "text", value: "noturno" }, known: { type: "text", value: "comercial, 24x7" } },
      },
    ]);
    expect(pointers((p) => (p.severities.low.calendar = "x"))).toEqual(["/severities/low/calendar"]);
    // Only the plan's own calendars count, not properties every object inherits.
    expect(pointers((p) => (p.severities.low.calendar = "constructor"))).toEqual(["/severities/low/calendar"]);
  });

  it("rejects a target above the maximum, comparing units on the calendar", () => {
    expect(pointers((p) => (p.tiers.L1.responseTime.target = { value: 5, unit: "hours" }))).toEqual([
      "/tiers/L1/responseTime/target",
    ]);
    // 1 business day of 10 open hours is more than 8 hours.
    expect(pointers((p) => (p.tiers.L2.responseTime.target = { value: 1, unit: "businessDays" }))).toEqual([
      "/tiers/L2/responseTime/target",
    ]);
    expect(pointers((p) => (p.tiers.L2.responseTime.target = { value: 480, unit: "minutes" }))).toEqual([]);
  });

  it("rejects a response slower than the resolution", () => {
    expect(pointers((p) => (p.severities.high.response = { value: 9, unit: "hours" }))).toEqual([
      "/severities/high/response",
    ]);
  });

  it("rejects windows and intervals that end before they start, and overlapping intervals", () => {
    expect(errorsAfter((p) => Object.assign(p.maintenanceWindow, { start: "05:00", end: "02:00" }))).toEqual([
      {
        pointer: "/maintenanceWindow/end",
        message: "ends at 02:00, not after its start 05:00",
        key: "endNotAfterStart",
        params: { start: { type: "text", value: "05:00" }, end: { type: "text", value: "02:00" } },
      },
    ]);
    expect(pointers((p) => (p.calendars.comercial!.week.monday = [{ start: "12:00", end: "08:00" }]))).toEqual([
      "/calendars/comercial/week/monday/0/end",
    ]);
    expect(
      pointers(
        (p) =>
          (p.calendars.comercial!.week.monday = [
            { start: "08:00", end: "12:00" },
            { start: "11:00", end: "18:00" },
          ]),
      ),
    ).toEqual(["/calendars/comercial/week/monday/1/start"]);
    // Several intervals a day (a lunch break) are fine.
    expect(
      pointers(
        (p) =>
          (p.calendars.comercial!.week.monday = [
            { start: "08:00", end: "12:00" },
            { start: "13:00", end: "18:00" },
          ]),
      ),
    ).toEqual([]);
  });

  it("rejects calendars that are never open, or always open with hours", () => {
    expect(pointers((p) => (p.calendars.comercial!.week.monday = []))).toEqual([]);
    expect(pointers((p) => (p.calendars.comercial!.alwaysOpen = true))).toEqual(["/calendars/comercial/week"]);
    expect(pointers((p) => (p.calendars["24x7"]!.alwaysOpen = false))).toEqual(["/calendars/24x7/week"]);
  });

  it("rejects unknown time zones, cron expressions, holiday regions and dates", () => {
    expect(
      pointers((p) => {
        p.calendars.comercial!.timezone = "America/Atlantis";
        p.backups.full.cron = "0 25 * * *";
        p.backups.incremental.timezone = "Mars/Base";
        p.calendars.comercial!.holidays!.state = "XX";
        p.calendars.comercial!.holidays!.custom = [{ date: "2026-02-30", name: "Nope" }];
        p.review.lastReviewedAt = "2026-13-01";
      }),
    ).toEqual([
      "/calendars/comercial/timezone",
      "/calendars/comercial/holidays/state",
      "/calendars/comercial/holidays/custom/0/date",
      "/backups/full/cron",
      "/backups/incremental/timezone",
      "/review/lastReviewedAt",
    ]);
    expect(pointers((p) => Object.assign(p.calendars.comercial!.holidays!, { state: "SP", city: "SP" }))).toEqual([]);
    expect(pointers((p) => (p.calendars.comercial!.holidays!.country = "ZZ"))).toEqual([
      "/calendars/comercial/holidays/country",
    ]);
  });

  it("rejects escalation steps beyond their deadline", () => {
    expect(
      pointers((p) => {
        p.escalation.critical.steps[0]!.value = 150;
        // 60 minutes before a 30-minute response deadline is before the clock starts.
        p.escalation.critical.steps[1] = {
          clock: "response",
          trigger: "minutesBeforeBreach",
          value: 60,
          notify: ["manager"],
        };
      }),
    ).toEqual(["/escalation/critical/steps/0/value", "/escalation/critical/steps/1/value"]);
  });

  it("gives every rule's message a key the web app translates in both languages, naming only params it sends", () => {
    const plan = base();
    plan.tiers.L2.responseTime.calendar = "noturno";
    plan.tiers.L1.responseTime.target = { value: 5, unit: "hours" };
    plan.severities.high.response = { value: 9, unit: "hours" };
    plan.escalation.critical.steps[0]!.value = 150;
    plan.escalation.critical.steps[1] = {
      clock: "response",
      trigger: "minutesBeforeBreach",
      value: 60,
      notify: ["manager"],
    };
    plan.backups.full.cron = "0 25 * * *";
    plan.backups.incremental.timezone = "Mars/Base";
    Object.assign(plan.maintenanceWindow, { start: "05:00", end: "02:00" });
    plan.review.lastReviewedAt = "2026-13-01";
    plan.slaPolicies = [
      { id: "default", name: "x", conditions: {} },
      { id: "vip", name: "x", conditions: {} },
      { id: "vip", name: "y", conditions: {} },
    ];
    const result = checkPlan(plan);
    const errors = result.ok ? [] : result.errors;
    expect(new Set(errors.map((e) => e.key))).toEqual(
      new Set([
        "unknownCalendar",
        "targetAboveMaximum",
        "responseAboveResolution",
        "percentAboveDeadline",
        "beforeClockStarts",
        "notCron",
        "unknownTimeZone",
        "endNotAfterStart",
        "notADate",
        "reservedPolicyId",
        "duplicatePolicyId",
      ]),
    );
    expect(errors.find((e) => e.key === "targetAboveMaximum")?.params).toEqual({
      target: { type: "duration", value: 5, unit: "hours" },
      maximum: { type: "duration", value: 4, unit: "hours" },
    });
    for (const language of ["en", "pt-BR"]) {
      const texts = JSON.parse(readFileSync(`web/src/i18n/${language}.json`, "utf8")).plan.errors as Record<
        string,
        string
      >;
      for (const e of errors) {
        const text = texts[e.key!];
        expect(text, `${language} ${e.key}`).toBeTruthy();
        for (const [, name] of (text ?? "").matchAll(/\{\{(\w+)\}\}/g))
          expect(Object.keys(e.params ?? {}), `${language} ${e.key}`).toContain(name);
      }
    }
  });

  it("gives every calendar error a key the web app translates in both languages, naming only params it sends", () => {
    const plan = base();
    const week = (monday: { start: string; end: string }[]) => ({
      monday,
      tuesday: [],
      wednesday: [],
      thursday: [],
      friday: [],
      saturday: [],
      sunday: [],
    });
    const calendar = (patch: object) => ({ ...structuredClone(plan.calendars.comercial!), ...patch });
    plan.calendars.zone = calendar({ timezone: "Mars/Base" });
    plan.calendars.open = calendar({ alwaysOpen: true });
    plan.calendars.never = calendar({ week: week([]) });
    plan.calendars.hours = calendar({
      week: week([
        { start: "10:00", end: "09:00" },
        { start: "08:00", end: "12:00" },
        { start: "11:00", end: "13:00" },
      ]),
    });
    plan.calendars.country = calendar({ holidays: { country: "ZZ", types: ["public"], custom: [] } });
    plan.calendars.state = calendar({ holidays: { country: "BR", state: "XX", types: ["public"], custom: [] } });
    plan.calendars.city = calendar({ holidays: { country: "BR", city: "SP", types: ["public"], custom: [] } });
    plan.calendars.town = calendar({
      holidays: { country: "BR", state: "SP", city: "ZZ", types: ["public"], custom: [] },
    });
    plan.calendars.dates = calendar({
      holidays: { country: "BR", types: ["public"], custom: [{ date: "2026-02-30", name: "x" }] },
    });
    const result = checkPlan(plan);
    const errors = result.ok ? [] : result.errors;
    expect(new Set(errors.map((e) => e.key))).toEqual(
      new Set([
        "unknownTimeZone",
        "alwaysOpenWithHours",
        "neverOpen",
        "endNotAfterStart",
        "intervalsOverlap",
        "noHolidayCountry",
        "noHolidayState",
        "cityWithoutState",
        "noHolidayCity",
        "notADate",
      ]),
    );
    for (const language of ["en", "pt-BR"]) {
      const texts = JSON.parse(readFileSync(`web/src/i18n/${language}.json`, "utf8")).plan.errors as Record<
        string,
        string
      >;
      for (const e of errors) {
        const text = texts[e.key!];
        expect(text, `${language} ${e.key}`).toBeTruthy();
        for (const [, name] of (text ?? "").matchAll(/\{\{(\w+)\}\}/g))
          expect(Object.keys(e.params ?? {}), `${language} ${e.key}`).toContain(name);
      }
    }
  });
});
