import type { Calendar, Duration } from "../plan/document.js";
import { durationOpenMs } from "../sla/business-time.js";
import { compileCalendar } from "../sla/calendar.js";

/**
 * A timer's state as the pure SLA core sees it, and the instants it fires at. Pure: `now` is an argument.
 *
 * A duration timer has a budget of open time on its calendar. Open time counted so far is `elapsedMs` up to
 * `runningSince` plus the calendar's open time since then; pausing, resuming and changing the calendar fold the
 * running stretch into `elapsedMs`, so time already counted stays counted and the rest is counted on the new
 * terms. An absolute timer fires at `targetAt` (a pause holds it; resumed late, it fires at once).
 */
export interface TimerState {
  /** Null for an absolute timer. */
  calendar: Calendar | null;
  budgetMs: number | null;
  warnMs: number | null;
  elapsedMs: number;
  /** Null while paused. */
  runningSince: number | null;
  targetAt: number | null;
  /** Whether the warning already fired (it fires once). */
  warned: boolean;
}

export interface TimerInstants {
  /** When the timer fires; null while paused. */
  dueAt: number | null;
  /** When its warning fires; null when there is none left to fire. */
  warnAt: number | null;
}

/** The instant `ms` of open time after `from` on the calendar, `from` itself when nothing is left. */
function after(calendar: Calendar, from: number, ms: number): number {
  return ms <= 0 ? from : compileCalendar(calendar).addOpen(from, ms);
}

export function instants(s: TimerState): TimerInstants {
  if (s.runningSince === null) return { dueAt: null, warnAt: null };
  if (s.calendar === null || s.budgetMs === null) {
    return { dueAt: Math.max(s.targetAt ?? s.runningSince, s.runningSince), warnAt: null };
  }
  const dueAt = after(s.calendar, s.runningSince, s.budgetMs - s.elapsedMs);
  const warnAt =
    s.warned || s.warnMs === null || s.warnMs >= s.budgetMs
      ? null
      : after(s.calendar, s.runningSince, s.warnMs - s.elapsedMs);
  return { dueAt, warnAt };
}

/** The budget (and warning share) of `duration` counted from `start` on the calendar. */
export function budgetOf(
  calendar: Calendar,
  start: number,
  duration: Duration,
  warningPercent: number | null,
): { budgetMs: number; warnMs: number | null } {
  const budgetMs = durationOpenMs(compileCalendar(calendar), start, duration);
  return { budgetMs, warnMs: warningPercent === null ? null : Math.round((budgetMs * warningPercent) / 100) };
}

/** Open time counted up to `now`: the folded part plus the running stretch. */
export function elapsedAt(s: TimerState, now: number): number {
  if (s.runningSince === null || s.calendar === null || now <= s.runningSince) return s.elapsedMs;
  return s.elapsedMs + compileCalendar(s.calendar).openBetween(s.runningSince, now);
}

export function paused(s: TimerState, now: number): TimerState {
  if (s.runningSince === null) return s;
  return { ...s, elapsedMs: elapsedAt(s, now), runningSince: null };
}

export function resumed(s: TimerState, now: number): TimerState {
  return s.runningSince === null ? { ...s, runningSince: now } : s;
}

/** The calendar `calendar` from `at` on: open time before `at` stays counted on the old one. */
export function recalendared(s: TimerState, calendar: Calendar, at: number): TimerState {
  if (s.calendar === null) return s;
  if (s.runningSince === null) return { ...s, calendar };
  const from = Math.max(at, s.runningSince);
  return { ...s, elapsedMs: elapsedAt(s, from), runningSince: from, calendar };
}

/** Whether two JSON values (calendar definitions, payloads) are the same, whatever the order of their keys (jsonb reorders them). */
export function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
