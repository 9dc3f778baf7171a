import { pathToFileURL } from "node:url";
import { type Duration, defaultPlan } from "../src/modules/plan/document.js";
import { addDuration } from "../src/modules/sla/business-time.js";
import { compileCalendar } from "../src/modules/sla/calendar.js";

/**
 * Micro-benchmark of deadline computation: `n` addDuration calls over mixed calendars (commercial hours with
 * Brazilian holidays, 24x7, New York with a lunch break, Berlin) and mixed durations, from start instants spread
 * over 2026. Year tables are built before timing: they are built once per calendar and year in a process.
 * Returns computations per second. Run directly: `npx tsx bench/sla-deadlines-core.ts [n]` (or `npm run bench -- sla-deadlines`).
 */
export function deadlinesPerSecond(n = 500_000): number {
  const plan = defaultPlan(new Date("2026-01-01T00:00:00Z"));
  const lunch = [
    { start: "09:00", end: "12:00" },
    { start: "13:00", end: "17:00" },
  ];
  const weekdays = (intervals: typeof lunch) => ({
    monday: intervals,
    tuesday: intervals,
    wednesday: intervals,
    thursday: intervals,
    friday: intervals,
    saturday: [],
    sunday: [],
  });
  const calendars = [
    compileCalendar(plan.calendars.comercial!),
    compileCalendar(plan.calendars["24x7"]!),
    compileCalendar({ name: "ny", timezone: "America/New_York", alwaysOpen: false, week: weekdays(lunch) }),
    compileCalendar({
      name: "berlin",
      timezone: "Europe/Berlin",
      alwaysOpen: false,
      week: weekdays([{ start: "08:00", end: "16:00" }]),
      holidays: { country: "DE", types: ["public"], custom: [] },
    }),
  ];
  const durations: Duration[] = [
    { value: 30, unit: "minutes" },
    { value: 2, unit: "hours" },
    { value: 4, unit: "hours" },
    { value: 8, unit: "hours" },
    { value: 72, unit: "hours" },
    { value: 1, unit: "businessDays" },
    { value: 2, unit: "businessDays" },
  ];
  const from = Date.UTC(2026, 0, 1);
  const span = 330 * 24 * 3600_000;
  // Deterministic inputs (a linear congruential sequence), prepared outside the timed loop.
  const starts = new Float64Array(n);
  let seed = 42;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    starts[i] = from + (seed % span);
  }
  for (const cal of calendars) addDuration(cal, from + span, durations[6]!);
  let sink = 0;
  const began = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    sink += addDuration(calendars[i % calendars.length]!, starts[i]!, durations[i % durations.length]!);
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  if (!Number.isFinite(sink)) throw new Error("a deadline was not a finite instant");
  return n / seconds;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 500_000);
  console.log(JSON.stringify({ name: "sla deadlines", perSecond: Math.round(deadlinesPerSecond(n)), n }));
}
