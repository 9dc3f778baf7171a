import { DateTime, IANAZone } from "luxon";
import { firstOccurrences, occurrences, parseRrule, type Rrule, RruleError } from "./rrule.js";

/** The plan's maintenance window (PlanDocument.maintenanceWindow). */
export interface PlanWindow {
  days: readonly string[];
  start: string;
  end: string;
  timezone: string;
  noticeHours: number;
}

export interface WindowShape {
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  rrule: Rrule | null;
}

export interface WindowFault {
  pointer: string;
  message: string;
}

/** A window longer than this is a project, not maintenance. */
export const MAX_WINDOW_MS = 7 * 86_400_000;

/**
 * Checks a window's times and recurrence (pure): it ends after it starts, lasts at most 7 days, recurs in a
 * known zone by a rule we expand, recurs at all (an UNTIL before the start does not), and its occurrences do
 * not overlap each other. The first fault, with its field.
 */
export function checkWindow(input: {
  startsAt: string;
  endsAt: string;
  timezone: string;
  rrule?: string | null;
}): { shape: WindowShape } | { fault: WindowFault } {
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(input.endsAt);
  if (!(endsAt > startsAt)) return { fault: { pointer: "/endsAt", message: "must be after startsAt" } };
  if (endsAt.getTime() - startsAt.getTime() > MAX_WINDOW_MS)
    return { fault: { pointer: "/endsAt", message: "a window lasts at most 7 days" } };
  if (!IANAZone.isValidZone(input.timezone))
    return { fault: { pointer: "/timezone", message: `"${input.timezone}" is not an IANA time zone` } };
  let rrule: Rrule | null = null;
  if (input.rrule) {
    try {
      rrule = parseRrule(input.rrule);
    } catch (err) {
      if (err instanceof RruleError) return { fault: { pointer: "/rrule", message: err.message } };
      throw err;
    }
    if (rrule.until && rrule.until <= startsAt)
      return { fault: { pointer: "/rrule", message: "UNTIL is before the start: the rule never recurs" } };
    const firsts = firstOccurrences(rrule, startsAt, input.timezone, 2);
    if (rrule.count !== 1 && firsts.length < 2)
      return { fault: { pointer: "/rrule", message: "the rule never recurs after its first occurrence" } };
    if (firsts[1] && firsts[1].getTime() < endsAt.getTime())
      return { fault: { pointer: "/rrule", message: "occurrences overlap: the window is longer than the recurrence" } };
  }
  return { shape: { startsAt, endsAt, timezone: input.timezone, rrule } };
}

export const durationOf = (w: WindowShape) => w.endsAt.getTime() - w.startsAt.getTime();

/** Occurrences (start and end) overlapping [from, to). */
export function occurrencesBetween(w: WindowShape, from: Date, to: Date, limit = 1000): { start: Date; end: Date }[] {
  const d = durationOf(w);
  return occurrences(w.rrule, w.startsAt, w.timezone, { from: new Date(from.getTime() - d + 1), to, limit }).map(
    (start) => ({ start, end: new Date(start.getTime() + d) }),
  );
}

/** The occurrence running at `now` or the next one; null when none is left. */
export function currentOrNext(w: WindowShape, now: Date): { start: Date; end: Date } | null {
  const d = durationOf(w);
  const [first] = occurrences(w.rrule, w.startsAt, w.timezone, {
    from: new Date(now.getTime() - d + 1),
    to: new Date(8.64e15),
    limit: 1,
  });
  return first ? { start: first, end: new Date(first.getTime() + d) } : null;
}

export type WarningCode = "short-notice" | "outside-plan-window";

export interface WindowWarning {
  code: WarningCode;
  message: string;
}

const weekdayIds = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether one occurrence lies inside the plan's window: on an allowed day, from its start to its end. */
export function insidePlanWindow(o: { start: Date; end: Date }, plan: PlanWindow): boolean {
  const s = DateTime.fromJSDate(o.start, { zone: plan.timezone });
  const e = DateTime.fromJSDate(o.end, { zone: plan.timezone });
  if (!plan.days.includes(weekdayIds[s.weekday - 1]!)) return false;
  if (!s.hasSame(e, "day") && !(e.hour === 0 && e.minute === 0 && e.diff(s, "hours").hours <= 24)) return false;
  const sm = s.hour * 60 + s.minute;
  const em = s.hasSame(e, "day") ? e.hour * 60 + e.minute : 24 * 60;
  return sm >= minutesOf(plan.start) && em <= minutesOf(plan.end);
}

/**
 * Warnings against the plan (pure; a window may still be saved): announced with less notice than the plan's
 * `noticeHours` before its first occurrence, or an occurrence (of the first 50) outside the plan's window.
 */
export function planWarnings(w: WindowShape, announcedAt: Date, plan: PlanWindow): WindowWarning[] {
  const out: WindowWarning[] = [];
  const noticeMs = Math.max(0, w.startsAt.getTime() - announcedAt.getTime());
  if (!noticeGiven(w.startsAt, announcedAt, plan.noticeHours)) {
    const hours = Math.floor(noticeMs / 3_600_000);
    out.push({
      code: "short-notice",
      message: `announced ${hours} h ahead; the plan requires ${plan.noticeHours} h of notice`,
    });
  }
  const list = occurrencesBetween(w, w.startsAt, new Date(8.64e15), 50);
  const outside = list.find((o) => !insidePlanWindow(o, plan));
  if (outside) {
    out.push({
      code: "outside-plan-window",
      message: `the occurrence at ${outside.start.toISOString()} falls outside the plan's window (${plan.start}–${plan.end} ${plan.timezone}, ${plan.days.join(", ")})`,
    });
  }
  return out;
}

/** Whether an occurrence starting at `start` was announced at least `noticeHours` ahead (pure). */
export const noticeGiven = (start: Date, announcedAt: Date, noticeHours: number) =>
  start.getTime() - announcedAt.getTime() >= noticeHours * 3_600_000;

/** The first occurrence announced in time: the plan's notice was given, so it is left out of uptime. */
export const announcedInTime = (warnings: readonly WindowWarning[]) => !warnings.some((w) => w.code === "short-notice");
