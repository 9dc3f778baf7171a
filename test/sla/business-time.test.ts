import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Duration } from "../../src/modules/plan/document.js";
import {
  addBusinessDays,
  addBusinessMinutes,
  addDuration,
  businessMinutesBetween,
  isOpen,
  nextOpening,
} from "../../src/modules/sla/business-time.js";
import { type CompiledCalendar, compileCalendar } from "../../src/modules/sla/calendar.js";
import { calendars, everyDay, local, show, week } from "./fixtures.js";

const { comercial, always, newYork, berlin, saoPauloAllDay } = calendars;
const sp = (t: number) => show(t, "America/Sao_Paulo");
const h = (value: number): Duration => ({ value, unit: "hours" });
const bd = (value: number): Duration => ({ value, unit: "businessDays" });

describe("the worked example", () => {
  it("an L1 ticket of severity low opened Friday 17:00 in São Paulo: target Monday 09:00, breach Monday 11:00", () => {
    const opened = local("2026-11-27 17:00");
    expect(sp(addDuration(comercial, opened, h(2)))).toBe("2026-11-30 09:00 -03:00");
    expect(sp(addDuration(comercial, opened, h(4)))).toBe("2026-11-30 11:00 -03:00");
  });
});

describe("deadlines table", () => {
  const cases: { name: string; cal: CompiledCalendar; opened: string; zone?: string; add: Duration; due: string }[] = [
    {
      name: "medium response skips Consciência Negra",
      cal: comercial,
      opened: "2026-11-19 16:00",
      add: h(4),
      due: "2026-11-23 10:00 -03:00",
    },
    {
      name: "low response skips Christmas (24th is open all day)",
      cal: comercial,
      opened: "2026-12-24 14:00",
      add: h(8),
      due: "2026-12-28 12:00 -03:00",
    },
    {
      name: "new year's day (a Friday) is closed",
      cal: comercial,
      opened: "2026-12-31 17:00",
      add: h(4),
      due: "2027-01-04 11:00 -03:00",
    },
    {
      name: "L3 target: 1 business day skips the holiday and the weekend",
      cal: comercial,
      opened: "2026-11-19 10:00",
      add: bd(1),
      due: "2026-11-23 10:00 -03:00",
    },
    {
      name: "L3 breach: 2 business days",
      cal: comercial,
      opened: "2026-11-19 10:00",
      add: bd(2),
      due: "2026-11-24 10:00 -03:00",
    },
    {
      name: "L3 opened on Saturday counts from Monday's opening",
      cal: comercial,
      opened: "2026-11-28 15:00",
      add: bd(1),
      due: "2026-12-01 08:00 -03:00",
    },
    {
      name: "critical response 24x7 at night",
      cal: always,
      opened: "2026-11-28 23:50",
      add: { value: 30, unit: "minutes" },
      due: "2026-11-29 00:20 -03:00",
    },
    {
      name: "critical resolution 24x7 over midnight",
      cal: always,
      opened: "2026-11-28 23:50",
      add: h(4),
      due: "2026-11-29 03:50 -03:00",
    },
    {
      name: "high on 24x7 ignores Christmas",
      cal: always,
      opened: "2026-12-24 22:00",
      add: h(8),
      due: "2026-12-25 06:00 -03:00",
    },
    {
      name: "opened at closing time counts from the next opening",
      cal: comercial,
      opened: "2026-11-27 18:00",
      add: h(1),
      due: "2026-11-30 09:00 -03:00",
    },
    {
      name: "a full day ends at closing time, not next morning",
      cal: comercial,
      opened: "2026-11-30 08:00",
      add: h(10),
      due: "2026-11-30 18:00 -03:00",
    },
    {
      name: "one minute more is the next morning",
      cal: comercial,
      opened: "2026-11-30 08:00",
      add: { value: 601, unit: "minutes" },
      due: "2026-12-01 08:01 -03:00",
    },
    {
      name: "low resolution 72 business hours",
      cal: comercial,
      opened: "2026-11-30 08:00",
      add: h(72),
      due: "2026-12-09 10:00 -03:00",
    },
    {
      name: "half a business day is half the average open day",
      cal: comercial,
      opened: "2026-11-30 08:00",
      add: bd(1.5),
      due: "2026-12-01 13:00 -03:00",
    },
    {
      name: "New York lunch break and the DST change",
      cal: newYork,
      zone: "America/New_York",
      opened: "2026-03-06 16:00",
      add: h(3),
      due: "2026-03-09 11:00 -04:00",
    },
    {
      name: "Berlin Sunday of the spring change has 23 hours",
      cal: berlin,
      zone: "Europe/Berlin",
      opened: "2026-03-28 22:00",
      add: h(25),
      due: "2026-03-30 00:00 +02:00",
    },
    {
      name: "…and the 26th hour is Friday's",
      cal: berlin,
      zone: "Europe/Berlin",
      opened: "2026-03-28 22:00",
      add: h(26),
      due: "2026-04-03 09:00 +02:00",
    },
    {
      name: "Berlin Sunday of the autumn change has 25 hours",
      cal: berlin,
      zone: "Europe/Berlin",
      opened: "2026-10-24 22:00",
      add: h(27),
      due: "2026-10-26 00:00 +01:00",
    },
    {
      name: "L3 across Brazil's 2018 DST start keeps the local time",
      cal: comercial,
      opened: "2018-11-01 10:00",
      add: bd(1),
      due: "2018-11-05 10:00 -02:00",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const zone = c.zone ?? "America/Sao_Paulo";
      expect(show(addDuration(c.cal, local(c.opened, zone), c.add), zone)).toBe(c.due);
    });
  }
});

