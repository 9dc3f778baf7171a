import { describe, expect, it } from "vitest";
import { type CalendarError, calendarErrors } from "../../src/modules/plan/calendar-validation.js";
import {
  addBusinessMinutes,
  businessMinutesBetween,
  isOpen,
  nextOpening,
} from "../../src/modules/sla/business-time.js";
import { compileCalendar } from "../../src/modules/sla/calendar.js";
import { everyDay, local, plan, show, week } from "./fixtures.js";

const workday = [{ start: "08:00", end: "18:00" }];

/** What an error says in English, leaving out the key and params the web app words it from. */
const said = (errors: CalendarError[]) => errors.map(({ pointer, message }) => ({ pointer, message }));

describe("calendar validation", () => {
  it("accepts the plan's calendars and touching intervals", () => {
    expect(calendarErrors(plan.calendars.comercial!)).toEqual([]);
    expect(calendarErrors(plan.calendars["24x7"]!)).toEqual([]);
    const split = week("America/Sao_Paulo", {
      monday: [
        { start: "08:00", end: "12:00" },
        { start: "12:00", end: "18:00" },
      ],
    });
    expect(calendarErrors(split)).toEqual([]);
  });

  it("rejects inverted and empty intervals, pointing at the end", () => {
    const cal = week("America/Sao_Paulo", {
      monday: [{ start: "18:00", end: "08:00" }],
      tuesday: [{ start: "09:00", end: "09:00" }],
    });
    expect(said(calendarErrors(cal, "/calendars/x"))).toEqual([
      { pointer: "/calendars/x/week/monday/0/end", message: "ends at 08:00, not after its start 18:00" },
      { pointer: "/calendars/x/week/tuesday/0/end", message: "ends at 09:00, not after its start 09:00" },
    ]);
  });

  it("rejects overlapping intervals in any order, pointing at the later one", () => {
    const cal = week("America/Sao_Paulo", {
      wednesday: [
        { start: "13:00", end: "18:00" },
        { start: "08:00", end: "12:00" },
        { start: "11:00", end: "14:00" },
      ],
    });
    expect(said(calendarErrors(cal))).toEqual([
      { pointer: "/week/wednesday/2/start", message: "11:00–14:00 overlaps 13:00–18:00 (interval 0)" },
    ]);
  });

  it("rejects unknown zones, never-open and always-open-with-hours calendars, bad times and dates", () => {
    expect(calendarErrors({ ...week("Mars/Olympus", { monday: workday }) }).map((e) => e.pointer)).toEqual([
      "/timezone",
    ]);
    expect(calendarErrors(week("UTC", {})).map((e) => e.message)).toEqual(["the calendar is never open"]);
    expect(calendarErrors({ ...week("UTC", { monday: workday }), alwaysOpen: true }).map((e) => e.pointer)).toEqual([
      "/week",
    ]);
    expect(
      calendarErrors(week("UTC", { friday: [{ start: "8:00", end: "25:00" }] })).map((e) => [e.pointer, e.key]),
    ).toEqual([
      ["/week/friday/0/start", "notTimeOfDay"],
      ["/week/friday/0/end", "notTimeOfDay"],
    ]);
    const badDate = week(
      "UTC",
      { monday: workday },
      { holidays: { country: "BR", types: ["public"], custom: [{ date: "2026-02-30", name: "x" }] } },
    );
    expect(said(calendarErrors(badDate))).toEqual([
      { pointer: "/holidays/custom/0/date", message: "2026-02-30 is not a date" },
    ]);
  });

  it("refuses to compile an invalid calendar", () => {
    expect(() => compileCalendar(week("UTC", { monday: [{ start: "10:00", end: "09:00" }] }))).toThrow(RangeError);
  });
});

