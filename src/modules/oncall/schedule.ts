import { IANAZone } from "luxon";
import { DAY, instantToWall, MINUTE, wallToInstant } from "../sla/calendar.js";

/**
 * Who is on call, as a pure function of a rotation, its overrides and an instant. A rotation has layers: each
 * hands off daily or weekly at a local time in the rotation's IANA zone, cycling through its participants from
 * its first day, optionally only between two local times and only on holidays (or only on other days). A later
 * layer is above an earlier one where it covers the time; an override is above every layer (the later-created
 * of two overlapping overrides wins). Local times map to instants as the SLA calendars map them: a time skipped
 * by a clock change is the instant of the change, a time that happens twice is its first occurrence.
 */

export interface Layer {
  name: string;
  /** User ids, in the order they take the shift. */
  participants: string[];
  handoff: { every: "day" | "week"; at: string };
  /** Local date (YYYY-MM-DD) of the first hand-off; weekly hand-offs fall on its weekday. */
  startsOn: string;
  /** Only between these local times each day (`from` after `to` runs past midnight); null: all day. */
  between?: { from: string; to: string } | null;
  /** `holidays`: only on holidays of the rotation's calendar; `workdays`: only on other days. */
  days?: "all" | "holidays" | "workdays";
}

export interface RotationSpec {
  timezone: string;
  /** Lowest first: a later layer covers the ones before it where it is active. */
  layers: Layer[];
}

export interface Override {
  id: string;
  userId: string;
  startsAt: number;
  endsAt: number;
}

/** Whether a local date (YYYY-MM-DD) is a holiday of the rotation's calendar. */
export type IsHoliday = (date: string) => boolean;

export type Source = { type: "layer"; index: number } | { type: "override"; id: string };

export interface Segment {
  start: number;
  end: number;
  /** Null: nobody is on call (a gap). */
  userId: string | null;
  source: Source | null;
}

export type Warning =
  | { kind: "gap"; start: number; end: number }
  | { kind: "overlap"; start: number; end: number; overrideIds: [string, string] };

/** The longest span a schedule is computed over at once. */
export const MAX_SCHEDULE_MS = 93 * DAY;

const minuteOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const dayOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY);
const dateOfDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const floorDiv = (a: number, b: number) => Math.floor(a / b);

/** A rotation compiled for one zone: the local arithmetic every evaluation needs. */
class Compiled {
  readonly zone: IANAZone;
  constructor(
    readonly spec: RotationSpec,
    readonly isHoliday: IsHoliday,
  ) {
    this.zone = IANAZone.create(spec.timezone);
    if (!this.zone.isValid) throw new RangeError(`unknown time zone ${spec.timezone}`);
  }

  /** The instant of local minute `minute` of local day `day` (days since 1970-01-01). */
  instant(day: number, minute: number): number {
    return wallToInstant(this.zone, day * DAY + minute * MINUTE);
  }

  /** Who the layer puts on call at `t`, or null when it does not cover `t`. */
  layerAt(layer: Layer, t: number): string | null {
    if (!layer.participants.length) return null;
    const wall = instantToWall(this.zone, t);
    const today = Math.floor(wall / DAY);
    if (layer.days && layer.days !== "all") {
      const holiday = this.isHoliday(dateOfDay(today));
      if ((layer.days === "holidays") !== holiday) return null;
    }
    if (layer.between) {
      const m = Math.floor((wall - today * DAY) / MINUTE);
      const from = minuteOf(layer.between.from);
      const to = minuteOf(layer.between.to);
      const inside = from < to ? m >= from && m < to : from > to ? m >= from || m < to : true;
      if (!inside) return null;
    }
    const at = minuteOf(layer.handoff.at);
    // The local day on which the running daily shift began: today, unless today's hand-off is still to come.
    const shiftDay = t >= this.instant(today, at) ? today : today - 1;
    const since = shiftDay - dayOf(layer.startsOn);
    if (since < 0) return null;
    const k = layer.handoff.every === "day" ? since : floorDiv(since, 7);
    return layer.participants[k % layer.participants.length]!;
  }

