import type { FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobContext, JobQueue } from "../../platform/jobs/queue.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { type Aggregation, aggregate, type Point } from "./aggregate.js";
import { ExpositionError, type Family, parseExposition } from "./exposition.js";
import { type CpuReading, collectHost, usageGauges } from "./host.js";
import {
  type MetricsRepository,
  type PointColumn,
  ROLLUPS,
  type SeriesPoints,
  type SeriesRow,
  seriesPoints,
  type TargetRow,
} from "./repository.js";

export const SCRAPE_JOB = "metrics.scrape";
export const ROLLUP_JOB = "metrics.rollup";
const DAY = 86_400_000;
const TOUCH_INTERVAL = 3_600_000;

export interface MetricsOptions {
  nodeId: string;
  retention: { rawDays: number; fiveMinuteDays: number; hourDays: number };
}

export const defaultRetention = { rawDays: 7, fiveMinuteDays: 90, hourDays: 730 };

export interface TargetInput {
  name: string;
  kind?: "http" | "host";
  url?: string | null;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  labels?: Record<string, string>;
  maxSeries?: number;
  maxBytes?: number;
  enabled?: boolean;
}

export interface LabelMatcher {
  name: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

export interface QueryInput {
  metric: string;
  match: LabelMatcher[];
  from: number;
  to: number;
  stepSeconds: number;
  fn: Aggregation;
  quantile?: number;
}

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export function targetView(row: TargetRow) {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as "http" | "host",
    url: row.url,
    intervalSeconds: row.interval_seconds,
    timeoutSeconds: row.timeout_seconds,
    labels: JSON.parse(row.labels) as Record<string, string>,
    maxSeries: row.max_series,
    maxBytes: row.max_bytes,
    enabled: Boolean(row.enabled),
    lastScrapeAt: row.last_scrape_at,
    lastDurationMs: row.last_duration_ms,
    lastSamples: row.last_samples,
    lastError: row.last_error,
    seriesCount: row.series_count,
    seriesCapped: Boolean(row.series_capped),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Parses `name=value`, `name!=value`, `name=~re`, `name!~re` (values may be double-quoted). */
export function parseMatcher(text: string): LabelMatcher | null {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) return null;
  let value = m[3]!;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  if (m[2] === "=~" || m[2] === "!~") {
    try {
      new RegExp(value);
    } catch {
      return null;
    }
  }
  return { name: m[1]!, op: m[2] as LabelMatcher["op"], value };
}

export function matchesLabels(ms: readonly LabelMatcher[], labels: Record<string, string>): boolean {
  return ms.every((m) => {
    const v = labels[m.name] ?? "";
    switch (m.op) {
      case "=":
        return v === m.value;
      case "!=":
        return v !== m.value;
      case "=~":
        return new RegExp(`^(?:${m.value})$`).test(v);
      default:
        return !new RegExp(`^(?:${m.value})$`).test(v);
    }
  });
}

export const labelsKey = (labels: Record<string, string>) =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );

/**
 * A sample's name and labels as the exporter wrote them, in its order, length-prefixed so no label value can
 * pass for another label: exporters repeat their order every scrape, so this finds the series without the
 * sort and JSON of `labelsKey`.
 */
export function sampleIdentity(name: string, labels: Record<string, string>): string {
  let key = name;
  for (const k in labels) {
    const v = labels[k]!;
    key += `\u0000${k}=${v.length}:${v}`;
  }
  return key;
}

/** A target's series ids: by the stored key, and by the exporter's own writing of each sample (the hot path). */
interface KnownSeries {
  byKey: Map<string, number>;
  bySample: Map<string, number>;
  /** The target's base labels the `bySample` entries were resolved with. */
  baseKey: string;
}

class ScrapeError extends Error {}

/**
 * Scrape targets, sample storage and queries. Each scrape is one job whose dedupe key is the target and
 * its slot in time, so with any number of nodes a target is scraped once per interval; the job enqueues
 * the next slot. Samples roll up to 5 minutes and 1 hour every 5 minutes.
 */
export class MetricsService {
  /** Series ids by target, so a steady scrape inserts samples only. */
  readonly #series = new Map<string, KnownSeries>();
  readonly #cpu = new Map<string, CpuReading>();
  /**
   * When each target's series were last marked seen: at most once an hour, since only retention (days) reads
   * it. Once a minute, that UPDATE of every series of the target was most of PostgreSQL's ingest time.
   */
  readonly #touched = new Map<string, number>();

