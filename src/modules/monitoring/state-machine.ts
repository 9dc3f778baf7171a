import type { CheckResult, CheckStatus } from "./checks/types.js";

/**
 * The monitor state machine, pure: the engine feeds it check results and what it knows of the monitor's
 * parent, and writes what comes out. Nothing here reads a clock or the database.
 */

export const statuses = ["UP", "DEGRADED", "DOWN", "PENDING", "MAINTENANCE", "UNREACHABLE"] as const;
export type Status = (typeof statuses)[number];

/** What a monitor's own checks say, before maintenance and dependencies are applied. */
export type OwnStatus = "UP" | "DEGRADED" | "PENDING" | "DOWN";

export interface Policy {
  /** Failed checks tolerated as PENDING; the next one makes the monitor DOWN. */
  retries: number;
  /** Consecutive degraded-or-failed checks before an UP monitor becomes DEGRADED. */
  failureThreshold: number;
  /** Consecutive good checks before a DOWN or DEGRADED monitor recovers. */
  successThreshold: number;
}

/** Flap detection over the last FLAP_WINDOW results (as Nagios does, unweighted): start at HIGH, stop at LOW. */
export const FLAP_WINDOW = 21;
export const FLAP_HIGH = 0.5;
export const FLAP_LOW = 0.25;
/** Fewer results than this say nothing about flapping yet. */
const FLAP_MIN_RESULTS = 10;

export interface Memory {
  /** Null before the first result. */
  own: OwnStatus | null;
  /** The last own status other than PENDING: where a PENDING monitor returns when the failure is not confirmed. */
  settled: "UP" | "DEGRADED" | "DOWN" | null;
  downStreak: number;
  notUpStreak: number;
  upStreak: number;
  reachableStreak: number;
  /** Reason and message of the latest result that was not up, while the monitor is not UP. */
  reason: string | null;
  message: string | null;
  /** The latest results, oldest first: `u` up, `g` degraded, `d` down. */
  history: string;
  flapping: boolean;
}

export const initialMemory: Memory = {
  own: null,
  settled: null,
  downStreak: 0,
  notUpStreak: 0,
  upStreak: 0,
  reachableStreak: 0,
  reason: null,
  message: null,
  history: "",
  flapping: false,
};

const letter: Record<CheckStatus, string> = { up: "u", degraded: "g", down: "d" };

/** Share of status changes between consecutive results of the window; 0 with too few results. */
export function changeRate(history: string): number {
  if (history.length < FLAP_MIN_RESULTS) return 0;
  let changes = 0;
  for (let i = 1; i < history.length; i++) if (history[i] !== history[i - 1]) changes++;
  return changes / (history.length - 1);
}

function ownAfter(m: Memory, status: CheckStatus, p: Policy): OwnStatus {
  if (status === "down") {
    if (m.own === "DOWN" || m.downStreak > p.retries) return "DOWN";
    return "PENDING";
  }
  // An unconfirmed failure is judged from where the monitor stood before it.
  const base = m.own === "PENDING" ? m.settled : m.own;
  if (status === "degraded") {
    if (base === "DOWN") return m.reachableStreak >= p.successThreshold ? "DEGRADED" : "DOWN";
    if (base === "UP") return m.notUpStreak >= p.failureThreshold ? "DEGRADED" : "UP";
    return "DEGRADED";
  }
  if (base === "DOWN") return m.reachableStreak >= p.successThreshold ? "UP" : "DOWN";
  if (base === "DEGRADED") return m.upStreak >= p.successThreshold ? "UP" : "DEGRADED";
  return "UP";
}

