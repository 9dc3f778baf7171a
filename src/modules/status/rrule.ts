import { DateTime } from "luxon";

/**
 * A small RFC 5545 recurrence expander for maintenance windows (pure): FREQ DAILY, WEEKLY or MONTHLY, INTERVAL,
 * BYDAY (with ordinals under MONTHLY: `1SU`, `-1FR`), COUNT and UNTIL, in wall-clock time of an IANA zone, so a
 * 02:00 window stays at 02:00 across DST changes. Sub-daily frequencies are refused: a maintenance window that
 * recurs every hour is a mistake, and the caps below keep any rule from running away.
 */
export interface Rrule {
  freq: "DAILY" | "WEEKLY" | "MONTHLY";
  interval: number;
  byDay: { weekday: number; ordinal: number | null }[];
  count: number | null;
  until: Date | null;
}

export class RruleError extends Error {}

const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
/** Occurrences any rule may have, and periods walked looking for them. */
export const MAX_OCCURRENCES = 1000;
const MAX_PERIODS = 5000;

export function parseRrule(text: string): Rrule {
  const parts = new Map<string, string>();
  for (const part of text
    .trim()
    .replace(/^RRULE:/i, "")
    .split(";")) {
    const [k, v] = part.split("=");
    if (!k || v === undefined || v === "") throw new RruleError(`"${part}" is not NAME=VALUE`);
    const key = k.toUpperCase();
    if (parts.has(key)) throw new RruleError(`${key} appears twice`);
    parts.set(key, v.toUpperCase());
  }
  for (const key of parts.keys())
    if (!["FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL", "WKST"].includes(key))
      throw new RruleError(`${key} is not supported (FREQ, INTERVAL, BYDAY, COUNT, UNTIL)`);
  const freq = parts.get("FREQ");
  if (!freq) throw new RruleError("FREQ is required");
  if (freq !== "DAILY" && freq !== "WEEKLY" && freq !== "MONTHLY")
    throw new RruleError(`FREQ=${freq} is not supported for maintenance (DAILY, WEEKLY, MONTHLY)`);
  const interval = Number(parts.get("INTERVAL") ?? "1");
  if (!Number.isInteger(interval) || interval < 1 || interval > 365)
    throw new RruleError("INTERVAL must be an integer from 1 to 365");
  const byDay = (parts.get("BYDAY")?.split(",") ?? []).map((d) => {
    const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(d);
    if (!m) throw new RruleError(`BYDAY value "${d}" is not a weekday`);
    const ordinal = m[1] === undefined ? null : Number(m[1]);
    if (ordinal !== null && (freq !== "MONTHLY" || ordinal === 0 || Math.abs(ordinal) > 5))
      throw new RruleError(`BYDAY ordinal "${d}" is only allowed with FREQ=MONTHLY, from -5 to 5`);
    return { weekday: DAYS.indexOf(m[2] as (typeof DAYS)[number]) + 1, ordinal };
  });
  const countText = parts.get("COUNT");
  const count = countText === undefined ? null : Number(countText);
  if (count !== null && (!Number.isInteger(count) || count < 1 || count > MAX_OCCURRENCES))
    throw new RruleError(`COUNT must be an integer from 1 to ${MAX_OCCURRENCES}`);
  const untilText = parts.get("UNTIL");
  let until: Date | null = null;
  if (untilText !== undefined) {
    const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(untilText);
    if (!m) throw new RruleError("UNTIL must be YYYYMMDD or YYYYMMDDTHHMMSSZ");
    until = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 23), +(m[5] ?? 59), +(m[6] ?? 59)));
    if (Number.isNaN(until.getTime())) throw new RruleError("UNTIL is not a date");
  }
  if (count !== null && until !== null) throw new RruleError("COUNT and UNTIL cannot both be given");
  return { freq, interval, byDay, count, until };
}

/** The days (local dates) a rule yields in the period that starts on `period`. */
function candidates(rule: Rrule, period: DateTime, first: DateTime): DateTime[] {
  const at = (d: DateTime) => d.set({ hour: first.hour, minute: first.minute, second: first.second, millisecond: 0 });
  if (rule.freq === "DAILY") {
    return !rule.byDay.length || rule.byDay.some((b) => b.weekday === period.weekday) ? [at(period)] : [];
  }
  if (rule.freq === "WEEKLY") {
    const monday = period.minus({ days: period.weekday - 1 });
    const days = rule.byDay.length ? rule.byDay.map((b) => b.weekday) : [first.weekday];
    return [...new Set(days)].sort((a, b) => a - b).map((w) => at(monday.plus({ days: w - 1 })));
  }
  const month = period.startOf("month");
  if (!rule.byDay.length) return first.day <= month.daysInMonth! ? [at(month.set({ day: first.day }))] : [];
  const out: DateTime[] = [];
  for (const b of rule.byDay) {
    const all: DateTime[] = [];
    for (let d = 1; d <= month.daysInMonth!; d++) {
      const day = month.set({ day: d });
      if (day.weekday === b.weekday) all.push(day);
    }
    if (b.ordinal === null) out.push(...all.map(at));
    else {
      const pick = b.ordinal > 0 ? all[b.ordinal - 1] : all[all.length + b.ordinal];
      if (pick) out.push(at(pick));
    }
  }
  return out.sort((a, b) => a.toMillis() - b.toMillis());
}

/**
 * Starts of the occurrences of a window first starting at `start` (always the first occurrence, as RFC 5545
 * makes DTSTART), recurring by `rule` in `zone`, that fall in [from, to); at most `limit`.
 */
export function occurrences(
  rule: Rrule | null,
  start: Date,
  zone: string,
  range: { from: Date; to: Date; limit?: number },
): Date[] {
  const limit = Math.min(range.limit ?? MAX_OCCURRENCES, MAX_OCCURRENCES);
  const out: Date[] = [];
  const take = (d: Date) => {
    if (d >= range.from && d < range.to && out.length < limit) out.push(d);
  };
  if (!rule) {
    take(start);
    return out;
  }
  const first = DateTime.fromJSDate(start, { zone });
  // DTSTART is the first occurrence, whether or not the rule yields it.
  let n = 1;
  take(start);
  if (rule.count === 1) return out;
  const unit = rule.freq === "DAILY" ? "days" : rule.freq === "WEEKLY" ? "weeks" : "months";
  const base = rule.freq === "MONTHLY" ? first.startOf("month") : first.startOf("day");
  for (let p = 0; p < MAX_PERIODS; p++) {
    const period = base.plus({ [unit]: p * rule.interval });
    for (const c of candidates(rule, period, first)) {
      if (c <= first) continue;
      const at = c.toJSDate();
      if (rule.until && at > rule.until) return out;
      if (at >= range.to || out.length >= limit) return out;
      n++;
      take(at);
      if (rule.count !== null && n >= rule.count) return out;
    }
  }
  return out;
}

/** The first occurrences of a rule from its start (to check it occurs and does not overlap itself). */
export function firstOccurrences(rule: Rrule | null, start: Date, zone: string, count: number): Date[] {
  return occurrences(rule, start, zone, { from: start, to: new Date(8.64e15), limit: count });
}