  private readonly repo: MetricsRepository;
  private readonly jobs: JobQueue;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly log: Logger;
  private readonly options: MetricsOptions;

  constructor(deps: {
    repo: MetricsRepository;
    jobs: JobQueue;
    clock: Clock;
    audit: AuditService;
    log: Logger;
    options: MetricsOptions;
  }) {
    this.repo = deps.repo;
    this.jobs = deps.jobs;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.log = deps.log;
    this.options = deps.options;
  }

  async start(timezone: string): Promise<void> {
    await this.jobs.schedule("metrics-rollup", ROLLUP_JOB, "*/5 * * * *", timezone);
    for (const t of await this.repo.listTargets()) if (t.enabled) await this.#enqueueNext(t);
  }

  // targets ----------------------------------------------------------------------------------------------

  listTargets() {
    return this.repo.listTargets().then((rows) => rows.map(targetView));
  }

  async getTarget(id: string) {
    const row = await this.repo.findTarget(id);
    if (!row) throw Problem.notFound(`Scrape target ${id}`);
    return targetView(row);
  }

  async createTarget(actor: Actor, input: TargetInput, req?: RequestInfo) {
    const kind = input.kind ?? "http";
    this.#checkTarget(kind, input);
    if (await this.repo.findTargetByName(input.name))
      throw Problem.conflict(`a scrape target named ${input.name} exists`);
    const now = this.clock.now().toISOString();
    const id = uuidv7();
    const values = {
      id,
      name: input.name,
      kind,
      url: kind === "http" ? input.url! : null,
      interval_seconds: input.intervalSeconds ?? 60,
      timeout_seconds: input.timeoutSeconds ?? 10,
      labels: input.labels ?? {},
      max_series: input.maxSeries ?? 10_000,
      max_bytes: input.maxBytes ?? 10 * 1024 * 1024,
      enabled: input.enabled ?? true,
      last_scrape_at: null,
      last_duration_ms: null,
      last_samples: null,
      last_error: null,
      series_count: 0,
      series_capped: false,
      created_at: now,
      updated_at: now,
    };
    await this.repo.insertTarget(values);
    await this.audit.record({
      action: "scrape_target.created",
      actor,
      target: { type: "scrape_target", id },
      request: req,
      details: { name: input.name, url: values.url },
    });
    const row = (await this.repo.findTarget(id))!;
    if (row.enabled) await this.#enqueueNext(row);
    return targetView(row);
  }

  async updateTarget(actor: Actor, id: string, input: Partial<TargetInput>, req?: RequestInfo) {
    const before = await this.getTarget(id);
    const merged = { ...before, ...input };
    this.#checkTarget(before.kind, merged);
    if (input.name && input.name !== before.name && (await this.repo.findTargetByName(input.name)))
      throw Problem.conflict(`a scrape target named ${input.name} exists`);
    await this.repo.updateTarget(id, {
      name: merged.name,
      url: before.kind === "http" ? (merged.url ?? null) : null,
      interval_seconds: merged.intervalSeconds,
      timeout_seconds: merged.timeoutSeconds,
      labels: merged.labels,
      max_series: merged.maxSeries,
      max_bytes: merged.maxBytes,
      enabled: merged.enabled,
      updated_at: this.clock.now().toISOString(),
    });
    const after = await this.getTarget(id);
    await this.audit.record({
      action: "scrape_target.updated",
      actor,
      target: { type: "scrape_target", id },
      request: req,
      change: { before, after },
    });
    const row = (await this.repo.findTarget(id))!;
    if (row.enabled) await this.#enqueueNext(row);
    return after;
  }

  async deleteTarget(actor: Actor, id: string, req?: RequestInfo) {
    const before = await this.getTarget(id);
    await this.repo.deleteTarget(id);
    this.#series.delete(id);
    await this.audit.record({
      action: "scrape_target.deleted",
      actor,
      target: { type: "scrape_target", id },
      request: req,
      details: { name: before.name },
    });
  }

