import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Platform } from "../runtime.js";

/** Prometheus metrics of one app instance: per-route latency, Node runtime (event-loop lag) and the job queue. */
export function installMetrics(app: FastifyInstance, platform: Platform): Registry {
  const registry = new Registry();
  // The event-loop lag histogram samples on a libuv timer, each sample a wake-up: prom-client's default 10 ms was
  // most of an idle node's CPU, and 100 ms still 1.2 CPU-ms a second here. At 1 s a saturated loop (the lag worth
  // alerting on) shows in every sample; a single short stall may fall between two, and the monitoring engine's
  // own scheduling-lag metric sees those where they matter.
  collectDefaultMetrics({ register: registry, prefix: "plantao_", eventLoopMonitoringPrecision: 1000 });
  const latency = new Histogram({
    name: "plantao_http_request_duration_seconds",
    help: "HTTP request latency by route template, method and status code",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // Synchronous, so a callback hook: no promise per request.
  app.addHook("onResponse", (request, reply, done) => {
    latency.observe(
      { method: request.method, route: request.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  // The four queue gauges are collected concurrently on each scrape; they share one query.
  let pending: ReturnType<Platform["jobs"]["stats"]> | undefined;
  const queueStats = () => {
    pending ??= platform.jobs.stats().finally(() => setTimeout(() => (pending = undefined), 50));
    return pending;
  };
  new Gauge({
    name: "plantao_jobs_due",
    help: "Jobs whose time has come and that no node has claimed yet",
    registers: [registry],
    async collect() {
      this.set((await queueStats()).due);
    },
  });
  new Gauge({
    name: "plantao_jobs_oldest_due_age_seconds",
    help: "How long the oldest due job has been waiting",
    registers: [registry],
    async collect() {
      const oldest = (await queueStats()).oldestDueAt;
      this.set(oldest ? Math.max(0, (platform.clock.now().getTime() - new Date(oldest).getTime()) / 1000) : 0);
    },
  });
  new Gauge({
    name: "plantao_jobs_running",
    help: "Jobs claimed by some node and running",
    registers: [registry],
    async collect() {
      this.set((await queueStats()).running);
    },
  });
  new Gauge({
    name: "plantao_jobs_dead",
    help: "Jobs that used up their attempts (dead-letter state)",
    registers: [registry],
    async collect() {
      this.set((await queueStats()).dead);
    },
  });
  const unobserve = eventFanOutMetrics(registry, platform);
  app.addHook("onClose", async () => unobserve());
  return registry;
}

/** How long events wait to become jobs (the fan-out's lag, per node) and how many wait now (shared). */
function eventFanOutMetrics(registry: Registry, platform: Platform): () => void {
  const lag = new Histogram({
    name: "plantao_event_fanout_lag_seconds",
    help: "From an event's publication to the commit of its webhook (and other) jobs, per event this node fanned out",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const fanned = new Counter({
    name: "plantao_events_fanned_out_total",
    help: "Events this node turned into their jobs",
    registers: [registry],
  });
  const unobserve = platform.fanOut.onFannedOut(({ events, lagsMs }) => {
    fanned.inc(events);
    for (const ms of lagsMs) lag.observe(ms / 1000);
  });
  let pending: ReturnType<Platform["fanOut"]["pending"]> | undefined;
  const stats = () => {
    pending ??= platform.fanOut.pending().finally(() => setTimeout(() => (pending = undefined), 50));
    return pending;
  };
  new Gauge({
    name: "plantao_events_fanout_pending",
    help: "Committed events no node has fanned out yet",
    registers: [registry],
    async collect() {
      this.set((await stats()).count);
    },
  });
  new Gauge({
    name: "plantao_events_fanout_oldest_pending_age_seconds",
    help: "How long the oldest event waiting for its fan-out has waited",
    registers: [registry],
    async collect() {
      const oldest = (await stats()).oldestAt;
      this.set(oldest ? Math.max(0, (platform.clock.now().getTime() - new Date(oldest).getTime()) / 1000) : 0);
    },
  });
  return () => void unobserve();
}
