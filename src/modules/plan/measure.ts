import type { Cadence, Calendar, Duration, Interval, WallDuration } from "./document.js";
import { weekdays } from "./document.js";

/** Minutes since midnight of an HH:MM time. */
export function minuteOfDay(time: string): number {
  const [h, m] = time.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

const intervalMinutes = (intervals: Interval[]) =>
  intervals.reduce((sum, i) => sum + minuteOfDay(i.end) - minuteOfDay(i.start), 0);

/** Open minutes of an average open day: what one business day is worth on this calendar. */
export function businessDayMinutes(calendar: Calendar): number {
  if (calendar.alwaysOpen) return 24 * 60;
  const open = weekdays.map((d) => intervalMinutes(calendar.week[d])).filter((m) => m > 0);
  return open.length ? open.reduce((a, b) => a + b, 0) / open.length : 0;
}

/**
 * A duration as minutes of the calendar's open time. Comparing these is exact on one calendar; across
 * calendars it is a lower bound of the wall-clock time (a business hour never takes less than an hour).
 */
export function openMinutes(duration: Duration, calendar: Calendar | undefined): number {
  if (duration.unit === "minutes") return duration.value;
  if (duration.unit === "hours") return duration.value * 60;
  return duration.value * (calendar ? businessDayMinutes(calendar) : 24 * 60);
}

export function wallMinutes(duration: WallDuration): number {
  return duration.unit === "hours" ? duration.value * 60 : duration.value;
}

export function describeDuration(duration: Duration | WallDuration): string {
  const unit = duration.unit === "businessDays" ? "business day" : duration.unit.replace(/s$/, "");
  return `${duration.value} ${unit}${duration.value === 1 ? "" : "s"}`;
}

/** Minutes as a short human text: "45 min", "4 h", "9.5 h". */
export function describeMinutes(minutes: number): string {
  if (minutes < 60) return `${Math.round(minutes * 10) / 10} min`;
  return `${Math.round((minutes / 60) * 10) / 10} h`;
}

const DAYS_PER_MONTH = 365.25 / 12;

/** Average occurrences per month of a cadence ("immediate" is event-driven, not scheduled: zero). */
export function perMonth(cadence: Cadence): number {
  const perYear: Record<Cadence, number> = {
    immediate: 0,
    daily: 365.25,
    weekly: 365.25 / 7,
    biweekly: 365.25 / 14,
    monthly: 12,
    quarterly: 4,
    semiannual: 2,
    yearly: 1,
  };
  return perYear[cadence] / 12;
}

export const MINUTES_PER_MONTH = DAYS_PER_MONTH * 24 * 60;

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Whether YYYY-MM-DD names a real calendar date (not 2025-02-30). */
export function isDate(date: string): boolean {
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}
