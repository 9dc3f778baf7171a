import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { EventBus, NewEvent } from "../../platform/events/bus.js";
import type { MinuteAccumulator } from "./aggregates.js";
import type { CheckResult, CheckStatus, ProbeType } from "./checks/types.js";
import type { LastCheck, MonitoringRepository, MonitorRow, StateRow } from "./repository.js";
import { shardOf } from "./schedule.js";
import { type Effective, initialMemory, type Memory, type Policy, type Status } from "./state-machine.js";

/** What the monitoring engine works with: its options, a monitor's definition and slot, and their conversions. */

export const PUSH_CHANNEL = "plantao_monitor_push";
export const STATE_CHANGED = "monitor.state_changed";
export const FLAPPING_STARTED = "monitor.flapping_started";
export const FLAPPING_STOPPED = "monitor.flapping_stopped";
/** Published by the service on every definition change; engines on every node reload the monitor. */
export const MONITOR_CHANGES = ["monitor.created", "monitor.updated", "monitor.deleted"] as const;

export interface EngineOptions {
  nodeId: string;
  /** Checks in flight at once; more due checks wait in line (and their delay shows in the stats). */
  concurrency: number;
  /** Shard lease; renewed every third of it. A dead node's monitors move on after about this long. */
  leaseMs: number;
  /**
   * Run on the database's clock (PostgreSQL) rather than this machine's, so nodes whose clocks disagree still
   * agree on leases and on when each check is due. Off with a test clock.
   */
  sharedClock?: boolean;
}

/**
 * Checks due within this window start together, after one write that records them (the shard's hand-over
 * mark and the minute's check counts): so a node that dies leaves nothing unknown behind it, for the price of
 * starting a check up to this much early.
 */
export const BATCH_MS = 200;
/** A batch whose record failed is tried again after this long, while the lease lasts. */
export const RECORD_RETRY_MS = 100;
/** A batch record unanswered this long (a database hanging, not failing) gives its checks up to their next turn. */
export const RECORD_TIMEOUT_MS = 5_000;
/** A monitor overdue when its shard changes hands runs within this window (spread by its id), not in one burst. */
export const CATCH_UP_MS = 300;

export interface Definition {
  id: string;
  organizationId: string | null;
  name: string;
  type: string;
  target: string;
  intervalMs: number;
  timeoutMs: number;
  policy: Policy;
  settings: Record<string, unknown>;
  parentId: string | null;
  groupId: string | null;
  enabled: boolean;
  shard: number;
}

export type Current = Effective & { flapping: boolean };

export interface Slot {
  def: Definition;
  probe: ProbeType | undefined;
  memory: Memory;
  current: Current | null;
  /** Version of the state row as this node last wrote or read it. */
  version: number;
  due: number;
  /** Bumped on every re-schedule: heap entries of an older sequence are stale. */
  seq: number;
  busy: boolean;
  lastPushAt: number;
  /** A group whose members are all in maintenance. */
  membersInMaintenance: boolean;
  acc: MinuteAccumulator | null;
  /** The latest check, kept here and written with the minute flush or the next state change. */
  lastCheck: LastCheck | null;
  /** Whether `lastCheck` is newer than what the database holds. */
  lastCheckDirty: boolean;
  writes: Promise<void>;
  /** A grid time whose check a catch-up already stood in for (taken over just before it): not run again. */
  skipGridAt: number | null;
}

/** Told of every check as it happens (the Prometheus metrics listen); must be cheap and must not throw. */
export interface EngineObserver {
  /** A probe started, `delayMs` after it fell due. */
  started(delayMs: number): void;
  /** A probe run ended after `durationMs` (wall time), whatever its result. */
  ran(type: string, durationMs: number): void;
  /** A result counted for the monitor: a probe's, a push, or a missed push. */
  checked(type: string, outcome: CheckStatus): void;
}

export interface EngineStats {
  monitors: number;
  checks: number;
  /** Due checks dropped because the previous check of the monitor was still running. */
  skipped: number;
  inFlight: number;
  /** Delay between due time and start, in milliseconds, of the checks since the previous call. */
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
}

export const LAG_SAMPLES = 200_000;

/** Settings as the probe needs them: secrets opened. */
export type Reveal = (type: string, settings: Record<string, unknown>) => Record<string, unknown>;

export interface MonitoringEngineDeps {
  repo: MonitoringRepository;
  events: EventBus;
  clock: Clock;
  log: Logger;
  /** Probe types by name; the service's map, so probes it registers later are seen. */
  probes: ReadonlyMap<string, ProbeType>;
  options: EngineOptions;
  /** Settings with their secrets decrypted, for a probe about to run. */
  reveal: Reveal;
  listen?: (channel: string, fn: (payload: string) => void) => Promise<() => Promise<void>>;
}

export function definitionOf(row: MonitorRow, reveal: Reveal): Definition {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    type: row.type,
    target: row.target,
    intervalMs: row.interval_seconds * 1000,
    timeoutMs: row.timeout_seconds * 1000,
    policy: {
      retries: row.retries,
      failureThreshold: row.failure_threshold,
      successThreshold: row.success_threshold,
    },
    settings: reveal(row.type, JSON.parse(row.settings)),
    parentId: row.parent_id,
    groupId: row.group_id,
    enabled: Boolean(row.enabled),
    shard: shardOf(row.id),
  };
}

/** Memory that continues from a stored status, so a restart or hand-over does not re-open a known outage. */
export function seedMemory(status: string | null | undefined): Memory {
  switch (status) {
    case "UP":
    case "DEGRADED":
    case "DOWN":
      return { ...initialMemory, own: status, settled: status };
    case "PENDING":
      return { ...initialMemory, own: "PENDING", settled: "UP" };
    case "UNREACHABLE":
      return { ...initialMemory, own: "DOWN", settled: "DOWN" };
    default:
      return initialMemory;
  }
}

export const currentOf = (row: StateRow | undefined): Current | null =>
  row
    ? { status: row.status as Status, reason: row.reason, message: row.message, flapping: Boolean(row.flapping) }
    : null;

/** The `monitor.state_changed` event, alike whether a check or a pause changed the state. */
export function stateChangedEvent(
  m: Pick<Definition, "id" | "organizationId" | "name" | "type" | "parentId" | "groupId">,
  from: Status | null,
  next: Current,
  at: string,
): NewEvent {
  return {
    type: STATE_CHANGED,
    organizationId: m.organizationId,
    subjectId: m.id,
    payload: {
      monitorId: m.id,
      name: m.name,
      type: m.type,
      from,
      to: next.status,
      reason: next.reason,
      message: next.message,
      flapping: next.flapping,
      parentId: m.parentId,
      groupId: m.groupId,
      at,
    },
  };
}

/** How long a heartbeat may stay silent: its interval plus the grace. */
export const silenceMs = (def: Definition) => def.intervalMs + Number(def.settings.graceSeconds ?? 0) * 1000;

export function failure(reason: string, message: string): CheckResult {
  return { status: "down", latencyMs: null, reason, message };
}
