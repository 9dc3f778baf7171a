import type { Duration } from "../plan/document.js";
import { businessDayMinutes } from "../plan/measure.js";
import { type CompiledCalendar, DAY, MINUTE } from "./calendar.js";

/**
 * Business-time arithmetic on a compiled calendar. Instants are UTC (a Date or epoch ms in, epoch ms out);
 * open time is half-open: a calendar open 08:00–18:00 is open at 08:00 and closed at 18:00.
 *
 * `addBusinessMinutes` returns the earliest instant at which the given open time has passed, so a deadline
 * that uses up a day's last minute is that day's closing time, not the next opening. That choice makes the
 * arithmetic exactly additive: add(add(t, a), b) == add(t, a + b).
 */

export type Instant = Date | number;

const ms = (t: Instant) => (typeof t === "number" ? t : t.getTime());

/** Business minutes as whole ms; fractions of a ms are not meaningful for a deadline. */
const minutesToMs = (minutes: number) => Math.round(minutes * MINUTE);

/** Consecutive closed days after which `addBusinessDays` gives up (10 years: a calendar closed forever). */
const MAX_CLOSED_DAYS = 3660;

export function isOpen(cal: CompiledCalendar, t: Instant): boolean {
  return cal.isOpen(ms(t));
}

/** `t` when the calendar is open then, else when it next opens. */
export function nextOpening(cal: CompiledCalendar, t: Instant): number {
  return cal.nextOpening(ms(t));
}

/** The earliest instant by which `minutes` of open time have passed since `start` (counted from the next opening). */
export function addBusinessMinutes(cal: CompiledCalendar, start: Instant, minutes: number): number {
  return cal.addOpen(ms(start), minutesToMs(minutes));
}

/** Open minutes in [a, b); negative when b is before a. */
export function businessMinutesBetween(cal: CompiledCalendar, a: Instant, b: Instant): number {
  return cal.openBetween(ms(a), ms(b)) / MINUTE + 0; // + 0: never a negative zero
}

/**
 * `n` business days after `start`: the same local time on the n-th following day that has open time.
 * Opened while closed, counting starts at the next opening. When that local time is not open on the target
 * day (shorter hours, a lunch break), the deadline is the day's next opening after it, or the day's closing
 * time when it is past the last interval.
 */
export function addBusinessDays(cal: CompiledCalendar, start: Instant, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`business days must be a whole number >= 0, got ${n}`);
  const from = cal.nextOpening(ms(start));
  if (n === 0) return from;
  const wall = cal.wallOf(from);
  const timeOfDay = ((wall % DAY) + DAY) % DAY;
  let dayWall = wall - timeOfDay;
  let counted = 0;
  let closedInARow = 0;
  while (counted < n) {
    dayWall += DAY;
    if (cal.day(dayWall).open > 0) {
      counted++;
      closedInARow = 0;
    } else if (++closedInARow > MAX_CLOSED_DAYS) {
      throw new RangeError(`calendar "${cal.definition.name}" has no business day within ${MAX_CLOSED_DAYS} days`);
    }
  }
  const day = cal.day(dayWall);
  const at = Math.min(cal.instantOf(dayWall + timeOfDay), day.end);
  if (cal.isOpen(at)) return at;
  const opening = cal.nextOpening(at);
  if (opening < day.end) return opening;
  return cal.addOpen(day.start, day.open);
}

/**
 * `start` plus a plan duration on this calendar. Minutes and hours are open time; business days follow
 * `addBusinessDays`, and a fraction of a business day is that fraction of the calendar's average open day.
 */
export function addDuration(cal: CompiledCalendar, start: Instant, duration: Duration): number {
  if (duration.unit === "minutes") return addBusinessMinutes(cal, start, duration.value);
  if (duration.unit === "hours") return addBusinessMinutes(cal, start, duration.value * 60);
  const whole = Math.floor(duration.value);
  const afterWhole = addBusinessDays(cal, start, whole);
  const fraction = duration.value - whole;
  return fraction > 0 ? addBusinessMinutes(cal, afterWhole, fraction * businessDayMinutes(cal.definition)) : afterWhole;
}

/** A plan duration as open ms of this calendar when counted from `start` (business days vary by start). */
export function durationOpenMs(cal: CompiledCalendar, start: Instant, duration: Duration): number {
  if (duration.unit === "minutes") return minutesToMs(duration.value);
  if (duration.unit === "hours") return minutesToMs(duration.value * 60);
  return cal.openBetween(ms(start), addDuration(cal, start, duration));
}
