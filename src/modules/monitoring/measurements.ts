import { DateTime } from "luxon";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { type AggregateRow, type Resolution, rebucket, resolutionFor } from "./aggregates.js";
import type { LastCheck, MonitoringRepository } from "./repository.js";
import type { Retention } from "./service.js";
import type { Status } from "./state-machine.js";
import { type StateInterval, uptime } from "./uptime.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const MAX_POINTS = 2000;
const DEFAULT_POINTS = 300;

/** The ids asked for that `known` holds, each once, in the order asked. */
export const inOrder = (ids: string[], known: ReadonlyMap<string, unknown>) =>
  ids.filter((id, i) => known.has(id) && ids.indexOf(id) === i);

export type StoredCheck = { at: string | null; latencyMs: number | null };

/**
 * The engine's own last check when this node runs the monitor and it is newer than the stored one (which
 * waits for the minute flush), else the stored one.
 */
export const freshest = (stored: StoredCheck, live: LastCheck | null): StoredCheck =>
  live && (!stored.at || live.at > stored.at) ? live : stored;

export interface MonitorMeasurementsDeps {
  repo: MonitoringRepository;
  clock: Clock;
  log: Logger;
  retention: Retention;
  /** The engine's own last check of a monitor this node runs. */
  lastCheck: (id: string) => LastCheck | null;
}

/**
 * What monitors measured, read back: uptime over windows and days, the dashboard overview, latency series at
 * the resolution a window needs, state history; and the roll-ups and retention that keep those reads cheap.
 */
export class MonitorMeasurements {
  constructor(private readonly deps: MonitorMeasurementsDeps) {}

