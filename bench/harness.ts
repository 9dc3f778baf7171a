import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import pino from "pino";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";
import type { Engine } from "../src/platform/db/dialect.js";
import { createPlatform, type Platform } from "../src/platform/runtime.js";
import { createServices, type Services } from "../src/services.js";
import { NODE_ENV } from "../test/fixtures/nodes.js";

/** Shared by every benchmark: a live server on a scratch database, a load generator, and the JSON result line. */

const postgresUrl = process.env.PLANTAO_BENCH_POSTGRES_URL;

/** SQLite always; PostgreSQL too when PLANTAO_BENCH_POSTGRES_URL names a server to create scratch databases on. */
/** SQLite, plus PostgreSQL when its URL is set; PLANTAO_BENCH_ENGINES=postgres (or sqlite) runs just one. */
export const benchEngines: Engine[] = (
  postgresUrl ? (["sqlite", "postgres"] as Engine[]) : (["sqlite"] as Engine[])
).filter((e) => !process.env.PLANTAO_BENCH_ENGINES || process.env.PLANTAO_BENCH_ENGINES.split(",").includes(e));

/** Seconds per measurement; PLANTAO_BENCH_SECONDS shortens a run (a smoke test), the default is what docs report. */
export const measureSeconds = Number(process.env.PLANTAO_BENCH_SECONDS || 10);