  #checkTarget(kind: string, input: Partial<TargetInput>) {
    const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });
    if (kind === "http") {
      let url: URL;
      try {
        url = new URL(input.url ?? "");
      } catch {
        throw invalid("/url", "an http target needs an absolute http(s) URL");
      }
      if (url.protocol !== "http:" && url.protocol !== "https:")
        throw invalid("/url", "only http and https are scraped");
    } else if (input.url) throw invalid("/url", "the host collector takes no URL");
    if (
      input.timeoutSeconds !== undefined &&
      input.intervalSeconds !== undefined &&
      input.timeoutSeconds > input.intervalSeconds
    )
      throw invalid("/timeoutSeconds", "the timeout cannot exceed the interval");
    for (const name of Object.keys(input.labels ?? {}))
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw invalid(`/labels/${name}`, `"${name}" is not a label name`);
  }

  // scraping ---------------------------------------------------------------------------------------------

  /** Scrape slots are aligned on the interval, so every node computes the same dedupe key for a slot. */
  async #enqueueNext(target: TargetRow, after = this.clock.now()) {
    const ms = target.interval_seconds * 1000;
    const slot = (Math.floor(after.getTime() / ms) + 1) * ms;
    await this.jobs.enqueue(
      SCRAPE_JOB,
      { targetId: target.id },
      {
        runAt: new Date(slot),
        dedupeKey: `scrape:${target.id}:${slot}`,
      },
    );
  }

  /** The `metrics.scrape` job: one target's scrape in its time slot, then the next slot queued. */
  async scrapeJob(job: JobContext<{ targetId: string }>) {
    const target = await this.repo.findTarget(job.payload.targetId);
    if (!target?.enabled) return;
    try {
      await this.scrape(target, job.signal);
    } finally {
      await this.#enqueueNext(target);
    }
  }

  /** Scrapes one target now and stores its samples; failures are recorded on the target, never thrown. */
  async scrape(target: TargetRow, signal?: AbortSignal): Promise<{ samples: number; error: string | null }> {
    const at = this.clock.now().getTime();
    const startedMs = performance.now();
    let error: string | null = null;
    let stored = 0;
    let capped = false;
    let seriesCount = target.series_count;
    try {
      const families =
        target.kind === "host"
          ? await collectHost()
          : parseExposition(await this.#fetch(target, signal), { maxSamples: target.max_series * 4 });
      const derived = usageGauges(families, this.#cpu.get(target.id));
      if (derived.cpu) this.#cpu.set(target.id, derived.cpu);
      const base = {
        ...JSON.parse(target.labels),
        target: target.name,
        ...(target.kind === "host" ? { instance: this.options.nodeId } : {}),
      };
      const result = await this.ingest(target, [...families, ...derived.families], base, at);
      stored = result.stored;
      capped = result.capped;
      seriesCount = result.seriesCount;
      if (capped)
        error = `series limit of ${target.max_series} reached: new series were dropped (label-cardinality explosion?)`;
    } catch (err) {
      error = err instanceof ExpositionError ? `malformed exposition at ${err.message}` : (err as Error).message;
      this.log.warn({ target: target.name, err: error }, "scrape failed");
    }
    await this.repo.updateTarget(target.id, {
      last_scrape_at: this.clock.now().toISOString(),
      last_duration_ms: Math.round(performance.now() - startedMs),
      last_samples: stored,
      last_error: error,
      series_count: seriesCount,
      series_capped: capped,
    });
    return { samples: stored, error };
  }

  async #fetch(target: TargetRow, outer?: AbortSignal): Promise<string> {
    const timeout = AbortSignal.timeout(target.timeout_seconds * 1000);
    const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
    try {
      const res = await fetch(target.url!, {
        signal,
        headers: { accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1" },
      });
      if (!res.ok) throw new ScrapeError(`HTTP ${res.status} from ${target.url}`);
      const declared = Number(res.headers.get("content-length") ?? "0");
      if (declared > target.max_bytes) {
        await res.body?.cancel();
        throw new ScrapeError(`response of ${declared} bytes exceeds the limit of ${target.max_bytes}`);
      }
      const reader = res.body!.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > target.max_bytes) {
          await reader.cancel();
          throw new ScrapeError(`response exceeds the limit of ${target.max_bytes} bytes`);
        }
        chunks.push(value);
      }
      return Buffer.concat(chunks).toString("utf8");
    } catch (err) {
      if (timeout.aborted) throw new ScrapeError(`timed out after ${target.timeout_seconds} s`);
      if (err instanceof ScrapeError) throw err;
      throw new ScrapeError(
        `cannot scrape ${target.url}: ${(err as Error).cause ? String((err as any).cause?.message ?? err) : (err as Error).message}`,
      );
    }
  }

  /**
   * Stores families as samples of the target's series at `at` (or the sample's own timestamp). New series
   * past the target's cap are dropped; non-finite values (NaN staleness markers, ±Inf) are not stored.
   */
  async ingest(
    target: Pick<TargetRow, "id" | "max_series">,
    families: readonly Family[],
    base: Record<string, string>,
    at: number,
  ) {
    const baseKey = labelsKey(base);
    let known = this.#series.get(target.id);
    if (!known) {
      const rows = await this.repo.seriesOfTarget(target.id);
      known = { byKey: new Map(rows.map((s) => [`${s.metric}|${s.labels_key}`, s.id])), bySample: new Map(), baseKey };
      this.#series.set(target.id, known);
    }
    // Sample identities were resolved with the base labels of their time: new base labels, new series.
    if (known.baseKey !== baseKey || known.bySample.size > 2 * target.max_series + 1_000) {
      known.bySample.clear();
      known.baseKey = baseKey;
    }
    const { byKey, bySample } = known;
    const pending = new Map<string, { metric: string; labels: Record<string, string>; labels_key: string }>();
    const unresolved: { sampleKey: string; key: string; t: number; value: number }[] = [];
    const ids: number[] = [];
    const times: number[] = [];
    const values: number[] = [];
    let capped = false;
    for (const f of families)
      for (const s of f.samples) {
        if (!Number.isFinite(s.value)) continue;
        const t = s.timestampMs ?? at;
        const sampleKey = sampleIdentity(s.name, s.labels);
        const cached = bySample.get(sampleKey);
        if (cached !== undefined) {
          ids.push(cached);
          times.push(t);
          values.push(s.value);
          continue;
        }
        const labels = { ...s.labels, ...base };
        const lk = labelsKey(labels);
        const key = `${s.name}|${lk}`;
        const id = byKey.get(key);
        if (id !== undefined) {
          bySample.set(sampleKey, id);
          ids.push(id);
          times.push(t);
          values.push(s.value);
          continue;
        }
        if (!pending.has(key)) {
          if (target.max_series - byKey.size - pending.size <= 0) {
            capped = true;
            continue;
          }
          pending.set(key, { metric: s.name, labels, labels_key: lk });
        }
        unresolved.push({ sampleKey, key, t, value: s.value });
      }
    const now = new Date(at).toISOString();
    if (pending.size > 0) {
      const all = await this.repo.createSeries(target.id, [...pending.values()], now);
      for (const s of all) byKey.set(`${s.metric}|${s.labels_key}`, s.id);
      for (const u of unresolved) {
        const id = byKey.get(u.key);
        if (id === undefined) continue;
        bySample.set(u.sampleKey, id);
        ids.push(id);
        times.push(u.t);
        values.push(u.value);
      }
    }
    await this.repo.insertSamples(target.id, ids, times, values);
    if (at - (this.#touched.get(target.id) ?? Number.NEGATIVE_INFINITY) >= TOUCH_INTERVAL) {
      await this.repo.touchSeries(target.id, now, new Date(at - TOUCH_INTERVAL).toISOString());
      this.#touched.set(target.id, at);
    }
    return { stored: ids.length, capped, seriesCount: byKey.size };
  }

  // roll-ups ---------------------------------------------------------------------------------------------

  async rollUp(now = this.clock.now().getTime()): Promise<void> {
    for (const resolution of ROLLUPS) {
      const width = resolution * 1000;
      // The previous bucket (late samples) and the one in progress, again: the upsert makes it idempotent.
      const from = Math.floor(now / width) * width - width;
      await this.repo.rollUp(resolution, from, from + 2 * width);
    }
    const r = this.options.retention;
    await this.repo.prune(
      now - r.rawDays * DAY,
      now - r.fiveMinuteDays * DAY,
      now - r.hourDays * DAY,
      new Date(now - Math.max(r.rawDays, r.fiveMinuteDays, r.hourDays) * DAY).toISOString(),
    );
  }

  // queries ----------------------------------------------------------------------------------------------

  metricNames() {
    return this.repo.metricNames();
  }

  async seriesMatching(metric: string, match: readonly LabelMatcher[]): Promise<SeriesRow[]> {
    return (await this.repo.seriesOfMetric(metric)).filter((s) => matchesLabels(match, s.labels));
  }

  /** Raw points of series in a window (for rule evaluation), grouped by series id. */
  windowPoints(seriesIds: readonly number[], from: number, to: number): Promise<Map<number, Point[]>> {
    return this.repo.rawSamples(seriesIds, from, to);
  }

  /**
   * One value per step and series: raw samples for short steps, else the finest roll-up whose bucket fits
   * the step and is still kept for `from`.
   */
  async query(q: QueryInput) {
    const r = this.options.retention;
    const now = this.clock.now().getTime();
    const step = q.stepSeconds * 1000;
    let resolution = 0;
    if (q.stepSeconds >= 3600 || q.from < now - r.fiveMinuteDays * DAY) resolution = 3600;
    else if (q.stepSeconds >= 300 || q.from < now - r.rawDays * DAY) resolution = 300;
    const series = await this.seriesMatching(q.metric, q.match);
    const ids = series.map((s) => s.id);
    const start = Math.floor(q.from / step) * step;
    let bySeries = new Map<number, SeriesPoints>();
    if (resolution === 0)
      for (const [series_id, samples] of await this.repo.rawSamples(ids, start, q.to)) {
        const points = seriesPoints();
        for (const [t, v] of samples) {
          points.t.push(t);
          points.count.push(1);
          points.sum.push(v);
          points.min.push(v);
          points.max.push(v);
          points.last.push(v);
        }
        bySeries.set(series_id, points);
      }
    else if (resolution === 3600) bySeries = await this.repo.hourPoints(ids, start, q.to);
    else {
      const columns = pointColumns[q.fn];
      for (const p of await this.repo.rollupPoints(ids, resolution, start, q.to, columns)) {
        let points = bySeries.get(p.series_id);
        if (!points) {
          points = seriesPoints();
          bySeries.set(p.series_id, points);
        }
        points.t.push(p.t);
        for (const c of columns) points[c].push(p[c]!);
      }
    }
    return {
      resolution: resolution === 0 ? "raw" : resolution === 300 ? "5m" : "1h",
      series: series.map((s) => ({
        labels: s.labels,
        points: stepValues(bySeries.get(s.id) ?? seriesPoints(), start, q.to, step, q.fn, q.quantile),
      })),
    };
  }
}