/** The memory after one check result. */
export function observe(memory: Memory, result: Pick<CheckResult, "status" | "reason" | "message">, p: Policy): Memory {
  const { status } = result;
  const m: Memory = {
    ...memory,
    downStreak: status === "down" ? memory.downStreak + 1 : 0,
    notUpStreak: status === "up" ? 0 : memory.notUpStreak + 1,
    upStreak: status === "up" ? memory.upStreak + 1 : 0,
    reachableStreak: status === "down" ? 0 : memory.reachableStreak + 1,
    history: (memory.history + letter[status]).slice(-FLAP_WINDOW),
  };
  m.own = ownAfter(m, status, p);
  if (m.own !== "PENDING") m.settled = m.own;
  if (status !== "up") {
    m.reason = result.reason ?? status;
    m.message = result.message;
  } else if (m.own === "UP") {
    m.reason = null;
    m.message = null;
  }
  const rate = changeRate(m.history);
  m.flapping = memory.flapping ? rate > FLAP_LOW : rate >= FLAP_HIGH;
  return m;
}

/** The memory of a monitor whose own status is derived (a group), not observed through retries. */
export function derive(memory: Memory, own: { status: OwnStatus; reason: string | null; message: string | null }) {
  return {
    ...memory,
    own: own.status,
    settled: own.status === "PENDING" ? memory.settled : own.status,
    reason: own.reason,
    message: own.message,
  } satisfies Memory;
}

/** How a parent's status bears on its dependents. */
export type ParentGate = "ok" | "pending" | "blocked";

export function gateOf(parent: Status | null | undefined): ParentGate {
  if (parent === "DOWN" || parent === "UNREACHABLE" || parent === "MAINTENANCE") return "blocked";
  if (parent === "PENDING") return "pending";
  return "ok";
}

export interface Effective {
  status: Status;
  reason: string | null;
  message: string | null;
}

/**
 * The status shown and recorded: maintenance overrides everything; a failing monitor whose parent is down
 * (or unreachable, or in maintenance) is UNREACHABLE, not DOWN; one whose parent is still PENDING waits in
 * PENDING for the parent's verdict. Null while nothing is known.
 */
export function effective(
  memory: Memory,
  ctx: { maintenance: string | null; parent: ParentGate; parentId?: string | null },
): Effective | null {
  if (ctx.maintenance) return { status: "MAINTENANCE", reason: ctx.maintenance, message: null };
  const own = memory.own;
  if (own === null) return null;
  if ((own === "DOWN" || own === "PENDING") && ctx.parent === "blocked") {
    return {
      status: "UNREACHABLE",
      reason: "parent_down",
      message: ctx.parentId ? `parent monitor ${ctx.parentId} is not reachable` : memory.message,
    };
  }
  if (own === "DOWN" && ctx.parent === "pending") {
    return { status: "PENDING", reason: memory.reason, message: memory.message };
  }
  return { status: own, reason: own === "UP" ? null : memory.reason, message: own === "UP" ? null : memory.message };
}

/** Worst first; MAINTENANCE is left out of a group's verdict. */
const severity: Status[] = ["DOWN", "UNREACHABLE", "PENDING", "DEGRADED", "UP"];

/**
 * A group's own status from its members': the worst of those not in maintenance; MAINTENANCE when every
 * member with a status is in maintenance; null when no member has a status yet.
 */
export function groupStatus(
  members: ReadonlyArray<Status | null | undefined>,
): { status: OwnStatus | "MAINTENANCE"; reason: string | null; message: string | null } | null {
  const known = members.filter((s): s is Status => s != null);
  const counted: Status[] = known.filter((s) => s !== "MAINTENANCE");
  if (!counted.length)
    return known.length ? { status: "MAINTENANCE", reason: "members_maintenance", message: null } : null;
  const worst = severity.find((s) => counted.includes(s))!;
  if (worst === "UP") return { status: "UP", reason: null, message: null };
  const n = counted.filter((s) => s === worst).length;
  // An unreachable member counts as down for its group: the group's service is not there either way.
  const status: OwnStatus = worst === "UNREACHABLE" ? "DOWN" : (worst as OwnStatus);
  return {
    status,
    reason: `member_${worst.toLowerCase()}`,
    message: `${n} of ${counted.length} members ${worst}`,
  };
}
