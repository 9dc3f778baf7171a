import { weekdays } from "../plan/document.js";
import { type CompiledCalendar, DAY, MINUTE } from "../sla/calendar.js";

/**
 * Free call slots of one engineer, pure. Slots start at each open interval's local start and follow each other
 * every `slotMinutes` of local time; a slot is offered only when the calendar is open for the whole of it in real
 * time (so a holiday, a lunch break or an hour skipped by a clock change removes it), it starts after `notBefore`,
 * and it overlaps no busy span. Local times map to instants through the compiled calendar, DST-correctly.
 */

export interface Slot {
  start: number;
  end: number;
}

export interface SlotQuery {
  calendar: CompiledCalendar;
  slotMinutes: number;
  from: number;
  to: number;
  /** Booked spans [start, end) of the engineer. */
  busy: readonly Slot[];
  /** The earliest start offered (now plus the notice a booking needs). */
  notBefore: number;
}

const minuteOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Local day intervals in minutes of the day: the week's, or the whole day for an always-open calendar. */
function dayIntervals(calendar: CompiledCalendar, dayWall: number): [number, number][] {
  if (calendar.alwaysOpen) return [[0, 24 * 60]];
  const weekday = weekdays[(new Date(dayWall).getUTCDay() + 6) % 7]!;
  return calendar.definition.week[weekday]
    .map((i) => [minuteOf(i.start), minuteOf(i.end)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

export function freeSlots(q: SlotQuery): Slot[] {
  const slotMs = q.slotMinutes * MINUTE;
  if (!(slotMs > 0) || q.to <= q.from) return [];
  const busy = [...q.busy].sort((a, b) => a.start - b.start);
  const out: Slot[] = [];
  const seen = new Set<number>();
  const firstWall = q.calendar.wallOf(q.from);
  let dayWall = firstWall - (((firstWall % DAY) + DAY) % DAY);
  const lastWall = q.calendar.wallOf(q.to);
  for (; dayWall <= lastWall; dayWall += DAY) {
    for (const [open, close] of dayIntervals(q.calendar, dayWall)) {
      for (let m = open; m + q.slotMinutes <= close; m += q.slotMinutes) {
        const start = q.calendar.instantOf(dayWall + m * MINUTE);
        const end = start + slotMs;
        if (seen.has(start) || start < q.from || end > q.to || start < q.notBefore) continue;
        if (q.calendar.openBetween(start, end) !== slotMs) continue;
        if (overlaps(busy, start, end)) continue;
        seen.add(start);
        out.push({ start, end });
      }
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Whether [start, end) overlaps any of the sorted busy spans. */
export function overlaps(busy: readonly Slot[], start: number, end: number): boolean {
  for (const b of busy) {
    if (b.start >= end) return false;
    if (b.end > start) return true;
  }
  return false;
}