/** The bucket columns each aggregation reads. */
export const pointColumns: Readonly<Record<Aggregation, readonly PointColumn[]>> = {
  avg: ["sum", "count"],
  sum: ["sum"],
  count: ["count"],
  min: ["min"],
  max: ["max"],
  last: ["last"],
  rate: ["last"],
  quantile: ["sum", "count"],
};

/**
 * Folds stored points (raw samples or roll-up buckets, oldest first, with `pointColumns[fn]`) into one value
 * per step; a step without points has none. Loops over index ranges: a 30-day query folds tens of thousands.
 */
export function stepValues(
  points: SeriesPoints,
  start: number,
  end: number,
  step: number,
  fn: Aggregation,
  q = 0.95,
): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  let prevLast: Point | undefined;
  for (let t = start; t <= end; t += step) {
    const first = i;
    while (i < points.t.length && points.t[i]! < t + step) i++;
    if (i === first) continue;
    let value: number | null;
    switch (fn) {
      case "avg": {
        let sum = 0;
        let count = 0;
        for (let j = first; j < i; j++) {
          sum += points.sum[j]!;
          count += points.count[j]!;
        }
        value = sum / count;
        break;
      }
      case "sum": {
        let sum = 0;
        for (let j = first; j < i; j++) sum += points.sum[j]!;
        value = sum;
        break;
      }
      case "count": {
        let count = 0;
        for (let j = first; j < i; j++) count += points.count[j]!;
        value = count;
        break;
      }
      case "min": {
        let min = Number.POSITIVE_INFINITY;
        for (let j = first; j < i; j++) min = Math.min(min, points.min[j]!);
        value = min;
        break;
      }
      case "max": {
        let max = Number.NEGATIVE_INFINITY;
        for (let j = first; j < i; j++) max = Math.max(max, points.max[j]!);
        value = max;
        break;
      }
      case "last":
        value = points.last[i - 1]!;
        break;
      case "rate": {
        // Counter increase across the step, from the last value before it when there is one.
        const pts: Point[] = prevLast ? [prevLast] : [];
        for (let j = first; j < i; j++) pts.push([points.t[j]!, points.last[j]!]);
        value = aggregate("rate", pts);
        prevLast = pts.at(-1);
        break;
      }
      default: {
        const pts: Point[] = [];
        for (let j = first; j < i; j++) pts.push([points.t[j]!, points.sum[j]! / points.count[j]!]);
        value = aggregate("quantile", pts, q);
      }
    }
    if (value !== null && Number.isFinite(value)) out.push([t, value]);
  }
  return out;
}
