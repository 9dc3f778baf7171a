import { DateTime } from "luxon";
import { report } from "./harness.js";
import { deadlinesPerSecond } from "./sla-deadlines-core.js";

const N = 500_000;

/** One zone-aware wall-clock addition with luxon per operation: the cheapest "deadline" a helpdesk could compute. */
function luxonAddsPerSecond(n: number): number {
  const zones = ["America/Sao_Paulo", "UTC", "America/New_York", "Europe/Berlin"];
  const start = Date.UTC(2026, 0, 1);
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    sink += DateTime.fromMillis(start + (i % 8760) * 3_600_000, { zone: zones[i % 4] })
      .plus({ hours: 1 + (i % 72) })
      .toMillis();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink === 0) throw new Error("unreachable");
  return n / seconds;
}

/**
 * Business-time deadlines per second over mixed calendars (issue target: >= 200,000/s in one process),
 * against luxon's plain zone-aware addition measured in the same run.
 */
export default async function slaDeadlines(): Promise<void> {
  luxonAddsPerSecond(50_000);
  deadlinesPerSecond(50_000);
  const baseline = luxonAddsPerSecond(N);
  const value = deadlinesPerSecond(N);
  report({
    name: "sla-deadlines",
    metric: "deadlines/s",
    value: Math.round(value),
    baseline: Math.round(baseline),
    baselineWhat: "luxon DateTime.plus in a zone (wall-clock, no calendar)",
    target: 200_000,
    node: process.version,
  });
  if (value < 200_000) throw new Error(`sla-deadlines: ${Math.round(value)}/s is below the 200,000/s target`);
}
