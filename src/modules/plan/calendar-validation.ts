import type { MessageParams } from "../../platform/http/messages.js";
import { type Calendar, weekdays } from "./document.js";
import { hasCity, hasCountry, hasState } from "./holiday-data.js";
import { isDate, isTimeZone, minuteOfDay } from "./measure.js";

/** A field at fault in a calendar, by JSON Pointer (relative to where the calendar sits, given as `at`). */
export interface CalendarError {
  pointer: string;
  message: string;
  /** The message's key in the web app's translations (`plan.errors.<key>`) and what it names. */
  key: string;
  params: MessageParams;
}

const text = (value: string) => ({ type: "text", value }) as const;

const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$/;

/** A proper interval: both times HH:MM and the end after the start. */
const proper = (i: { start: string; end: string }) =>
  TIME.test(i.start) && TIME.test(i.end) && minuteOfDay(i.end) > minuteOfDay(i.start);

/** The holiday region must have data: an unknown one would silently close no day at all. */
function regionError(h: NonNullable<Calendar["holidays"]>, at: string): CalendarError | undefined {
  if (!hasCountry(h.country))
    return {
      pointer: `${at}/holidays/country`,
      message: `no holiday data for country "${h.country}"`,
      key: "noHolidayCountry",
      params: { country: text(h.country) },
    };
  if (h.state && !hasState(h.country, h.state))
    return {
      pointer: `${at}/holidays/state`,
      message: `no holiday data for state "${h.state}" of ${h.country}`,
      key: "noHolidayState",
      params: { state: text(h.state), country: text(h.country) },
    };
  if (h.city && !(h.state && hasCity(h.country, h.state, h.city)))
    return {
      pointer: `${at}/holidays/city`,
      message: `no holiday data for city "${h.city}"${h.state ? ` of ${h.state}` : " (set state first)"}`,
      key: h.state ? "noHolidayCity" : "cityWithoutState",
      params: { city: text(h.city), state: text(h.state ?? "") },
    };
  return undefined;
}

/**
 * Everything that makes a calendar meaningless: an unknown zone, no opening hours (or hours on an always-open
 * calendar), intervals that are not HH:MM, end before they start or overlap (in whatever order they are
 * written: the SLA engine sorts them), a holiday region without data, and custom dates that do not exist.
 * The one rule for what a valid calendar is: the plan's validation and the SLA engine both use it.
 */
export function calendarErrors(cal: Calendar, at = ""): CalendarError[] {
  const errors: CalendarError[] = [];
  if (!isTimeZone(cal.timezone)) {
    errors.push({
      pointer: `${at}/timezone`,
      message: `unknown time zone "${cal.timezone}"`,
      key: "unknownTimeZone",
      params: { zone: text(cal.timezone) },
    });
  }
  const hasHours = weekdays.some((d) => cal.week[d].length > 0);
  if (cal.alwaysOpen && hasHours) {
    errors.push({
      pointer: `${at}/week`,
      message: "an always-open calendar has no opening hours; leave every day empty",
      key: "alwaysOpenWithHours",
      params: {},
    });
  }
  if (!cal.alwaysOpen && !hasHours)
    errors.push({ pointer: `${at}/week`, message: "the calendar is never open", key: "neverOpen", params: {} });
  for (const day of weekdays) {
    const intervals = cal.week[day];
    intervals.forEach((interval, i) => {
      const p = `${at}/week/${day}/${i}`;
      for (const edge of ["start", "end"] as const) {
        if (!TIME.test(interval[edge]))
          errors.push({
            pointer: `${p}/${edge}`,
            message: `"${interval[edge]}" is not HH:MM`,
            key: "notTimeOfDay",
            params: { value: text(interval[edge]) },
          });
      }
      if (!TIME.test(interval.start) || !TIME.test(interval.end)) return;
      const start = minuteOfDay(interval.start);
      const end = minuteOfDay(interval.end);
      if (end <= start) {
        errors.push({
          pointer: `${p}/end`,
          message: `ends at ${interval.end}, not after its start ${interval.start}`,
          key: "endNotAfterStart",
          params: { start: text(interval.start), end: text(interval.end) },
        });
        return;
      }
      // Against every earlier proper interval, so an overlap is found whatever the order they were written in.
      const other = intervals
        .slice(0, i)
        .findIndex((o) => proper(o) && start < minuteOfDay(o.end) && minuteOfDay(o.start) < end);
      if (other >= 0) {
        const o = intervals[other]!;
        errors.push({
          pointer: `${p}/start`,
          message: `${interval.start}–${interval.end} overlaps ${o.start}–${o.end} (interval ${other})`,
          key: "intervalsOverlap",
          params: { interval: text(`${interval.start}–${interval.end}`), other: text(`${o.start}–${o.end}`) },
        });
      }
    });
  }
  const h = cal.holidays;
  if (h) {
    const region = regionError(h, at);
    if (region) errors.push(region);
    h.custom.forEach((c, i) => {
      if (!isDate(c.date))
        errors.push({
          pointer: `${at}/holidays/custom/${i}/date`,
          message: `${c.date} is not a date`,
          key: "notADate",
          params: { value: text(c.date) },
        });
    });
  }
  return errors;
}
