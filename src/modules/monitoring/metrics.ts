import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { MonitoringEngine } from "./engine.js";

/**
 * The engine's Prometheus metrics on this node: checks by type and outcome, how long they take, how late they
 * start, and what the node carries. Returns the function that stops listening to the engine.
 */
export function monitoringMetrics(registry: Registry, engine: MonitoringEngine): () => void {
  const registers = [registry];
  const checks = new Counter({
    name: "plantao_monitor_checks_total",
    help: "Check results counted on this node, by monitor type and outcome (up, degraded, down); pushes included",
    labelNames: ["type", "outcome"],
    registers,
  });
  const duration = new Histogram({
    name: "plantao_monitor_check_duration_seconds",
    help: "Wall time of each probe run on this node, by monitor type (timeouts included)",
    labelNames: ["type"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const delay = new Histogram({
    name: "plantao_monitor_scheduling_delay_seconds",
    help: "How late each check started after it fell due (waiting for a free slot of the concurrency bound included)",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const gauge = (name: string, help: string, read: (l: ReturnType<MonitoringEngine["load"]>) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(engine.load()));
      },
    });
  gauge("plantao_monitor_monitors_owned", "Monitors this node runs (those of the shards it holds)", (l) => l.monitors);
  gauge("plantao_monitor_shards_owned", "Monitor shards this node holds a lease on", (l) => l.shards);
  gauge("plantao_monitor_checks_in_flight", "Checks running on this node now", (l) => l.inFlight);
  gauge(
    "plantao_monitor_scheduling_lag_seconds",
    "How late the oldest due check not started yet on this node is now (0 when on schedule)",
    (l) => l.lagMs / 1000,
  );
  new Gauge({
    name: "plantao_monitor_checks_per_second",
    help: "Checks this node made per second over the last 10 s",
    registers,
    collect() {
      this.set(engine.checksPerSecond());
    },
  });
  new Gauge({
    name: "plantao_monitor_node_info",
    help: "This node's id in the monitoring shard protocol (always 1)",
    labelNames: ["node"],
    registers,
    collect() {
      this.set({ node: engine.nodeId }, 1);
    },
  });
  return engine.observe({
    started: (ms) => delay.observe(Math.max(0, ms) / 1000),
    ran: (type, ms) => duration.observe({ type }, ms / 1000),
    checked: (type, outcome) => checks.inc({ type, outcome }),
  });
}
