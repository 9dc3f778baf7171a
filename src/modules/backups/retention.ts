/**
 * restic 0.14's `forget` selection (internal/restic/snapshot_policy.go, ApplyPolicy) as a pure function, so
 * Plantão can show which rule keeps each snapshot before anything is pruned, and refuse to prune when restic
 * would choose differently.
 *
 * The semantics copied, each one on purpose:
 * - snapshots are walked newest first; a bucket rule keeps the first (newest) snapshot of every calendar
 *   bucket (hour, day, ISO week, month, year) it meets; count rules stop after `n` buckets (-1 = unlimited);
 * - buckets are read from the snapshot's own wall clock, i.e. the UTC offset written in its time;
 * - every `within` window is measured back from the NEWEST snapshot of the group, never from now, with Go's
 *   `AddDate` normalisation (31 March minus one month is 3 March) and a strict "after" comparison;
 * - rules are ORed and a snapshot lists every rule that matched, in restic's order and wording.
 */

export interface ResticDuration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

export interface RetentionPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
  within?: ResticDuration;
  withinHourly?: ResticDuration;
  withinDaily?: ResticDuration;
  withinWeekly?: ResticDuration;
  withinMonthly?: ResticDuration;
  withinYearly?: ResticDuration;
  /** `--keep-tag`: each entry is a set of tags a snapshot must all have. */
  tags?: string[][];
}

export interface PolicySnapshot {
  id: string;
  /** RFC 3339 time as restic writes it, with its UTC offset and up to nanoseconds. */
  time: string;
  tags?: string[] | null;
  hostname?: string;
  paths?: string[];
}

export interface Verdict {
  id: string;
  keep: boolean;
  /** The rules that keep it, in restic's words (`daily within 30d`); empty when it is removed. */
  reasons: string[];
}

const DURATION = /^(?:\d+[ymdh])+$/;

/** Parses restic's duration syntax (`30d`, `3m`, `1y`, `1y2m3d4h`); undefined when it is not one. */
export function parseDuration(text: string): ResticDuration | undefined {
  if (!DURATION.test(text)) return undefined;
  const d: ResticDuration = { years: 0, months: 0, days: 0, hours: 0 };
  for (const [, n, unit] of text.matchAll(/(\d+)([ymdh])/g)) {
    const key = ({ y: "years", m: "months", d: "days", h: "hours" } as const)[unit as "y" | "m" | "d" | "h"];
    d[key] += Number(n);
  }
  return d;
}

/** restic's own rendering (Duration.String), used in the reasons: zero parts are left out. */
export function formatDuration(d: ResticDuration): string {
  return `${d.years ? `${d.years}y` : ""}${d.months ? `${d.months}m` : ""}${d.days ? `${d.days}d` : ""}${d.hours ? `${d.hours}h` : ""}`;
}

const isZero = (d: ResticDuration | undefined) => !d || (!d.years && !d.months && !d.days && !d.hours);

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Offset east of UTC in minutes. */
  offset: number;
  /** Nanoseconds since the epoch: restic compares times to the nanosecond. */
  ns: bigint;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

export function parseSnapshotTime(time: string): Wall {
  const m = TIME.exec(time);
  if (!m) throw new Error(`not a restic snapshot time: ${time}`);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zone = m[8]!;
  const offset =
    zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  const fraction = BigInt((m[7] ?? "").padEnd(9, "0"));
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offset * 60_000;
  return { year, month, day, hour, minute, second, offset, ns: BigInt(ms) * 1_000_000n + fraction };
}

/** Go's time.ISOWeek of a calendar date: [ISO year, week]. */
function isoWeek(year: number, month: number, day: number): [number, number] {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  // The Thursday of this week decides the ISO year.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const isoYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(isoYear, 0, 1)) / 86_400_000 + 1) / 7);
  return [isoYear, week];
}

type Bucker = (w: Wall, nr: number) => number;
const always: Bucker = (_w, nr) => nr;
const ymdh: Bucker = (w) => w.year * 1_000_000 + w.month * 10_000 + w.day * 100 + w.hour;
const ymd: Bucker = (w) => w.year * 10_000 + w.month * 100 + w.day;
const yw: Bucker = (w) => {
  const [y, wk] = isoWeek(w.year, w.month, w.day);
  return y * 100 + wk;
};
const ym: Bucker = (w) => w.year * 100 + w.month;
const y: Bucker = (w) => w.year;

/** The instant `d` before `latest`, computed on latest's wall clock as Go's AddDate then Add(-hours). */
function cutoff(latest: Wall, d: ResticDuration): bigint {
  const ms =
    Date.UTC(
      latest.year - d.years,
      latest.month - 1 - d.months,
      latest.day - d.days,
      latest.hour,
      latest.minute,
      latest.second,
    ) -
    latest.offset * 60_000 -
    d.hours * 3_600_000;
  return BigInt(ms) * 1_000_000n + (latest.ns % 1_000_000_000n);
}

