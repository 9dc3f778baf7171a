/**
 * Incident figures as pure functions over a period [from, to): MTTA, MTTR and MTBF per group, counts by
 * severity, and how long incidents stayed in each stage.
 */

export const groupings = ["none", "component", "service", "organization", "severity", "kind"] as const;
export type GroupBy = (typeof groupings)[number];

export interface FigureIncident {
  id: string;
  kind: string;
  severity: string;
  createdAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  componentIds: string[];
  organizationIds: string[];
  /** The service it is about; null for none (left out of the service grouping). */
  service: string | null;
  /** Stages entered, in order. */
  stages: { stage: string; enteredAt: number }[];
}

export interface GroupFigures {
  key: string;
  count: number;
  bySeverity: Record<string, number>;
  /** Mean minutes from opening to acknowledgement, over the acknowledged incidents; null without any. */
  mttaMinutes: number | null;
  /** Mean minutes from opening to resolution, over the resolved incidents; null without any. */
  mttrMinutes: number | null;
  /** Up time in the period (the period less the union of incident spans) per incident, in hours. */
  mtbfHours: number | null;
  downtimeMinutes: number;
}

export interface StageFigures {
  stage: string;
  count: number;
  averageMinutes: number;
}

const MINUTE = 60_000;
const round = (v: number) => Math.round(v * 100) / 100;
const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : null);

function keysOf(i: FigureIncident, groupBy: GroupBy): string[] {
  switch (groupBy) {
    case "none":
      return ["all"];
    case "component":
      return i.componentIds;
    case "service":
      return i.service ? [i.service] : [];
    case "organization":
      return i.organizationIds;
    case "severity":
      return [i.severity];
    case "kind":
      return [i.kind];
  }
}

/** Length of the union of spans clipped to [from, to). */
export function coveredMs(spans: [number, number][], from: number, to: number): number {
  const clipped = spans
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [a, b] of clipped) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

export function groupFigures(incidents: FigureIncident[], period: { from: number; to: number }, groupBy: GroupBy) {
  const groups = new Map<string, FigureIncident[]>();
  for (const i of incidents) {
    for (const key of keysOf(i, groupBy)) groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const out: GroupFigures[] = [];
  for (const [key, list] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const bySeverity: Record<string, number> = {};
    for (const i of list) bySeverity[i.severity] = (bySeverity[i.severity] ?? 0) + 1;
    const mtta = mean(list.filter((i) => i.acknowledgedAt !== null).map((i) => i.acknowledgedAt! - i.createdAt));
    const mttr = mean(list.filter((i) => i.resolvedAt !== null).map((i) => i.resolvedAt! - i.createdAt));
    const down = coveredMs(
      list.map((i) => [i.createdAt, i.resolvedAt ?? period.to]),
      period.from,
      period.to,
    );
    out.push({
      key,
      count: list.length,
      bySeverity,
      mttaMinutes: mtta === null ? null : round(mtta / MINUTE),
      mttrMinutes: mttr === null ? null : round(mttr / MINUTE),
      mtbfHours: list.length ? round((period.to - period.from - down) / list.length / (60 * MINUTE)) : null,
      downtimeMinutes: round(down / MINUTE),
    });
  }
  return out;
}

/** Minutes spent in each stage that was left (the current stage of an incident is not counted). */
export function stageFigures(incidents: FigureIncident[]): StageFigures[] {
  const spent = new Map<string, number[]>();
  for (const i of incidents) {
    const stages = [...i.stages].sort((a, b) => a.enteredAt - b.enteredAt);
    for (let k = 0; k + 1 < stages.length; k++) {
      const { stage, enteredAt } = stages[k]!;
      spent.set(stage, [...(spent.get(stage) ?? []), stages[k + 1]!.enteredAt - enteredAt]);
    }
  }
  return [...spent.entries()]
    .map(([stage, values]) => ({ stage, count: values.length, averageMinutes: round(mean(values)! / MINUTE) }))
    .sort((a, b) => a.stage.localeCompare(b.stage));
}