export async function scratchDatabase(engine: Engine): Promise<{ url: string; drop(): Promise<void> }> {
  if (engine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "plantao-bench-"));
    return {
      url: `sqlite:${join(dir, "plantao.db")}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!postgresUrl) throw new Error("PLANTAO_BENCH_POSTGRES_URL is not set");
  const name = `plantao_b_${randomBytes(6).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface BenchServer {
  engine: Engine;
  platform: Platform;
  services: Services;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

/**
 * The real app, migrated and listening on 127.0.0.1, with background jobs off so only requests use the CPU.
 * `configure` runs before listen: seed data through `services`, or add a reference route to the same app.
 */
export async function startBenchServer(
  engine: Engine,
  configure?: (server: Omit<BenchServer, "origin" | "close">) => Promise<void> | void,
  /** The built web app to serve (a browser bench); none by default. */
  webDir?: string,
): Promise<BenchServer> {
  const scratch = await scratchDatabase(engine);
  const dataDir = mkdtempSync(join(tmpdir(), "plantao-bench-data-"));
  const config = loadConfig(
    { PLANTAO_LOG_LEVEL: "silent", PLANTAO_JOBS: "off" },
    { databaseUrl: scratch.url, dataDir, webDir: webDir ?? join(dataDir, "no-web") },
  );
  // The key the node processes of the multi-node benches use too (test/fixtures/nodes.ts).
  // PLANTAO_BENCH_LOG_LEVEL=info logs as a deployed node does (the default level), to /dev/null: the cost of
  // formatting and writing each line without a disk's.
  const level = process.env.PLANTAO_BENCH_LOG_LEVEL || "silent";
  const logger = level === "silent" ? pino({ level }) : pino({ level }, pino.destination({ dest: "/dev/null" }));
  const platform = await createPlatform({ config, logger, env: NODE_ENV });
  const services = createServices(platform);
  const app = await buildApp(platform, services);
  await configure?.({ engine, platform, services, app });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    engine,
    platform,
    services,
    app,
    origin,
    async close() {
      await app.close();
      await platform.close();
      await scratch.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface LoadOptions {
  path: string;
  headers?: Record<string, string>;
  connections?: number;
  seconds?: number;
  /** Seconds of load before measuring, so the JIT, the connection pool and SQLite's page cache are warm. */
  warmupSeconds?: number;
}

export interface LoadResult {
  requestsPerSec: number;
  latencyAvgMs: number;
  latencyP50Ms: number;
  /** autocannon reports no p95; p97.5 is its nearest percentile above it. */
  latencyP97_5Ms: number;
  latencyP99Ms: number;
  requests: number;
  /** CPU time of this process (the server) per answered request in the measured window, in microseconds. */
  cpuUsPerRequest: number;
}

const autocannonCli = createRequire(import.meta.url).resolve("autocannon/autocannon.js");

function autocannon(url: string, connections: number, seconds: number, headers: Record<string, string>) {
  const args = [autocannonCli, "--json", "--no-progress", "-c", String(connections), "-d", String(seconds)];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}=${v}`);
  args.push(url);
  return new Promise<any>((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024, timeout: (seconds + 30) * 1000 }, (err, stdout) =>
      err ? reject(err) : resolve(JSON.parse(stdout)),
    );
  });
}

/**
 * Loads one endpoint as fast as it answers (closed loop, for throughput) with autocannon in a child process: on
 * this 2-core machine the load generator gets its own process and event loop instead of competing with the
 * server's. Any error or non-2xx fails the run. Latency at a fixed rate is `openLoad`'s job.
 */
export async function load(origin: string, opts: LoadOptions): Promise<LoadResult> {
  const url = `${origin}${opts.path}`;
  const connections = opts.connections ?? 10;
  const headers = opts.headers ?? {};
  await autocannon(url, connections, opts.warmupSeconds ?? 3, headers);
  const cpu = process.cpuUsage();
  const r = await autocannon(url, connections, opts.seconds ?? measureSeconds, headers);
  const used = process.cpuUsage(cpu);
  if (r.errors || r.timeouts || r.non2xx) {
    throw new Error(`${opts.path}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx responses`);
  }
  return {
    requestsPerSec: r.requests.average,
    latencyAvgMs: r.latency.average,
    latencyP50Ms: r.latency.p50,
    latencyP97_5Ms: r.latency.p97_5,
    latencyP99Ms: r.latency.p99,
    requests: r.requests.total,
    cpuUsPerRequest: Math.round((used.user + used.system) / Math.max(1, r.requests.total)),
  };
}

export interface OpenLoadOptions {
  path: string;
  rate: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: unknown;
  seconds?: number;
  warmupSeconds?: number;
  /** A file for the generator's trace: its slow requests (> 5 ms) and its own late ticks, in epoch ms. */
  trace?: string;
}

export interface OpenLoadResult {
  requests: number;
  requestsPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time of this process (the server) per request, warm-up included, in microseconds. */
  cpuUsPerRequest: number;
}

const openLoopScript = fileURLToPath(new URL("./open-loop.mjs", import.meta.url));

/**
 * Requests evenly spaced at `rate` per second from a child process, latency measured from each request's due
 * time (see open-loop.mjs for why not autocannon's -R). Any error or non-2xx fails the run.
 */
export async function openLoad(origin: string, opts: OpenLoadOptions): Promise<OpenLoadResult> {
  const seconds = opts.seconds ?? measureSeconds;
  const spec = { ...opts, url: `${origin}${opts.path}`, seconds, warmupSeconds: opts.warmupSeconds ?? 3 };
  const cpu = process.cpuUsage();
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [openLoopScript, JSON.stringify(spec)],
      { maxBuffer: 16 * 1024 * 1024, timeout: (seconds + spec.warmupSeconds + 30) * 1000 },
      (err, out) => (err ? reject(err) : resolve(out)),
    );
  });
  const used = process.cpuUsage(cpu);
  const r = JSON.parse(stdout);
  if (r.failures) throw new Error(`${opts.path}: ${r.failures} failed requests, first: ${r.firstError}`);
  return {
    requests: r.requests,
    requestsPerSec: r.requestsPerSec,
    p50Ms: r.p50,
    p95Ms: r.p95,
    p99Ms: r.p99,
    maxMs: r.max,
    cpuUsPerRequest: Math.round((used.user + used.system) / (r.requests + Math.round(spec.warmupSeconds * opts.rate))),
  };
}

/** One result: `value` and `baseline` measured in the same run, plus whatever context explains them. */
export interface BenchResult {
  name: string;
  metric: string;
  value: number;
  baseline: number;
  [extra: string]: unknown;
}
export type BenchLine = BenchResult & { ratio: number };

/** Prints the benchmark's one JSON line on stdout; a ratio under `minRatio` marks the run as failed. */
export function report(line: BenchResult, minRatio?: number): BenchLine {
  const ratio = Math.round((line.value / line.baseline) * 1000) / 1000;
  const out: BenchLine = { ...line, ratio, ...(minRatio !== undefined ? { minRatio, pass: ratio >= minRatio } : {}) };
  if (minRatio !== undefined && ratio < minRatio) process.exitCode = 1;
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return out;
}

/**
 * PLANTAO_BENCH_CPU_PROFILE=<dir> profiles the measured window only (not start-up, seeding or warm-up) and
 * writes it there as a .cpuprofile (Chrome DevTools, or any flame graph viewer).
 */
export async function startCpuProfile(): Promise<((name: string) => Promise<void>) | null> {
  const dir = process.env.PLANTAO_BENCH_CPU_PROFILE;
  if (!dir) return null;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post("Profiler.enable");
  // 1 ms by default: finer sampling (PLANTAO_BENCH_CPU_PROFILE_US) inflates the very costs being measured.
  await post("Profiler.setSamplingInterval", { interval: Number(process.env.PLANTAO_BENCH_CPU_PROFILE_US || 1000) });
  await post("Profiler.start");
  return async (name) => {
    const { profile } = await post("Profiler.stop");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

/** What V8's garbage collector did in this process over a measured window (see `watchGc`). */
export interface GcSummary {
  /** Full mark-compact collections: each follows a concurrent marking phase that shares the cores. */
  fullGcs: number;
  fullGcMs: number;
  scavenges: number;
  scavengeMs: number;
  /** How fast the old generation filled: young objects promoted, or allocated there directly. */
  oldSpaceMBPerSec: number;
}

const oldSpaceUsed = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "old_space")?.space_used_size ?? 0;

/**
 * Watches this process's garbage collections until the returned function is called. A run whose tail is a full
 * collection shows one here; the old generation's growth says whether one was coming.
 */
export function watchGc(): () => GcSummary {
  const out = { fullGcs: 0, fullGcMs: 0, scavenges: 0, scavengeMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind === 1) {
        out.scavenges++;
        out.scavengeMs += e.duration;
      } else if (kind === 4) {
        out.fullGcs++;
        out.fullGcMs += e.duration;
      }
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const start = performance.now();
  let grown = 0;
  let last = oldSpaceUsed();
  // Sampled, so a full collection that empties the old generation does not hide what filled it before.
  const sampler = setInterval(() => {
    const now = oldSpaceUsed();
    if (now > last) grown += now - last;
    last = now;
  }, 100);
  return () => {
    clearInterval(sampler);
    observer.disconnect();
    const now = oldSpaceUsed();
    if (now > last) grown += now - last;
    const seconds = (performance.now() - start) / 1000;
    return {
      fullGcs: out.fullGcs,
      fullGcMs: Math.round(out.fullGcMs * 10) / 10,
      scavenges: out.scavenges,
      scavengeMs: Math.round(out.scavengeMs),
      oldSpaceMBPerSec: Math.round((grown / 1e6 / seconds) * 10) / 10,
    };
  };
}

/**
 * PLANTAO_BENCH_TRACE=<dir>: this process's event-loop stalls (> 4 ms, from a 1 ms timer), garbage collections
 * and heap spaces (every 100 ms) and any named spans the bench adds, in epoch ms, written at the end as
 * <dir>/<name>.json to lay beside the open-loop generator's trace (its slow requests and late ticks).
 */
export function startTrace(): { span(name: string, start: number): void; stop(name: string): void } | null {
  const dir = process.env.PLANTAO_BENCH_TRACE;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const at = () => performance.timeOrigin + performance.now();
  const lags: [number, number][] = [];
  const gcs: [number, number, number][] = [];
  const spans: [string, number, number][] = [];
  const heap: [number, number, number][] = [];
  let last = at();
  const tick = setInterval(() => {
    const now = at();
    if (now - last > 4) lags.push([last, now - last]);
    last = now;
  }, 1);
  const sampler = setInterval(() => {
    const spaces = v8.getHeapSpaceStatistics();
    const used = (name: string) => spaces.find((s) => s.space_name === name)?.space_used_size ?? 0;
    heap.push([at(), used("old_space"), used("new_space")]);
  }, 100);
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcs.push([
        performance.timeOrigin + e.startTime,
        e.duration,
        (e as { detail?: { kind?: number } }).detail?.kind ?? 0,
      ]);
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    span: (name, start) => spans.push([name, start, at() - start]),
    stop(name) {
      clearInterval(tick);
      clearInterval(sampler);
      observer.disconnect();
      writeFileSync(join(dir, `${name}.json`), JSON.stringify({ lags, gcs, heap, spans }));
    },
  };
}