describe("midnight and DST edges", () => {
  it("São Paulo 2018-11-04 had no local midnight: the day starts at the change and has 23 hours", () => {
    const day = saoPauloAllDay.day(Date.UTC(2018, 10, 4));
    expect(new Date(day.start).toISOString()).toBe("2018-11-04T03:00:00.000Z");
    expect(sp(day.start)).toBe("2018-11-04 01:00 -02:00");
    expect(day.open).toBe(23 * 3600_000);
    expect(businessMinutesBetween(saoPauloAllDay, local("2018-11-03 12:00"), local("2018-11-04 12:00"))).toBe(23 * 60);
  });

  it("São Paulo 2018-02-17 lived 23:00–24:00 twice: that day has 25 hours", () => {
    expect(saoPauloAllDay.day(Date.UTC(2018, 1, 17)).open).toBe(25 * 3600_000);
  });

  it("a local time skipped by the change maps to the change itself", () => {
    const ny = compileCalendar(week("America/New_York", { sunday: [{ start: "02:30", end: "04:00" }] }));
    // 2026-03-08 02:00 EST jumped to 03:00 EDT: 02:30–04:00 is open 03:00–04:00 EDT, one hour.
    expect(nextOpening(ny, Date.parse("2026-03-08T00:00:00Z"))).toBe(Date.parse("2026-03-08T07:00:00Z"));
    expect(businessMinutesBetween(ny, Date.parse("2026-03-08T00:00:00Z"), Date.parse("2026-03-09T00:00:00Z"))).toBe(60);
  });

  it("a local time lived twice maps to its first occurrence", () => {
    const ny = compileCalendar(week("America/New_York", { sunday: [{ start: "01:30", end: "02:00" }] }));
    // 2026-11-01: 01:30 EDT (05:30Z), and 02:00 EST (07:00Z) ends it: 90 real minutes.
    expect(nextOpening(ny, Date.parse("2026-11-01T00:00:00Z"))).toBe(Date.parse("2026-11-01T05:30:00Z"));
    expect(businessMinutesBetween(ny, Date.parse("2026-11-01T00:00:00Z"), Date.parse("2026-11-02T00:00:00Z"))).toBe(90);
  });

  it("business days land on the same local time when the target day has other hours, or at its close", () => {
    const cal = compileCalendar(
      week("America/Sao_Paulo", {
        friday: [{ start: "08:00", end: "18:00" }],
        saturday: [{ start: "10:00", end: "12:00" }],
      }),
    );
    expect(sp(addBusinessDays(cal, local("2026-11-27 15:00"), 1))).toBe("2026-11-28 12:00 -03:00");
    expect(sp(addBusinessDays(cal, local("2026-11-27 08:30"), 1))).toBe("2026-11-28 10:00 -03:00");
    expect(sp(addBusinessDays(cal, local("2026-11-28 11:00"), 1))).toBe("2026-12-04 11:00 -03:00");
  });

  it("isOpen is half-open: open at the opening minute, closed at the closing minute", () => {
    expect(isOpen(comercial, local("2026-11-30 08:00"))).toBe(true);
    expect(isOpen(comercial, local("2026-11-30 17:59"))).toBe(true);
    expect(isOpen(comercial, local("2026-11-30 18:00"))).toBe(false);
    expect(isOpen(comercial, new Date(local("2026-11-20 10:00")))).toBe(false);
  });

  it("rejects a negative amount instead of walking backwards", () => {
    expect(() => addBusinessMinutes(comercial, 0, -1)).toThrow(RangeError);
    expect(() => addBusinessDays(comercial, 0, 1.5)).toThrow(RangeError);
  });
});