  async #known(id: string): Promise<void> {
    if (!(await this.deps.repo.find(id))) throw Problem.notFound("Monitor");
  }

  // history -------------------------------------------------------------------------------------
  #window(q: { from?: string; to?: string }, pointer = "/from") {
    const to = q.to ? new Date(q.to) : this.deps.clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY);
    if (from.getTime() >= to.getTime()) {
      throw Problem.invalid({ in: "querystring", pointer, message: "must be before `to`" });
    }
    return { from, to };
  }

  async uptime(id: string, q: { from?: string; to?: string }) {
    await this.#known(id);
    return (await this.uptimes([id], q))[0]!;
  }

  /** Uptime of several monitors over one window, in one read (a dashboard page); unknown ids are left out. */
  async uptimes(ids: string[], q: { from?: string; to?: string }) {
    const { from, to } = this.#window(q);
    const known = await this.deps.repo.existing(ids);
    const byMonitor = await this.#intervalsOf(known, from, to);
    const now = this.deps.clock.now();
    return inOrder(ids, byMonitor).map((id) => ({ monitorId: id, ...uptime(byMonitor.get(id)!, from, to, now) }));
  }

  /** Current status of each known monitor of `ids` (null before its first state); unknown ids are left out. */
  async statuses(ids: readonly string[]): Promise<Map<string, Status | null>> {
    const known = ids.length ? await this.deps.repo.existing([...ids]) : [];
    const states = new Map((await this.deps.repo.states(known)).map((s) => [s.monitor_id, s.status as Status]));
    return new Map(known.map((id) => [id, states.get(id) ?? null]));
  }

  /**
   * Uptime of each monitor per calendar day in `zone`, for the `days` days ending with today (oldest first), from
   * one read of the intervals; maintenance is left out as in `uptime`.
   */
  async dailyUptime(ids: readonly string[], days: number, zone: string): Promise<Map<string, (number | null)[]>> {
    const now = this.deps.clock.now();
    const today = DateTime.fromJSDate(now, { zone }).startOf("day");
    const starts = Array.from({ length: days + 1 }, (_, i) => today.minus({ days: days - 1 - i }).toJSDate());
    const known = ids.length ? await this.deps.repo.existing([...ids]) : [];
    const byMonitor = await this.#intervalsOf(known, starts[0]!, starts[days]!);
    const bounds = starts.map((d) => d.getTime());
    return new Map(
      known.map((id) => {
        // Each day is given only the intervals overlapping it (the result is the same): a day's uptime over all
        // 90 days of intervals, sorted again per day, made a 50-monitor page a second of CPU on the event loop.
        const spans = byMonitor.get(id)!.map((i) => ({
          i,
          from: Date.parse(i.startedAt),
          to: i.endedAt === null ? Number.POSITIVE_INFINITY : Date.parse(i.endedAt),
        }));
        return [
          id,
          Array.from({ length: days }, (_, d) => {
            const [from, to] = [bounds[d]!, bounds[d + 1]!];
            const overlapping = spans.filter((x) => x.from < to && x.to > from).map((x) => x.i);
            return uptime(overlapping, starts[d]!, starts[d + 1]!, now).uptime;
          }),
        ];
      }),
    );
  }

  /** Each monitor's intervals overlapping [from, to), in one read; every one of `ids` has an entry. */
  async #intervalsOf(ids: string[], from: Date, to: Date): Promise<Map<string, StateInterval[]>> {
    const rows = ids.length ? await this.deps.repo.intervals(ids, from.toISOString(), to.toISOString()) : [];
    const byMonitor = new Map<string, StateInterval[]>(ids.map((id) => [id, []]));
    for (const r of rows) {
      byMonitor.get(r.monitor_id)?.push({ status: r.status as Status, startedAt: r.started_at, endedAt: r.ended_at });
    }
    return byMonitor;
  }

  /**
   * What a dashboard card shows, for a page of cards in three reads: uptime over the last 24 h, 7 d and 30 d,
   * the last check, and the last hour's minutes. Unknown ids are left out.
   */
  async overview(ids: string[]) {
    const now = this.deps.clock.now();
    const minutesFrom = new Date(Math.floor(now.getTime() / MINUTE) * MINUTE - HOUR);
    const checks = await this.deps.repo.lastChecks(ids);
    const known = [...checks.keys()];
    const [byMonitor, minutes] = await Promise.all([
      this.#intervalsOf(known, new Date(now.getTime() - 30 * DAY), now),
      known.length ? this.deps.repo.minutes(known, minutesFrom.toISOString(), now.toISOString()) : [],
    ]);
    const pointsOf = new Map<string, Array<{ at: string; latencyAvg: number | null; failures: number }>>(
      known.map((id) => [id, []]),
    );
    for (const m of minutes) {
      pointsOf.get(m.monitorId)?.push({ at: m.bucket, latencyAvg: m.latencyAvg, failures: m.failures });
    }
    const ratio = (id: string, days: number) =>
      uptime(byMonitor.get(id)!, new Date(now.getTime() - days * DAY), now, now).uptime;
    const items = inOrder(ids, checks).map((id) => {
      const last = freshest(checks.get(id)!, this.deps.lastCheck(id));
      return {
        monitorId: id,
        uptime24h: ratio(id, 1),
        uptime7d: ratio(id, 7),
        uptime30d: ratio(id, 30),
        lastCheckAt: last.at,
        lastLatencyMs: last.latencyMs,
        minutes: pointsOf.get(id)!,
      };
    });
    return { at: now.toISOString(), minutesFrom: minutesFrom.toISOString(), items };
  }

  async series(id: string, q: { from?: string; to?: string; step?: number }) {
    await this.#known(id);
    const { from, to } = this.#window(q);
    const span = (to.getTime() - from.getTime()) / 1000;
    const step = q.step ?? Math.max(60, Math.ceil(span / DEFAULT_POINTS / 60) * 60);
    if (span / step > MAX_POINTS) {
      throw Problem.invalid({
        in: "querystring",
        pointer: "/step",
        message: `makes more than ${MAX_POINTS} points; use at least ${Math.ceil(span / MAX_POINTS)} s`,
      });
    }
    const resolution = resolutionFor(step);
    const rows = await this.#rows(resolution, id, from.toISOString(), to.toISOString());
    return {
      monitorId: id,
      from: from.toISOString(),
      to: to.toISOString(),
      step,
      resolution,
      points: rebucket(rows, step),
    };
  }

  /** Rows of `resolution`, and after the last rolled-up bucket the finer rows not rolled up yet. */
  async #rows(resolution: Resolution, id: string, from: string, to: string): Promise<AggregateRow[]> {
    const rows = await this.deps.repo.aggregates(resolution, id, from, to);
    if (resolution === "minute") return rows;
    const width = resolution === "day" ? DAY : HOUR;
    const last = rows.at(-1);
    const after = last ? new Date(Date.parse(last.bucket) + width).toISOString() : from;
    if (after >= to) return rows;
    return [...rows, ...(await this.#rows(resolution === "day" ? "hour" : "minute", id, after, to))];
  }

  async history(id: string, page: { limit: number; before?: string; from?: string; to?: string }) {
    await this.#known(id);
    if (page.from && page.to && Date.parse(page.from) >= Date.parse(page.to)) {
      throw Problem.invalid({ in: "querystring", pointer: "/from", message: "must be before `to`" });
    }
    const iso = (v: string | undefined) => (v === undefined ? undefined : new Date(v).toISOString());
    return (await this.deps.repo.history(id, { ...page, from: iso(page.from), to: iso(page.to) })).map((r) => ({
      id: r.id,
      status: r.status as Status,
      reason: r.reason,
      message: r.message,
      startedAt: r.started_at,
      endedAt: r.ended_at,
    }));
  }

  // roll-ups and retention ----------------------------------------------------------------------
  /** Hours from minutes, for the two hours before the current one (the later run repairs a late flush). */
  async rollUpHours(): Promise<void> {
    const hour = Math.floor(this.deps.clock.now().getTime() / HOUR) * HOUR;
    const from = new Date(hour - 2 * HOUR).toISOString();
    await this.deps.repo.rollUp("monitor_minutes", "monitor_hours", 3600, from, new Date(hour).toISOString());
  }

  /** Daily: days from hours for the two days before today, then rows past their retention go. */
  async rollUpDaysAndPrune(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const day = Math.floor(now / DAY) * DAY;
    await this.rollUpHours();
    await this.deps.repo.rollUp(
      "monitor_hours",
      "monitor_days",
      86_400,
      new Date(day - 2 * DAY).toISOString(),
      new Date(day).toISOString(),
    );
    const { retention } = this.deps;
    const removed = {
      minute: await this.deps.repo.prune("minute", new Date(now - retention.minutesHours * HOUR).toISOString()),
      hour: await this.deps.repo.prune("hour", new Date(now - retention.hoursDays * DAY).toISOString()),
      day: await this.deps.repo.prune("day", new Date(now - retention.daysDays * DAY).toISOString()),
    };
    await this.deps.repo.forgetNodes(new Date(now - DAY).toISOString());
    this.deps.log.info({ removed }, "monitor aggregates rolled up and pruned");
  }
}
