/**
 * A status component's status (pure): what customers read on the status page, from the states of its
 * monitors, the incidents open on it, the maintenance windows running on it, and a manual override.
 */
export const componentStatuses = ["operational", "degraded", "partial_outage", "major_outage", "maintenance"] as const;
export type ComponentStatus = (typeof componentStatuses)[number];

/** Monitor statuses as the monitoring module names them. */
export type MonitorStatus = "UP" | "DEGRADED" | "DOWN" | "PENDING" | "MAINTENANCE" | "UNREACHABLE";

export const incidentSeverities = ["critical", "high", "medium", "low"] as const;
export type IncidentSeverity = (typeof incidentSeverities)[number];

export interface StatusInputs {
  /** Current status of each linked monitor; null when it has none yet. */
  monitors: readonly (MonitorStatus | null)[];
  /** Severities of the open incidents on the component. */
  incidents: readonly IncidentSeverity[];
  /** A maintenance window runs on the component now. */
  inMaintenance: boolean;
  override: { status: ComponentStatus; until: string } | null;
  now: Date;
}

export interface Derived {
  status: ComponentStatus;
  /** What decided it: the override, an incident, a window, the monitors, or nothing known (operational). */
  source: "override" | "incident" | "maintenance" | "monitors" | "none";
}

const rank: Record<ComponentStatus, number> = {
  operational: 0,
  maintenance: 1,
  degraded: 2,
  partial_outage: 3,
  major_outage: 4,
};

/** The worse of two statuses (maintenance is better than any trouble: it is planned). */
export const worse = (a: ComponentStatus, b: ComponentStatus): ComponentStatus => (rank[b] > rank[a] ? b : a);

const ofIncident: Record<IncidentSeverity, ComponentStatus> = {
  critical: "major_outage",
  high: "partial_outage",
  medium: "degraded",
  low: "degraded",
};

/**
 * The monitors' verdict: every counted monitor failing is a major outage, some failing a partial one, any
 * degraded is degraded. PENDING (a failure not yet confirmed) counts as up; UNREACHABLE (its parent is down)
 * counts as failing, since customers cannot reach it either; MAINTENANCE is left out, and when every monitor
 * with a status is in maintenance the component is.
 */
export function fromMonitors(monitors: readonly (MonitorStatus | null)[]): ComponentStatus | null {
  const known = monitors.filter((m): m is MonitorStatus => m !== null);
  if (!known.length) return null;
  const counted = known.filter((m) => m !== "MAINTENANCE");
  if (!counted.length) return "maintenance";
  const failing = counted.filter((m) => m === "DOWN" || m === "UNREACHABLE").length;
  if (failing === counted.length) return "major_outage";
  if (failing > 0) return "partial_outage";
  if (counted.some((m) => m === "DEGRADED")) return "degraded";
  return "operational";
}

/**
 * Precedence: an override in force wins (a person looked); then an open incident, as bad as its worst severity
 * (declared by a person, it says more than a probe); then a running window (planned work, whatever the probes
 * see meanwhile); then the monitors; with nothing known, operational.
 */
export function componentStatus(i: StatusInputs): Derived {
  if (i.override && Date.parse(i.override.until) > i.now.getTime())
    return { status: i.override.status, source: "override" };
  if (i.incidents.length) {
    const status = i.incidents.map((s) => ofIncident[s]).reduce(worse, "operational");
    return { status, source: "incident" };
  }
  if (i.inMaintenance) return { status: "maintenance", source: "maintenance" };
  const m = fromMonitors(i.monitors);
  return m === null ? { status: "operational", source: "none" } : { status: m, source: "monitors" };
}

/** The page's headline: the worst component status (maintenance only when nothing is wrong). */
export function overall(statuses: readonly ComponentStatus[]): ComponentStatus {
  return statuses.reduce(worse, "operational");
}

/** A day's bar: its uptime (0..1, null without data) and the worst thing that happened, for its colour. */
export type BarLevel = "none" | "operational" | "degraded" | "partial_outage" | "major_outage";

export function barLevel(uptime: number | null): BarLevel {
  if (uptime === null) return "none";
  if (uptime >= 0.9995) return "operational";
  if (uptime >= 0.99) return "degraded";
  if (uptime >= 0.95) return "partial_outage";
  return "major_outage";
}