  at(overrides: readonly Override[], t: number): { userId: string; source: Source } | null {
    for (let i = overrides.length - 1; i >= 0; i--) {
      const o = overrides[i]!;
      if (t >= o.startsAt && t < o.endsAt) return { userId: o.userId, source: { type: "override", id: o.id } };
    }
    for (let i = this.spec.layers.length - 1; i >= 0; i--) {
      const userId = this.layerAt(this.spec.layers[i]!, t);
      if (userId !== null) return { userId, source: { type: "layer", index: i } };
    }
    return null;
  }

  /** Every instant in [from, to) at which the answer may change: local midnights, hand-offs, layer hours, overrides. */
  boundaries(overrides: readonly Override[], from: number, to: number): number[] {
    const points = new Set<number>([from]);
    const first = Math.floor(instantToWall(this.zone, from) / DAY) - 1;
    const last = Math.floor(instantToWall(this.zone, to) / DAY) + 1;
    const minutes = new Set<number>([0]);
    for (const layer of this.spec.layers) {
      minutes.add(minuteOf(layer.handoff.at));
      if (layer.between) {
        minutes.add(minuteOf(layer.between.from) % 1440);
        minutes.add(minuteOf(layer.between.to) % 1440);
      }
    }
    for (let day = first; day <= last; day++) {
      for (const m of minutes) points.add(this.instant(day, m));
    }
    for (const o of overrides) {
      points.add(o.startsAt);
      points.add(o.endsAt);
    }
    return [...points].filter((p) => p >= from && p < to).sort((a, b) => a - b);
  }
}

const sameSource = (a: Source | null, b: Source | null) =>
  a === null || b === null
    ? a === b
    : a.type === "layer"
      ? b.type === "layer" && a.index === b.index
      : b.type === "override" && a.id === b.id;

/** Overrides in the order they apply: the later-created (later in the list) wins where two overlap. */
function overlaps(overrides: readonly Override[], from: number, to: number): Warning[] {
  const out: Warning[] = [];
  for (let i = 0; i < overrides.length; i++) {
    for (let j = i + 1; j < overrides.length; j++) {
      const a = overrides[i]!;
      const b = overrides[j]!;
      const start = Math.max(a.startsAt, b.startsAt, from);
      const end = Math.min(a.endsAt, b.endsAt, to);
      if (start < end && a.userId !== b.userId) out.push({ kind: "overlap", start, end, overrideIds: [a.id, b.id] });
    }
  }
  return out;
}

/**
 * Who is on call over [from, to): consecutive segments (a change of person or of what put them there starts a
 * new one), with a warning for each gap (nobody on call) and each pair of overlapping overrides that disagree.
 */
export function schedule(
  spec: RotationSpec,
  overrides: readonly Override[],
  from: number,
  to: number,
  isHoliday: IsHoliday,
): { segments: Segment[]; warnings: Warning[] } {
  if (!(to > from)) throw new RangeError("the schedule's end must be after its start");
  if (to - from > MAX_SCHEDULE_MS) throw new RangeError("a schedule spans at most 93 days");
  const c = new Compiled(spec, isHoliday);
  const segments: Segment[] = [];
  const points = c.boundaries(overrides, from, to);
  for (let i = 0; i < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1] ?? to;
    const who = c.at(overrides, start);
    const last = segments.at(-1);
    const userId = who?.userId ?? null;
    const source = who?.source ?? null;
    if (last && last.userId === userId && sameSource(last.source, source)) last.end = end;
    else segments.push({ start, end, userId, source });
  }
  const gaps: Warning[] = segments
    .filter((s) => s.userId === null)
    .map((s) => ({ kind: "gap" as const, start: s.start, end: s.end }));
  return { segments, warnings: [...gaps, ...overlaps(overrides, from, to)] };
}

/** Who is on call at `t`, with the span of that assignment (searched up to 8 days either side). */
export function onCallAt(
  spec: RotationSpec,
  overrides: readonly Override[],
  t: number,
  isHoliday: IsHoliday,
): (Segment & { userId: string; source: Source }) | null {
  const { segments } = schedule(spec, overrides, t - 8 * DAY, t + 8 * DAY, isHoliday);
  const hit = segments.find((s) => s.start <= t && t < s.end);
  return hit && hit.userId !== null ? (hit as Segment & { userId: string; source: Source }) : null;
}
