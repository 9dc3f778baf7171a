import type { RuleInput } from "./service.js";

/**
 * Defaults from the plan's KPIs (resource use under 70%: CPU, memory, disk, database connections) and its
 * monitoring section (a monitor DOWN past its retries alerts with its severity).
 */
export const defaultRules: RuleInput[] = [
  {
    name: "MonitorDown",
    kind: "monitor",
    // Each monitor's own severity wins; this is for a monitor without one.
    severity: "critical",
    annotations: { description: "A monitor is DOWN after its retries" },
  },
  {
    name: "HighCpu",
    kind: "metric",
    severity: "high",
    forSeconds: 600,
    expression: {
      metric: "instance:cpu_usage:percent",
      match: {},
      fn: "avg",
      windowSeconds: 300,
      by: ["target", "instance"],
      op: ">",
      threshold: 70,
      recoveryThreshold: 60,
    },
  },
  {
    name: "HighMemory",
    kind: "metric",
    severity: "high",
    forSeconds: 600,
    expression: {
      metric: "instance:memory_usage:percent",
      match: {},
      fn: "avg",
      windowSeconds: 300,
      by: ["target", "instance"],
      op: ">",
      threshold: 70,
      recoveryThreshold: 60,
    },
  },
  {
    name: "DiskFilling",
    kind: "metric",
    severity: "medium",
    forSeconds: 300,
    expression: {
      metric: "instance:filesystem_usage:percent",
      match: {},
      fn: "last",
      windowSeconds: 300,
      by: ["target", "instance", "mountpoint"],
      op: ">",
      threshold: 70,
      recoveryThreshold: 65,
    },
  },
  {
    name: "DatabaseConnectionsHigh",
    kind: "metric",
    severity: "high",
    forSeconds: 300,
    expression: {
      metric: "instance:database_connections:percent",
      match: {},
      fn: "avg",
      windowSeconds: 300,
      by: ["target", "instance"],
      op: ">",
      threshold: 70,
      recoveryThreshold: 60,
    },
  },
];