/** Whether the policy has no rule at all; restic then keeps everything ("policy is empty"). */
export function isEmptyPolicy(p: RetentionPolicy): boolean {
  const counts = [p.last, p.hourly, p.daily, p.weekly, p.monthly, p.yearly];
  const windows = [p.within, p.withinHourly, p.withinDaily, p.withinWeekly, p.withinMonthly, p.withinYearly];
  return counts.every((c) => !c) && windows.every(isZero) && !p.tags?.length;
}

/** The verdict for every snapshot of ONE group (restic applies the policy per host and path set). */
export function applyPolicy(snapshots: PolicySnapshot[], p: RetentionPolicy): Verdict[] {
  const list = snapshots
    .map((s) => ({ s, w: parseSnapshotTime(s.time) }))
    .sort((a, b) => (a.w.ns === b.w.ns ? a.s.id.localeCompare(b.s.id) : a.w.ns > b.w.ns ? -1 : 1));
  if (isEmptyPolicy(p)) return list.map(({ s }) => ({ id: s.id, keep: true, reasons: ["policy is empty"] }));
  if (!list.length) return [];

  const buckets = [
    { count: p.last ?? 0, bucker: always, reason: "last snapshot" },
    { count: p.hourly ?? 0, bucker: ymdh, reason: "hourly snapshot" },
    { count: p.daily ?? 0, bucker: ymd, reason: "daily snapshot" },
    { count: p.weekly ?? 0, bucker: yw, reason: "weekly snapshot" },
    { count: p.monthly ?? 0, bucker: ym, reason: "monthly snapshot" },
    { count: p.yearly ?? 0, bucker: y, reason: "yearly snapshot" },
  ].map((b) => ({ ...b, last: -1 }));
  const latest = list.reduce((a, b) => (b.w.ns > a.w.ns ? b : a)).w;
  const windows = [
    { within: p.withinHourly, bucker: ymdh, reason: "hourly within" },
    { within: p.withinDaily, bucker: ymd, reason: "daily within" },
    { within: p.withinWeekly, bucker: yw, reason: "weekly within" },
    { within: p.withinMonthly, bucker: ym, reason: "monthly within" },
    { within: p.withinYearly, bucker: y, reason: "yearly within" },
  ]
    .filter((b): b is typeof b & { within: ResticDuration } => !isZero(b.within))
    .map((b) => ({ ...b, after: cutoff(latest, b.within), last: -1 }));
  const within = isZero(p.within) ? undefined : cutoff(latest, p.within!);

  return list.map(({ s, w }, nr) => {
    const reasons: string[] = [];
    for (const tags of p.tags ?? []) {
      if (tags.every((t) => s.tags?.includes(t))) reasons.push(`has tags [${tags.join(" ")}]`);
    }
    if (within !== undefined && w.ns > within) reasons.push(`within ${formatDuration(p.within!)}`);
    for (const b of buckets) {
      if (b.count === 0) continue;
      const val = b.bucker(w, nr);
      if (val !== b.last) {
        b.last = val;
        if (b.count > 0) b.count--;
        reasons.push(b.reason);
      }
    }
    for (const b of windows) {
      if (w.ns <= b.after) continue;
      const val = b.bucker(w, nr);
      if (val !== b.last) {
        b.last = val;
        reasons.push(`${b.reason} ${formatDuration(b.within)}`);
      }
    }
    return { id: s.id, keep: reasons.length > 0, reasons };
  });
}

/** The same policy as restic command-line flags, for `restic forget`. */
export function policyFlags(p: RetentionPolicy): string[] {
  const flags: string[] = [];
  const count = (flag: string, n: number | undefined) => {
    if (n) flags.push(flag, n < 0 ? "unlimited" : String(n));
  };
  const window = (flag: string, d: ResticDuration | undefined) => {
    if (!isZero(d)) flags.push(flag, formatDuration(d!));
  };
  count("--keep-last", p.last);
  count("--keep-hourly", p.hourly);
  count("--keep-daily", p.daily);
  count("--keep-weekly", p.weekly);
  count("--keep-monthly", p.monthly);
  count("--keep-yearly", p.yearly);
  window("--keep-within", p.within);
  window("--keep-within-hourly", p.withinHourly);
  window("--keep-within-daily", p.withinDaily);
  window("--keep-within-weekly", p.withinWeekly);
  window("--keep-within-monthly", p.withinMonthly);
  window("--keep-within-yearly", p.withinYearly);
  for (const tags of p.tags ?? []) flags.push("--keep-tag", tags.join(","));
  return flags;
}
