import { DateTime } from "luxon";
import { type Calendar, defaultPlan, type Interval } from "../../src/modules/plan/document.js";
import { compileCalendar } from "../../src/modules/sla/calendar.js";

export const plan = defaultPlan(new Date("2026-01-01T00:00:00Z"));

/** A calendar open `hours` on the given days, closed on the others. */
export function week(
  timezone: string,
  days: Partial<Record<keyof Calendar["week"], Interval[]>>,
  extra: Partial<Calendar> = {},
): Calendar {
  return {
    name: `test ${timezone}`,
    timezone,
    alwaysOpen: false,
    week: { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [], ...days },
    ...extra,
  };
}

const allDay = [{ start: "00:00", end: "24:00" }];
export const everyDay = (timezone: string) =>
  week(timezone, {
    monday: allDay,
    tuesday: allDay,
    wednesday: allDay,
    thursday: allDay,
    friday: allDay,
    saturday: allDay,
    sunday: allDay,
  });

const lunch = [
  { start: "09:00", end: "12:00" },
  { start: "13:00", end: "17:00" },
];

export const calendars = {
  comercial: compileCalendar(plan.calendars.comercial!),
  always: compileCalendar(plan.calendars["24x7"]!),
  newYork: compileCalendar(
    week("America/New_York", { monday: lunch, tuesday: lunch, wednesday: lunch, thursday: lunch, friday: lunch }),
  ),
  /** Open through Sunday night so the 02:00/03:00 changes fall inside open time. */
  berlin: compileCalendar(
    week("Europe/Berlin", {
      friday: [{ start: "08:00", end: "16:00" }],
      saturday: [{ start: "22:00", end: "24:00" }],
      sunday: [{ start: "00:00", end: "24:00" }],
    }),
  ),
  /** São Paulo all day every day: 2018 still had DST (midnight changes). */
  saoPauloAllDay: compileCalendar(everyDay("America/Sao_Paulo")),
};

/** Local time in a zone as epoch ms: local("2026-11-27 17:00", "America/Sao_Paulo"). */
export function local(text: string, zone = "America/Sao_Paulo"): number {
  const dt = DateTime.fromFormat(text, "yyyy-MM-dd HH:mm", { zone });
  if (!dt.isValid) throw new Error(`bad local time ${text}`);
  return dt.toMillis();
}

/** An instant as local "yyyy-MM-dd HH:mm" (with offset when it matters) for readable assertions. */
export function show(t: number, zone = "America/Sao_Paulo"): string {
  return DateTime.fromMillis(t, { zone }).toFormat("yyyy-MM-dd HH:mm ZZ");
}