describe("holidays", () => {
  const weekdays = { monday: workday, tuesday: workday, wednesday: workday, thursday: workday, friday: workday };

  it("closes Brazilian public holidays, custom dates, and keeps other kinds open unless configured", () => {
    const cal = compileCalendar(
      week("America/Sao_Paulo", weekdays, {
        holidays: { country: "BR", types: ["public"], custom: [{ date: "2026-12-24", name: "Recesso" }] },
      }),
    );
    expect(isOpen(cal, local("2026-11-20 10:00"))).toBe(false); // Consciência Negra
    expect(isOpen(cal, local("2026-12-25 10:00"))).toBe(false);
    expect(isOpen(cal, local("2026-12-24 10:00"))).toBe(false); // custom
    expect(isOpen(cal, local("2026-02-16 10:00"))).toBe(true); // Carnival Monday is a bank holiday, not public
    const withBank = compileCalendar(
      week("America/Sao_Paulo", weekdays, { holidays: { country: "BR", types: ["public", "bank"], custom: [] } }),
    );
    expect(isOpen(withBank, local("2026-02-16 10:00"))).toBe(false);
  });

  it("closes only the part of the day a partial holiday covers", () => {
    // Christmas Eve is an optional holiday from 14:00 in date-holidays' Brazilian data.
    const cal = compileCalendar(
      week("America/Sao_Paulo", weekdays, { holidays: { country: "BR", types: ["optional"], custom: [] } }),
    );
    expect(isOpen(cal, local("2026-12-24 13:59"))).toBe(true);
    expect(isOpen(cal, local("2026-12-24 14:00"))).toBe(false);
    expect(businessMinutesBetween(cal, local("2026-12-24 00:00"), local("2026-12-25 00:00"))).toBe(6 * 60);
  });

  it("adds state and city holidays: São Paulo's 9 July and the city's anniversary", () => {
    const state = compileCalendar(
      week(
        "America/Sao_Paulo",
        { ...weekdays, sunday: workday },
        { holidays: { country: "BR", state: "SP", city: "SP", types: ["public"], custom: [] } },
      ),
    );
    expect(isOpen(state, local("2026-07-09 10:00"))).toBe(false);
    expect(isOpen(state, local("2026-01-25 10:00"))).toBe(false);
    expect(isOpen(compileCalendar(week("America/Sao_Paulo", weekdays)), local("2026-07-09 10:00"))).toBe(true);
  });

  it("adds the municipal holidays of a capital date-holidays lacks: Fortaleza's São José and Corpus Christi", () => {
    const zone = "America/Fortaleza";
    const at = (text: string) => local(text, zone);
    const fortaleza = compileCalendar(
      week(zone, weekdays, {
        holidays: { country: "BR", state: "CE", city: "FORTALEZA", types: ["public"], custom: [] },
      }),
    );
    const ceara = compileCalendar(
      week(zone, weekdays, { holidays: { country: "BR", state: "CE", types: ["public"], custom: [] } }),
    );
    // Thursday 19 March 2026 is closed in the city, open elsewhere in the state.
    expect(isOpen(fortaleza, at("2026-03-19 10:00"))).toBe(false);
    expect(isOpen(ceara, at("2026-03-19 10:00"))).toBe(true);
    expect(businessMinutesBetween(fortaleza, at("2026-03-18 10:00"), at("2026-03-20 10:00"))).toBe(10 * 60);
    expect(businessMinutesBetween(ceara, at("2026-03-18 10:00"), at("2026-03-20 10:00"))).toBe(20 * 60);
    // Eight business hours from Wednesday 16:00 skip Thursday: Friday 14:00, not Thursday 14:00.
    expect(addBusinessMinutes(fortaleza, at("2026-03-18 16:00"), 8 * 60)).toBe(at("2026-03-20 14:00"));
    // Corpus Christi (Thursday 4 June 2026) is a bank holiday nationally, a public one in Fortaleza.
    expect(isOpen(fortaleza, at("2026-06-04 10:00"))).toBe(false);
    expect(isOpen(ceara, at("2026-06-04 10:00"))).toBe(true);
  });

  it("closes 20 November, national since 2024, also where a state's older rule of that day has ended", () => {
    for (const [state, city, zone] of [
      ["SP", "SP", "America/Sao_Paulo"],
      ["SP", undefined, "America/Sao_Paulo"],
      ["RJ", undefined, "America/Sao_Paulo"],
      ["AM", "MANAUS", "America/Manaus"],
      ["MT", undefined, "America/Cuiaba"],
      ["BA", undefined, "America/Bahia"],
    ] as const) {
      const calendar = compileCalendar(
        week(zone, weekdays, { holidays: { country: "BR", state, city, types: ["public"], custom: [] } }),
      );
      // Friday 20 November 2026; Friday 21 November 2025.
      expect(isOpen(calendar, local("2026-11-20 10:00", zone)), `${state} ${city ?? ""}`).toBe(false);
      expect(isOpen(calendar, local("2025-11-21 10:00", zone)), `${state} ${city ?? ""}`).toBe(true);
    }
  });
});

describe("upstream bugs", () => {
  it("Zammad #3180: a 00:00–24:00 calendar has no closed minute at midnight", () => {
    const cal = compileCalendar(everyDay("America/Sao_Paulo"));
    expect(isOpen(cal, local("2026-11-30 00:00"))).toBe(true);
    expect(isOpen(cal, local("2026-11-29 23:59") + 59_999)).toBe(true);
    expect(businessMinutesBetween(cal, local("2026-11-23 00:00"), local("2026-11-30 00:00"))).toBe(7 * 24 * 60);
    // The year boundary is no seam either.
    expect(businessMinutesBetween(cal, local("2026-12-31 23:00"), local("2027-01-01 01:00"))).toBe(120);
  });

  it("osTicket #6739: a week without Monday and Thursday still computes", () => {
    const cal = compileCalendar(week("America/Sao_Paulo", { tuesday: workday, wednesday: workday, friday: workday }));
    expect(show(nextOpening(cal, local("2026-11-30 10:00")))).toBe("2026-12-01 08:00 -03:00");
    // Tue 10 h + Wed 10 h, Thu closed, Fri 2 h.
    expect(businessMinutesBetween(cal, local("2026-12-01 08:00"), local("2026-12-04 10:00"))).toBe(22 * 60);
  });
});
