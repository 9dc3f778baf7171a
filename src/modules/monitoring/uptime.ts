import type { Status } from "./state-machine.js";

/**
 * Uptime from state intervals, time-weighted (pure). Counting checks would be biased whenever the interval
 * changes or checks are missed; time spent in each status is not.
 *
 * - up: UP and DEGRADED (the service answered);
 * - down: DOWN and PENDING (failing, as Uptime Kuma counts it: a confirmed outage began with its first failure);
 * - excluded: MAINTENANCE, UNREACHABLE (the parent's outage is where that time is counted), and time with no
 *   interval at all (before the monitor existed, or in the future).
 */
export interface StateInterval {
  status: Status;
  startedAt: string;
  /** Null while the interval is the current one. */
  endedAt: string | null;
}

export interface UptimeReport {
  from: string;
  to: string;
  /** up / (up + down), from 0 to 1; null when the window holds no counted time. */
  uptime: number | null;
  /** Seconds per status inside the window, and `NONE` for time without an interval. */
  seconds: Record<Status | "NONE", number>;
  upSeconds: number;
  downSeconds: number;
  /** Seconds left out: maintenance, unreachable and no data. */
  excludedSeconds: number;
  /** DOWN intervals that began inside the window. */
  outages: number;
}

const UP = new Set<Status>(["UP", "DEGRADED"]);
const DOWN = new Set<Status>(["DOWN", "PENDING"]);

export function uptime(intervals: readonly StateInterval[], from: Date, to: Date, now: Date): UptimeReport {
  const start = from.getTime();
  // Nothing is known past now: an open interval ends there, and the rest of the window is no data.
  const end = Math.max(start, Math.min(to.getTime(), now.getTime()));
  const ms: Record<Status | "NONE", number> = {
    UP: 0,
    DEGRADED: 0,
    DOWN: 0,
    PENDING: 0,
    MAINTENANCE: 0,
    UNREACHABLE: 0,
    NONE: 0,
  };
  let outages = 0;
  // Sorted by start; an interval overlapping the previous one counts only from where that one ended.
  const sorted = [...intervals].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  let covered = start;
  for (const i of sorted) {
    const s = Math.max(Date.parse(i.startedAt), covered);
    const e = Math.min(i.endedAt === null ? end : Date.parse(i.endedAt), end);
    if (i.status === "DOWN" && Date.parse(i.startedAt) >= start && Date.parse(i.startedAt) < end) outages++;
    if (e <= s) continue;
    ms[i.status] += e - s;
    covered = e;
  }
  const known = Object.values(ms).reduce((a, b) => a + b, 0);
  ms.NONE = Math.max(0, to.getTime() - start - known);
  let upMs = 0;
  let downMs = 0;
  for (const s of UP) upMs += ms[s];
  for (const s of DOWN) downMs += ms[s];
  const seconds = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v / 1000])) as UptimeReport["seconds"];
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    uptime: upMs + downMs > 0 ? upMs / (upMs + downMs) : null,
    seconds,
    upSeconds: upMs / 1000,
    downSeconds: downMs / 1000,
    excludedSeconds: (ms.MAINTENANCE + ms.UNREACHABLE + ms.NONE) / 1000,
    outages,
  };
}