const allCalendars: Record<string, CompiledCalendar> = {
  ...calendars,
  denseWeek: compileCalendar(everyDay("Europe/Berlin")),
};
/** By name, so a counterexample prints readably. */
const calendarArb = fc.constantFrom(...Object.keys(allCalendars)).map((name) => [name, allCalendars[name]!] as const);
/** 2017–2028: covers Brazil with and without DST and many US/EU changes. */
const instantArb = fc.integer({ min: Date.UTC(2017, 0, 1), max: Date.UTC(2028, 0, 1) });
const minutesArb = fc.integer({ min: 0, max: 6000 });
const runs = { numRuns: 300 };

describe("properties", () => {
  it("is monotonic in the start and in the amount", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, instantArb, minutesArb, minutesArb, ([, cal], a, b, m, n) => {
        const [s1, s2] = a <= b ? [a, b] : [b, a];
        expect(addBusinessMinutes(cal, s1, m)).toBeLessThanOrEqual(addBusinessMinutes(cal, s2, m));
        expect(addBusinessMinutes(cal, s1, Math.min(m, n))).toBeLessThanOrEqual(
          addBusinessMinutes(cal, s1, Math.max(m, n)),
        );
      }),
      runs,
    );
  });

  it("is additive when a duration is split", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, minutesArb, minutesArb, ([, cal], s, a, b) => {
        expect(addBusinessMinutes(cal, addBusinessMinutes(cal, s, a), b)).toBe(addBusinessMinutes(cal, s, a + b));
      }),
      runs,
    );
  });

  it("measures back exactly what it added", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, minutesArb, ([, cal], s, m) => {
        expect(businessMinutesBetween(cal, s, addBusinessMinutes(cal, s, m))).toBe(m);
      }),
      runs,
    );
  });

  it("never ends inside closed time: the last minute counted was open", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, fc.integer({ min: 1, max: 6000 }), ([, cal], s, m) => {
        const due = addBusinessMinutes(cal, s, m);
        expect(isOpen(cal, due - 1)).toBe(true);
        expect(isOpen(cal, nextOpening(cal, s))).toBe(true);
      }),
      runs,
    );
  });

  it("never ends on a holiday of the commercial calendar", () => {
    const holidays = new Set(["2026-11-20", "2026-12-25", "2027-01-01", "2026-11-02", "2026-04-03"]);
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 31) }), minutesArb, (s, m) => {
        const due = addBusinessMinutes(comercial, s, m + 1);
        expect(holidays.has(show(due - 1).slice(0, 10))).toBe(false);
      }),
      runs,
    );
  });

  it("splits open time additively over any three instants", () => {
    fc.assert(
      fc.property(calendarArb, instantArb, instantArb, instantArb, ([, cal], a, b, c) => {
        const [x, y, z] = [a, b, c].sort((p, q) => p - q) as [number, number, number];
        const whole = businessMinutesBetween(cal, x, z);
        expect(businessMinutesBetween(cal, x, y) + businessMinutesBetween(cal, y, z)).toBeCloseTo(whole, 6);
        expect(whole).toBeLessThanOrEqual((z - x) / 60_000);
        // Equal or closed-only spans give zero either way; the sign of a zero is not a business fact.
        expect(businessMinutesBetween(cal, z, x) + 0).toBe(-whole + 0);
      }),
      runs,
    );
  });

  it("24x7 (flag or every day 00:00–24:00) is wall time, across every DST change", () => {
    const dense: Record<string, CompiledCalendar> = {
      always,
      saoPauloAllDay,
      newYorkAllDay: compileCalendar(everyDay("America/New_York")),
    };
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(dense)), instantArb, instantArb, minutesArb, (name, a, b, m) => {
        const cal = dense[name]!;
        expect(addBusinessMinutes(cal, a, m)).toBe(a + m * 60_000);
        expect(businessMinutesBetween(cal, a, b)).toBe((b - a) / 60_000);
      }),
      runs,
    );
  });

  it("business days keep the local time of the start on the commercial calendar", () => {
    fc.assert(
      fc.property(instantArb, fc.integer({ min: 1, max: 10 }), (s, n) => {
        const from = nextOpening(comercial, s);
        const due = addBusinessDays(comercial, s, n);
        expect(show(due).slice(11, 16)).toBe(show(from).slice(11, 16));
        expect(addBusinessDays(comercial, s, n + 1)).toBeGreaterThan(due);
        // n business days of a 10-hour calendar are n × 10 open hours.
        expect(businessMinutesBetween(comercial, from, due)).toBe(n * 600);
      }),
      runs,
    );
  });
});
