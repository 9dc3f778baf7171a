import { describe, expect, it } from "vitest";
import { type CalendarError, calendarErrors } from "../../src/modules/plan/calendar-validation.js";
import { type Calendar, defaultPlan } from "../../src/modules/plan/document.js";
import { checkPlan, type PlanError } from "../../src/modules/plan/validation.js";
import { compileCalendar } from "../../src/modules/sla/calendar.js";
import { week } from "../sla/fixtures.js";

const workday = [{ start: "08:00", end: "18:00" }];

/** What the plan's validation says of a plan holding `cal` as calendar "x" (its errors under /calendars/x). */
function planVerdict(cal: Calendar): PlanError[] {
  const plan = defaultPlan(new Date("2026-03-10T15:00:00Z"));
  plan.calendars.x = cal;
  const result = checkPlan(plan);
  return result.ok ? [] : result.errors.filter((e) => e.pointer.startsWith("/calendars/x/"));
}

/** Whether the SLA engine accepts `cal`: it compiles only what the validator accepts. */
function engineAccepts(cal: Calendar): boolean {
  try {
    compileCalendar(cal);
    return true;
  } catch (err) {
    expect(err).toBeInstanceOf(RangeError);
    return false;
  }
}

/** The plan, the engine and the validator itself agree on `cal`; returns the validator's errors. */
function verdict(cal: Calendar): CalendarError[] {
  const errors = calendarErrors(cal, "/calendars/x");
  expect(planVerdict(cal)).toEqual(errors);
  expect(engineAccepts(cal)).toBe(errors.length === 0);
  return errors;
}

describe("one calendar validator for the plan and the SLA engine", () => {
  it("accepts intervals written out of order when they do not overlap (the plan refused them)", () => {
    const cal = week("America/Sao_Paulo", {
      monday: [
        { start: "13:00", end: "18:00" },
        { start: "08:00", end: "12:00" },
      ],
    });
    expect(verdict(cal)).toEqual([]);
    // Touching intervals, in either order, are one open stretch.
    expect(
      verdict(
        week("UTC", {
          friday: [
            { start: "12:00", end: "24:00" },
            { start: "00:00", end: "12:00" },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it("finds an overlap with any earlier interval, not only the previous one (the plan missed 11:00–14:00 here)", () => {
    const cal = week("America/Sao_Paulo", {
      wednesday: [
        { start: "10:00", end: "12:00" },
        { start: "08:00", end: "09:00" },
        { start: "11:00", end: "14:00" },
      ],
    });
    expect(verdict(cal)).toEqual([
      {
        pointer: "/calendars/x/week/wednesday/2/start",
        message: "11:00–14:00 overlaps 10:00–12:00 (interval 0)",
        key: "intervalsOverlap",
        params: { interval: { type: "text", value: "11:00–14:00" }, other: { type: "text", value: "10:00–12:00" } },
      },
    ]);
  });

  it("refuses a holiday region without data (the engine used to close no day at all)", () => {
    const holidays = (h: Partial<NonNullable<Calendar["holidays"]>>) =>
      week(
        "America/Sao_Paulo",
        { monday: workday },
        { holidays: { country: "BR", types: ["public"], custom: [], ...h } },
      );
    expect(verdict(holidays({ country: "ZZ" }))).toEqual([
      {
        pointer: "/calendars/x/holidays/country",
        message: 'no holiday data for country "ZZ"',
        key: "noHolidayCountry",
        params: { country: { type: "text", value: "ZZ" } },
      },
    ]);
    // An unknown state used to fall back silently to the country's holidays.
    expect(verdict(holidays({ state: "XX" }))).toEqual([
      {
        pointer: "/calendars/x/holidays/state",
        message: 'no holiday data for state "XX" of BR',
        key: "noHolidayState",
        params: { state: { type: "text", value: "XX" }, country: { type: "text", value: "BR" } },
      },
    ]);
    expect(verdict(holidays({ city: "SP" }))).toEqual([
      {
        pointer: "/calendars/x/holidays/city",
        message: 'no holiday data for city "SP" (set state first)',
        key: "cityWithoutState",
        params: { city: { type: "text", value: "SP" }, state: { type: "text", value: "" } },
      },
    ]);
    expect(verdict(holidays({ state: "SP", city: "SP" }))).toEqual([]);
    // The capitals date-holidays lacks are the app's own data, each in its own state only.
    expect(verdict(holidays({ state: "CE", city: "FORTALEZA" }))).toEqual([]);
    expect(verdict(holidays({ state: "SP", city: "FORTALEZA" })).map((e) => e.key)).toEqual(["noHolidayCity"]);
  });

  it("agrees on the rules both had: zones, empty and always-open weeks, inverted intervals, dates", () => {
    expect(verdict(week("Mars/Olympus", { monday: workday })).map((e) => e.pointer)).toEqual(["/calendars/x/timezone"]);
    expect(verdict(week("UTC", {})).map((e) => e.message)).toEqual(["the calendar is never open"]);
    expect(verdict({ ...week("UTC", { monday: workday }), alwaysOpen: true }).map((e) => e.pointer)).toEqual([
      "/calendars/x/week",
    ]);
    expect(verdict(week("UTC", { monday: [{ start: "18:00", end: "08:00" }] }))).toEqual([
      {
        pointer: "/calendars/x/week/monday/0/end",
        message: "ends at 08:00, not after its start 18:00",
        key: "endNotAfterStart",
        params: { start: { type: "text", value: "18:00" }, end: { type: "text", value: "08:00" } },
      },
    ]);
    expect(
      verdict(
        week(
          "UTC",
          { monday: workday },
          { holidays: { country: "BR", types: ["public"], custom: [{ date: "2026-02-30", name: "x" }] } },
        ),
      ),
    ).toEqual([
      {
        pointer: "/calendars/x/holidays/custom/0/date",
        message: "2026-02-30 is not a date",
        key: "notADate",
        params: { value: { type: "text", value: "2026-02-30" } },
      },
    ]);
  });

  it("rejects times that are not HH:MM, which the plan's schema also refuses before any rule runs", () => {
    const cal = week("UTC", { friday: [{ start: "8:00", end: "25:00" }] });
    expect(calendarErrors(cal).map((e) => e.pointer)).toEqual(["/week/friday/0/start", "/week/friday/0/end"]);
    expect(engineAccepts(cal)).toBe(false);
    const plan = defaultPlan(new Date("2026-03-10T15:00:00Z"));
    plan.calendars.x = cal;
    const result = checkPlan(plan);
    expect(result.ok ? [] : result.errors.map((e) => e.pointer)).toEqual([
      "/calendars/x/week/friday/0/start",
      "/calendars/x/week/friday/0/end",
    ]);
  });
});
