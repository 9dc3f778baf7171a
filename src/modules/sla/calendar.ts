import { IANAZone } from "luxon";
import { calendarErrors } from "../plan/calendar-validation.js";
import { type Calendar, type Weekday, weekdays } from "../plan/document.js";
import { holidaySource } from "../plan/holiday-data.js";

/**
 * A business calendar compiled for arithmetic: per local year, its open intervals as sorted UTC instants with
 * the open time accumulated before each, so "open time between" and "add open time" are binary searches.
 *
 * Local times map to instants DST-correctly: a local time skipped by a clock change ("02:30" on a spring-forward
 * day, midnight of 2018-11-04 in São Paulo) maps to the instant of the change, and a local time that happens
 * twice maps to its first occurrence. Both rules keep the mapping monotonic, so intervals never invert.
 */

export const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

function minuteOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Offset of `zone` at instant `t`, in ms. */
const offsetMs = (zone: IANAZone, t: number) => zone.offset(t) * MINUTE;

/**
 * The instant of a local wall time, given as "wall ms" (the local date and time read as if it were UTC).
 * Assumes at most one offset change within a day of it, which holds for every real zone.
 */
export function wallToInstant(zone: IANAZone, wall: number): number {
  const before = offsetMs(zone, wall - DAY);
  const after = offsetMs(zone, wall + DAY);
  const tBefore = wall - before;
  const tAfter = wall - after;
  const okBefore = offsetMs(zone, tBefore) === before;
  const okAfter = offsetMs(zone, tAfter) === after;
  if (okBefore && okAfter) return Math.min(tBefore, tAfter);
  if (okBefore) return tBefore;
  if (okAfter) return tAfter;
  // Skipped by a clock change: the first instant whose local time is at or after `wall` is the change itself.
  let lo = Math.min(tBefore, tAfter);
  let hi = Math.max(tBefore, tAfter);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (mid + offsetMs(zone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Local wall ms of an instant. */
export const instantToWall = (zone: IANAZone, t: number) => t + offsetMs(zone, t);

interface YearTable {
  year: number;
  /** Instants of the local year's first and next year's first midnight. */
  from: number;
  to: number;
  wallFrom: number;
  /** Open intervals [starts[i], ends[i]) as instants, sorted, touching ones merged. */
  starts: Float64Array;
  ends: Float64Array;
  /** Open ms in this year before interval i, and through its end. */
  before: Float64Array;
  through: Float64Array;
  total: number;
  /** Instant of each local midnight (days + 1 entries) and open ms of each local day. */
  dayStart: Float64Array;
  dayOpen: Float64Array;
}

/** Local wall ranges [start, end) when the calendar is closed whatever the week says. */
type Closure = [number, number];

interface HolidayEntry {
  date: string;
  type: string;
  /** Real duration in ms. */
  span: number;
}

const holidaySources = new Map<string, ReturnType<typeof holidaySource>>();
const holidayYears = new Map<string, HolidayEntry[]>();

/** The holidays of a region and year, computed once per process (date-holidays takes milliseconds per year). */
export function holidaysOf(
  country: string,
  state: string | undefined,
  city: string | undefined,
  year: number,
): HolidayEntry[] {
  const region = `${country}/${state ?? ""}/${city ?? ""}`;
  const key = `${region}/${year}`;
  let entries = holidayYears.get(key);
  if (!entries) {
    let source = holidaySources.get(region);
    if (!source) {
      source = holidaySource(country, state, city);
      holidaySources.set(region, source);
    }
    entries = (source.getHolidays(year) || []).map((h) => ({
      date: h.date,
      type: h.type,
      span: h.end.getTime() - h.start.getTime(),
    }));
    holidayYears.set(key, entries);
  }
  return entries;
}

/** "YYYY-MM-DD[ HH:MM:SS]" as wall ms. */
function wallOf(text: string): number {
  const [date, time = "00:00:00"] = text.split(" ");
  const [y, m, d] = date!.split("-").map(Number);
  const [hh, mm, ss] = time.split(":").map(Number);
  return Date.UTC(y!, m! - 1, d!, hh ?? 0, mm ?? 0, ss ?? 0);
}

const weekdayOfWall = (wall: number): Weekday => weekdays[(new Date(wall).getUTCDay() + 6) % 7]!;

/** Subtracts sorted closures from [start, end), calling `emit` for each open piece. */
function openPieces(start: number, end: number, closures: Closure[], emit: (s: number, e: number) => void): void {
  let cursor = start;
  for (const [cs, ce] of closures) {
    if (ce <= cursor) continue;
    if (cs >= end) break;
    if (cs > cursor) emit(cursor, cs);
    cursor = Math.max(cursor, ce);
    if (cursor >= end) return;
  }
  if (cursor < end) emit(cursor, end);
}

/** Years in a row with no open minute before arithmetic gives up (a calendar closed by its holidays). */
const MAX_EMPTY_YEARS = 5;

export class CompiledCalendar {
  readonly timezone: string;
  readonly alwaysOpen: boolean;
  private readonly zone: IANAZone;
  private readonly years = new Map<number, YearTable>();
  private last: YearTable | undefined;

  constructor(readonly definition: Calendar) {
    const errors = calendarErrors(definition);
    if (errors.length) {
      throw new RangeError(`invalid calendar: ${errors.map((e) => `${e.pointer} ${e.message}`).join("; ")}`);
    }
    this.timezone = definition.timezone;
    this.alwaysOpen = definition.alwaysOpen;
    this.zone = IANAZone.create(definition.timezone);
  }

  /** Local wall ms of an instant in this calendar's zone. */
  wallOf(t: number): number {
    const y = this.tableAt(t);
    const i = lastStartAtOrBefore(y.dayStart, t);
    const start = y.dayStart[i]!;
    // A 24-hour day has no offset change: the year table answers without asking the zone.
    if (y.dayStart[i + 1]! - start === DAY) return y.wallFrom + i * DAY + (t - start);
    return instantToWall(this.zone, t);
  }

  /** The instant of a local wall time in this calendar's zone. */
  instantOf(wall: number): number {
    const y = this.table(new Date(wall).getUTCFullYear());
    const i = Math.floor((wall - y.wallFrom) / DAY);
    const start = y.dayStart[i]!;
    if (y.dayStart[i + 1]! - start === DAY) return start + (wall - y.wallFrom - i * DAY);
    return wallToInstant(this.zone, wall);
  }

  isOpen(t: number): boolean {
    if (this.alwaysOpen) return true;
    const y = this.tableAt(t);
    const i = lastStartAtOrBefore(y.starts, t);
    return i >= 0 && t < y.ends[i]!;
  }

  /** `t` itself when open, else the next instant the calendar opens. */
  nextOpening(t: number): number {
    if (this.alwaysOpen) return t;
    let y = this.tableAt(t);
    const i = lastStartAtOrBefore(y.starts, t);
    if (i >= 0 && t < y.ends[i]!) return t;
    if (i + 1 < y.starts.length) return y.starts[i + 1]!;
    for (let n = 0; n < MAX_EMPTY_YEARS; n++) {
      y = this.table(y.year + 1);
      if (y.starts.length) return y.starts[0]!;
    }
    throw new RangeError(`calendar "${this.definition.name}" does not open within ${MAX_EMPTY_YEARS} years`);
  }

  /** Open ms in [a, b); negative when b is before a. */
  openBetween(a: number, b: number): number {
    if (b < a) return -this.openBetween(b, a);
    if (this.alwaysOpen) return b - a;
    const ya = this.tableAt(a);
    if (b < ya.to) return openBefore(ya, b) - openBefore(ya, a);
    let sum = ya.total - openBefore(ya, a);
    for (let year = ya.year + 1; ; year++) {
      const y = this.table(year);
      if (b < y.to) return sum + openBefore(y, b);
      sum += y.total;
    }
  }

  /** The earliest instant at or after `t` with `ms` of open time since `t`. */
  addOpen(t: number, ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`cannot add ${ms} ms of business time`);
    if (ms === 0 || this.alwaysOpen) return t + ms;
    let y = this.tableAt(t);
    let target = openBefore(y, t) + ms;
    let empty = 0;
    while (target > y.total) {
      target -= y.total;
      empty = y.total === 0 ? empty + 1 : 0;
      if (empty >= MAX_EMPTY_YEARS) {
        throw new RangeError(`calendar "${this.definition.name}" does not open within ${MAX_EMPTY_YEARS} years`);
      }
      y = this.table(y.year + 1);
    }
    const i = firstAtLeast(y.through, target);
    return y.starts[i]! + (target - y.before[i]!);
  }

  /** Open ms of the local day starting at wall midnight `dayWall`, and that day's bounds as instants. */
  day(dayWall: number): { open: number; start: number; end: number } {
    const y = this.table(new Date(dayWall).getUTCFullYear());
    const i = Math.round((dayWall - y.wallFrom) / DAY);
    return { open: y.dayOpen[i]!, start: y.dayStart[i]!, end: y.dayStart[i + 1]! };
  }

  private tableAt(t: number): YearTable {
    const last = this.last;
    if (last && t >= last.from && t < last.to) return last;
    let y = this.table(new Date(t).getUTCFullYear());
    if (t < y.from) y = this.table(y.year - 1);
    else if (t >= y.to) y = this.table(y.year + 1);
    this.last = y;
    return y;
  }

  private table(year: number): YearTable {
    let y = this.years.get(year);
    if (!y) {
      y = this.build(year);
      this.years.set(year, y);
    }
    return y;
  }

  private closures(year: number): Closure[] {
    const h = this.definition.holidays;
    if (!h) return [];
    const out: Closure[] = [];
    const types = new Set<string>(h.types);
    // The previous year's too: a holiday may run past New Year's Eve.
    for (const y of [year - 1, year]) {
      for (const holiday of holidaysOf(h.country, h.state, h.city, y)) {
        if (!types.has(holiday.type)) continue;
        const start = wallOf(holiday.date);
        const span = holiday.span;
        // date-holidays measures real time; a whole-day holiday on a DST day is 23 or 25 hours, still one day.
        const days = Math.round(span / DAY);
        const end = days > 0 && Math.abs(span - days * DAY) <= HOUR ? start + days * DAY : start + span;
        out.push([start, end]);
      }
    }
    for (const c of h.custom) {
      const start = wallOf(c.date);
      out.push([start, start + DAY]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** An always-open calendar gets only its days (for local time and business days): no intervals to search. */
  private build(year: number): YearTable {
    const wallFrom = Date.UTC(year, 0, 1);
    const days = Math.round((Date.UTC(year + 1, 0, 1) - wallFrom) / DAY);
    const dayStart = new Float64Array(days + 1);
    // One zone lookup per day: the previous midnight's offset is right unless it changed since.
    let offset = offsetMs(this.zone, wallToInstant(this.zone, wallFrom - DAY));
    for (let i = 0; i <= days; i++) {
      const wall = wallFrom + i * DAY;
      const guess = wall - offset;
      if (offsetMs(this.zone, guess) === offset) dayStart[i] = guess;
      else {
        dayStart[i] = wallToInstant(this.zone, wall);
        offset = offsetMs(this.zone, dayStart[i]!);
      }
    }
    const dayOpen = new Float64Array(days);
    const starts: number[] = [];
    const ends: number[] = [];
    const closures = this.alwaysOpen ? [] : this.closures(year);
    for (let i = 0; i < days; i++) {
      if (this.alwaysOpen) {
        dayOpen[i] = dayStart[i + 1]! - dayStart[i]!;
        continue;
      }
      const dayWall = wallFrom + i * DAY;
      const intervals = [...this.definition.week[weekdayOfWall(dayWall)]].sort(
        (a, b) => minuteOf(a.start) - minuteOf(b.start),
      );
      for (const interval of intervals) {
        const ws = dayWall + minuteOf(interval.start) * MINUTE;
        const we = dayWall + minuteOf(interval.end) * MINUTE;
        // Within a 24-hour day local time is the midnight plus the wall offset; only change days ask the zone.
        const regular = dayStart[i + 1]! - dayStart[i]! === DAY;
        const toInstant = (wall: number) =>
          regular ? dayStart[i]! + (wall - dayWall) : wallToInstant(this.zone, wall);
        openPieces(ws, we, closures, (s, e) => {
          const start = toInstant(s);
          const end = toInstant(e);
          if (end <= start) return;
          dayOpen[i]! += end - start;
          if (ends.length && ends[ends.length - 1] === start) ends[ends.length - 1] = end;
          else {
            starts.push(start);
            ends.push(end);
          }
        });
      }
    }
    const before = new Float64Array(starts.length);
    const through = new Float64Array(starts.length);
    let total = 0;
    for (let i = 0; i < starts.length; i++) {
      before[i] = total;
      total += ends[i]! - starts[i]!;
      through[i] = total;
    }
    return {
      year,
      from: dayStart[0]!,
      to: dayStart[days]!,
      wallFrom,
      starts: Float64Array.from(starts),
      ends: Float64Array.from(ends),
      before,
      through,
      total,
      dayStart,
      dayOpen,
    };
  }
}

/** Index of the last element <= t, or -1. */
function lastStartAtOrBefore(starts: Float64Array, t: number): number {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Index of the first element >= v (the caller guarantees one exists). */
function firstAtLeast(values: Float64Array, v: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Open ms of the year before instant t (t inside the year). */
function openBefore(y: YearTable, t: number): number {
  const i = lastStartAtOrBefore(y.starts, t);
  if (i < 0) return 0;
  return y.before[i]! + Math.min(t, y.ends[i]!) - y.starts[i]!;
}

const compiled = new Map<string, CompiledCalendar>();
const COMPILED_LIMIT = 256;

/**
 * The compiled form of a calendar, shared by every caller with an equal definition, so year tables are built
 * once per process however often the plan is read. Throws RangeError on an invalid calendar.
 */
export function compileCalendar(cal: Calendar): CompiledCalendar {
  const key = JSON.stringify(cal);
  let c = compiled.get(key);
  if (!c) {
    c = new CompiledCalendar(cal);
    // Bounded: plans change rarely; when a flood of distinct calendars arrives the oldest go first.
    if (compiled.size >= COMPILED_LIMIT) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, c);
  }
  return c;
}
