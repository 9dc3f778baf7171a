import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DomainEvent, EventBus, NewEvent } from "../../platform/events/bus.js";
import { MinuteAccumulator } from "./aggregates.js";
import type { CheckResult, CheckStatus, ProbeType } from "./checks/types.js";
import type { CountRow, LastCheck, MonitoringRepository, MonitorRow, PushRow, StateRow } from "./repository.js";
import { DueHeap, hash32, nextRun, shardOf } from "./schedule.js";
import { EngineTime, type Handover, ShardLeases } from "./shards.js";
import {
  derive,
  type Effective,
  effective,
  gateOf,
  groupStatus,
  initialMemory,
  type Memory,
  observe,
  type Policy,
  type Status,
} from "./state-machine.js";

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
/** A monitor overdue when its shard changes hands runs within this window (spread by its id), not in one burst. */
export const CATCH_UP_MS = 300;
/** How long a batch waits for its record before its checks start anyway. */
export const BATCH_WAIT_MS = 100;

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

interface Slot {
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

const LAG_SAMPLES = 200_000;

/** Settings as the probe needs them: secrets opened. */
export type Reveal = (type: string, settings: Record<string, unknown>) => Record<string, unknown>;

function definitionOf(row: MonitorRow, reveal: Reveal): Definition {
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
function seedMemory(status: string | null | undefined): Memory {
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

const currentOf = (row: StateRow | undefined): Current | null =>
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
const silenceMs = (def: Definition) => def.intervalMs + Number(def.settings.graceSeconds ?? 0) * 1000;

function failure(reason: string, message: string): CheckResult {
  return { status: "down", latencyMs: null, reason, message };
}

/**
 * Runs the checks of the monitors whose shards this node holds. The schedule lives in memory (a heap of due
 * times, fixed-rate from a per-monitor phase); nothing is written per check: state changes are written when
 * they happen, and the checks of each minute are flushed as one row per monitor, many rows per statement.
 */
export class MonitoringEngine {
  readonly #defs = new Map<string, Definition>();
  /** The last known status of every monitor (ours from memory, others' from their events). */
  readonly #statuses = new Map<string, Status>();
  readonly #children = new Map<string, Set<string>>();
  readonly #members = new Map<string, Set<string>>();
  readonly #slots = new Map<string, Slot>();
  readonly #heap = new DueHeap<Slot>();
  readonly #waiting: Array<{ slot: Slot; due: number; at: number }> = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #aborts = new Set<AbortController>();
  #done: MinuteAccumulator[] = [];
  /** Check and failure counts not yet written, by monitor and minute. */
  #counts = new Map<string, CountRow>();
  /** The batch being recorded before its checks start; the schedule waits for it. */
  #batch: Promise<void> | undefined;
  /** Batch records not written yet (the schedule waits for them only briefly). */
  readonly #writes = new Set<Promise<unknown>>();
  readonly time: EngineTime;
  readonly shards: ShardLeases;
  #checksAt: Array<[number, number]> = [];
  /** Last checks of monitors dropped before the flush wrote them. */
  #lastChecks: LastCheck[] = [];
  readonly #observers = new Set<EngineObserver>();
  #owned = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #started = false;
  /** Rebalances and reloads, one at a time, so two never adopt the same monitor. */
  #serial: Promise<void> = Promise.resolve();
  #loaded = false;
  #checks = 0;
  #skipped = 0;
  #lags: number[] = [];

  constructor(
    private readonly repo: MonitoringRepository,
    private readonly events: EventBus,
    clock: Clock,
    private readonly log: Logger,
    private readonly probes: ReadonlyMap<string, ProbeType>,
    private readonly opts: EngineOptions,
    private readonly reveal: Reveal,
    private readonly listen?: (channel: string, fn: (payload: string) => void) => Promise<() => Promise<void>>,
  ) {
    this.time = new EngineTime(clock, opts.sharedClock ?? false);
    this.shards = new ShardLeases(
      repo,
      events,
      log,
      this.time,
      opts,
      (owned, gained) => this.#rebalance(owned, gained),
      listen,
    );
  }

  get nodeId(): string {
    return this.opts.nodeId;
  }

  /** Ids of the monitors this node runs. */
  running(): string[] {
    return [...this.#slots.keys()];
  }

  /** What this node carries now: monitors it runs, shards it holds, checks running. */
  load(): { monitors: number; shards: number; inFlight: number; lagMs: number } {
    return {
      monitors: this.#slots.size,
      shards: this.#owned.size,
      inFlight: this.#inFlight.size,
      lagMs: this.#lagNow(),
    };
  }

  /** How late the oldest due check not started yet is now (0 when none is). */
  #lagNow(): number {
    const now = this.time.now();
    const head = this.#heap.peek()?.due ?? now;
    return Math.max(0, now - Math.min(head, this.#waiting[0]?.due ?? now));
  }

  /** Checks per second over the last `windowMs` (the metrics read it). */
  checksPerSecond(windowMs = 10_000): number {
    const now = this.time.now();
    this.#checksAt = this.#checksAt.filter(([at]) => at >= now - windowMs * 2);
    this.#checksAt.push([now, this.#checks]);
    const first = this.#checksAt.find(([at]) => at >= now - windowMs) ?? this.#checksAt[0]!;
    const spanMs = now - first[0];
    return spanMs > 0 ? ((this.#checks - first[1]) * 1000) / spanMs : 0;
  }

  /** The latest check of a monitor this node runs, fresher than the stored one (which waits for the flush). */
  lastCheck(id: string): LastCheck | null {
    return this.#slots.get(id)?.lastCheck ?? null;
  }

  observe(observer: EngineObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribe = this.events.subscribe((e) => this.#onEvent(e));
    if (this.listen) {
      this.#unlisten = await this.listen(PUSH_CHANNEL, (id) => void this.pushed(id).catch(() => {}));
    }
    await this.shards.start();
    this.#armFlush();
  }

  /** Stops checking, flushes what was measured and hands the shards back at once. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    clearTimeout(this.#timer);
    clearTimeout(this.#flushTimer);
    this.#unsubscribe?.();
    await this.#unlisten?.();
    await this.shards.stop();
    await this.#serial;
    for (const a of this.#aborts) a.abort(new Error("monitoring stopped"));
    await this.idle();
    for (const slot of this.#slots.values()) this.#drop(slot);
    this.#heap.clear();
    this.#waiting.length = 0;
    await this.flush().catch((err) => this.log.error({ err }, "could not flush monitor aggregates"));
    // Every check due up to the last batch's mark was started: the next owner runs the rest at once.
    await this.shards.handOver();
    this.#owned = new Set();
    this.#loaded = false;
  }

  /** Waits until no check runs and every state change is written. */
  async idle(): Promise<void> {
    while (this.#inFlight.size || this.#batch || this.#writes.size) {
      await this.#batch;
      await Promise.allSettled([...this.#inFlight, ...this.#writes]);
    }
    await Promise.allSettled([...this.#slots.values()].map((s) => s.writes));
  }

  /** Starts what is due now and waits for it; tests drive the engine this way with a manual clock. */
  async runDue(): Promise<void> {
    // A manual clock moved past the lease: renew first, as the renewal timer would have.
    if (this.#started && this.time.now() >= this.shards.heldUntil) await this.shards.sync();
    this.#wake();
    await this.idle();
  }

  stats(): EngineStats {
    const lags = this.#lags.sort((a, b) => a - b);
    const at = (p: number) => (lags.length ? lags[Math.min(lags.length - 1, Math.ceil(p * lags.length) - 1)]! : null);
    const out = {
      monitors: this.#slots.size,
      checks: this.#checks,
      skipped: this.#skipped,
      inFlight: this.#inFlight.size,
      lagP50Ms: at(0.5),
      lagP99Ms: at(0.99),
      lagMaxMs: lags.length ? lags[lags.length - 1]! : null,
    };
    this.#lags = [];
    return out;
  }

  // shards --------------------------------------------------------------------------------------
  /** One round of the shard protocol (see ShardLeases); tests call it to move shards at once. */
  sync(): Promise<void> {
    return this.shards.sync();
  }

  #serially(fn: () => Promise<void>): Promise<void> {
    const run = this.#serial.then(fn);
    this.#serial = run.catch(() => {});
    return run;
  }

  #rebalance(owned: Set<number>, gainedMarks: Handover): Promise<void> {
    return this.#serially(() => this.#rebalanceNow(owned, gainedMarks));
  }

  async #rebalanceNow(owned: Set<number>, marks: Handover): Promise<void> {
    const same = owned.size === this.#owned.size && [...owned].every((s) => this.#owned.has(s));
    if (same && this.#loaded) return;
    const gained = [...owned].some((s) => !this.#owned.has(s));
    this.#owned = new Set(owned);
    for (const slot of [...this.#slots.values()]) if (!owned.has(slot.def.shard)) this.#drop(slot);
    if (!gained && this.#loaded) return;
    this.#loaded = true;
    // Reload everything: the topology of all monitors, and the state rows our new monitors continue from.
    const [rows, states] = await Promise.all([this.repo.all(), this.repo.allStates()]);
    const stateOf = new Map(states.map((s) => [s.monitor_id, s]));
    this.#defs.clear();
    this.#children.clear();
    this.#members.clear();
    for (const row of rows) {
      const def = definitionOf(row, this.reveal);
      this.#link(def);
      const state = stateOf.get(def.id);
      if (state && !this.#slots.has(def.id)) this.#statuses.set(def.id, state.status as Status);
    }
    const now = this.time.now();
    for (const def of this.#defs.values()) {
      if (!this.#owned.has(def.shard) || !def.enabled || this.#slots.has(def.id)) continue;
      const state = stateOf.get(def.id);
      this.#adopt(def, state, this.#firstDue(def, marks.get(def.shard) ?? null, state, now));
    }
    for (const slot of this.#slots.values()) if (slot.def.type === "group") this.#deriveGroup(slot);
    this.#wake();
  }

  #link(def: Definition): void {
    this.#defs.set(def.id, def);
    for (const [map, key] of [
      [this.#children, def.parentId],
      [this.#members, def.groupId],
    ] as const) {
      if (!key) continue;
      let set = map.get(key);
      if (!set) {
        set = new Set();
        map.set(key, set);
      }
      set.add(def.id);
    }
  }

  #unlink(def: Definition): void {
    this.#defs.delete(def.id);
    if (def.parentId) this.#children.get(def.parentId)?.delete(def.id);
    if (def.groupId) this.#members.get(def.groupId)?.delete(def.id);
  }

  /**
   * When a monitor taken over runs first: at once (spread over a short window by its id) when the check of its
   * latest grid time was not started by the previous owner (after the shard's hand-over mark, and after the
   * stored last check), else at its next grid time. A monitor never checked waits for its grid.
   */
  #firstDue(def: Definition, mark: number | null, state: StateRow | undefined, now: number): number {
    const next = nextRun(def.id, def.intervalMs, now);
    const lastCheck = state?.last_check_at ? Date.parse(state.last_check_at) : null;
    if (mark === null && lastCheck === null) return next;
    const covered = Math.max(mark ?? Number.NEGATIVE_INFINITY, lastCheck ?? Number.NEGATIVE_INFINITY);
    const latest = next - def.intervalMs;
    if (latest <= covered) return next;
    // Far enough before the next grid time that the two never fall in one interval; just before it, wait for it.
    const room = next - now - 2 * BATCH_MS;
    if (room <= 0) return next;
    const window = Math.max(1, Math.floor(Math.min(CATCH_UP_MS, def.intervalMs / 4, room)));
    return now + (hash32(`${def.id}:catch-up`) % window);
  }

  /** Takes a monitor into this node's schedule, continuing from its stored state. */
  #adopt(def: Definition, state: StateRow | undefined, due: number, lastPushAt = 0): Slot {
    const slot: Slot = {
      def,
      probe: this.probes.get(def.type),
      memory: seedMemory(state?.status),
      current: currentOf(state),
      version: state?.version ?? 0,
      due,
      seq: 0,
      busy: false,
      lastPushAt,
      membersInMaintenance: false,
      acc: null,
      lastCheck: null,
      lastCheckDirty: false,
      writes: Promise.resolve(),
    };
    this.#slots.set(def.id, slot);
    if (state) this.#statuses.set(def.id, state.status as Status);
    if (def.type !== "group") this.#schedule(slot, due);
    return slot;
  }

  #drop(slot: Slot): void {
    slot.seq++;
    if (slot.acc) this.#done.push(slot.acc);
    slot.acc = null;
    if (slot.lastCheckDirty && slot.lastCheck) this.#lastChecks.push(slot.lastCheck);
    this.#slots.delete(slot.def.id);
  }

  // definition changes --------------------------------------------------------------------------
  #onEvent(e: DomainEvent): void {
    if (!e.subjectId) return;
    if ((MONITOR_CHANGES as readonly string[]).includes(e.type)) {
      void this.refresh(e.subjectId).catch((err) =>
        this.log.error({ err, monitor: e.subjectId }, "monitor reload failed"),
      );
    } else if (e.type === STATE_CHANGED && !this.#slots.has(e.subjectId)) {
      const to = (e.payload as { to?: Status }).to;
      if (to && this.#statuses.get(e.subjectId) !== to) {
        this.#statuses.set(e.subjectId, to);
        this.#dependentsChanged(e.subjectId);
      }
    }
  }

  /**
   * Re-reads one monitor after a change made on any node: takes it, drops it or updates it in place. A new or
   * resumed monitor is checked at once, so its first state shows without waiting a whole interval.
   */
  refresh(id: string): Promise<void> {
    return this.#serially(() => this.#refreshNow(id));
  }

  async #refreshNow(id: string): Promise<void> {
    if (!this.#started) return;
    const [row, state, push] = await Promise.all([this.repo.find(id), this.repo.findState(id), this.repo.lastPush(id)]);
    const old = this.#defs.get(id);
    try {
      this.#reload(id, old, row, state, push);
    } finally {
      // Members come and go: their groups here judge again.
      for (const group of new Set([old?.groupId, row?.group_id])) {
        const slot = group ? this.#slots.get(group) : undefined;
        if (slot) this.#deriveGroup(slot);
      }
    }
  }

  #reload(
    id: string,
    old: Definition | undefined,
    row: MonitorRow | undefined,
    state: StateRow | undefined,
    push: PushRow | undefined,
  ): void {
    if (old) this.#unlink(old);
    const slot = this.#slots.get(id);
    if (!row) {
      this.#statuses.delete(id);
      if (slot) this.#drop(slot);
      return;
    }
    const def = definitionOf(row, this.reveal);
    this.#link(def);
    if (state) this.#statuses.set(id, state.status as Status);
    else this.#statuses.delete(id);
    if (!this.#owned.has(def.shard) || !def.enabled) {
      if (slot) this.#drop(slot);
      return;
    }
    const now = this.time.now();
    if (!slot) {
      const created = this.#adopt(def, state, now, push ? Date.parse(push.pushed_at) : 0);
      if (def.type === "heartbeat") this.#schedule(created, this.#pushDeadline(created));
      if (def.type === "group") this.#deriveGroup(created);
      this.#wake();
      return;
    }
    const probed = (d: Definition) => JSON.stringify([d.type, d.target, d.settings]);
    const moved = probed(old ?? def) !== probed(def);
    slot.def = def;
    slot.probe = this.probes.get(def.type);
    // What is checked changed: the old results say nothing about the new target.
    if (moved) slot.memory = initialMemory;
    if (def.type === "group") this.#deriveGroup(slot);
    else if (moved || old?.intervalMs !== def.intervalMs) {
      this.#schedule(slot, def.type === "heartbeat" ? this.#pushDeadline(slot) : now);
    }
    if (def.type !== "group" && slot.memory.own !== null) this.#evaluate(slot);
    this.#wake();
  }

  // schedule ------------------------------------------------------------------------------------
  #schedule(slot: Slot, due: number): void {
    slot.due = due;
    slot.seq++;
    this.#heap.push({ due, item: slot, seq: slot.seq });
  }

  #wake(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // A batch being recorded wakes the schedule again when it is done.
    if (!this.#started || this.#batch) return;
    const now = this.time.now();
    const head = this.#heap.peek();
    if (head && head.due <= now) {
      if (now < this.shards.heldUntil) this.#takeBatch(now);
      else this.#renewFirst();
      if (this.#batch) return;
    }
    const next = this.#heap.peek();
    if (next) {
      this.#timer = setTimeout(() => this.#wake(), Math.max(0, next.due - this.time.now()));
      this.#timer.unref();
    }
  }

  /**
   * Fenced: past our lease another node may run these monitors (this node was paused, or the database
   * stalled), so nothing starts until a renewal says which shards are still ours.
   */
  #renewFirst(): void {
    this.#batch = this.shards.sync().then(() => {
      this.#batch = undefined;
      if (this.time.now() < this.shards.heldUntil) this.#wake();
      else if (this.#started) {
        this.#timer = setTimeout(() => this.#wake(), this.shards.renewEveryMs);
        this.#timer.unref();
      }
    });
  }

  /** Takes every check due within the batch window, records them, then starts them. */
  #takeBatch(now: number): void {
    const through = now + BATCH_MS;
    const batch: Array<{ slot: Slot; due: number }> = [];
    for (let e = this.#heap.peek(); e && e.due <= through; e = this.#heap.peek()) {
      this.#heap.pop();
      const slot = e.item;
      if (e.seq !== slot.seq || this.#slots.get(slot.def.id) !== slot) continue;
      // Fixed rate on the monitor's grid; a node that fell more than an interval behind skips what it missed.
      this.#schedule(slot, nextRun(slot.def.id, slot.def.intervalMs, Math.max(now, e.due)));
      if (slot.busy) {
        this.#skipped++;
        continue;
      }
      slot.busy = true;
      batch.push({ slot, due: e.due });
    }
    if (!batch.length) return;
    const minute = Math.floor(now / 60_000);
    for (const { slot } of batch) this.#count(slot.def.id, minute, 1, 0);
    const counts = [...this.#counts.values()];
    this.#counts.clear();
    const write = this.repo
      .advance(this.opts.nodeId, new Date(through).toISOString(), new Date(now).toISOString(), counts)
      .then(
        (held) => {
          const lost = [...this.#owned].filter((shard) => !held.includes(shard));
          if (lost.length) void this.shards.sync();
          return new Set(lost);
        },
        (err) => {
          // Counted again with the next batch; the checks still run while the lease holds.
          for (const c of counts) this.#count(c.monitorId, Date.parse(c.bucket) / 60_000, c.checks, c.failures);
          this.log.warn({ err, node: this.opts.nodeId }, "could not record a batch of monitor checks");
          return new Set<number>();
        },
      );
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
    // A database slow to answer (a burst of state changes queued before it) must not hold the schedule up:
    // past a short wait the checks start anyway, fenced by the lease alone.
    this.#batch = new Promise<Set<number>>((resolve) => {
      const timer = setTimeout(() => resolve(new Set()), BATCH_WAIT_MS);
      void write.then((lost) => {
        clearTimeout(timer);
        resolve(lost);
      });
    }).then((lost) => {
      this.#batch = undefined;
      for (const { slot, due } of batch) {
        const ours = this.#started && this.#slots.get(slot.def.id) === slot && !lost.has(slot.def.shard);
        if (ours && this.time.now() < this.shards.heldUntil) {
          if (this.#inFlight.size < this.opts.concurrency) this.#start(slot, due, now);
          else this.#waiting.push({ slot, due, at: now });
        } else {
          slot.busy = false;
          this.#count(slot.def.id, minute, -1, 0);
        }
      }
      this.#wake();
    });
  }

  #count(monitorId: string, minute: number, checks: number, failures: number): void {
    const key = `${monitorId}:${minute}`;
    const row = this.#counts.get(key);
    if (row) {
      row.checks += checks;
      row.failures += failures;
    } else {
      this.#counts.set(key, { monitorId, bucket: new Date(minute * 60_000).toISOString(), checks, failures });
    }
  }

  /** Runs one check; `at` is when its batch was recorded (the minute it counts in). */
  #start(slot: Slot, due: number, at = this.time.now()): void {
    const startedAt = this.time.now();
    const lag = Math.max(0, startedAt - due);
    if (this.#lags.length < LAG_SAMPLES) this.#lags.push(lag);
    for (const o of this.#observers) o.started(lag);
    const began = performance.now();
    const run = this.#check(slot)
      .then((result) => {
        const took = performance.now() - began;
        for (const o of this.#observers) o.ran(slot.def.type, took);
        // Dropped, moved to another node or redefined meanwhile: the result belongs to nobody.
        if (result && this.#started && this.#slots.get(slot.def.id) === slot) this.#record(slot, result, at);
        else if (result) this.#count(slot.def.id, Math.floor(at / 60_000), 0, result.status === "down" ? 1 : 0);
      })
      .catch((err) => this.log.error({ err, monitor: slot.def.id }, "monitor check failed"))
      .finally(() => {
        slot.busy = false;
        this.#inFlight.delete(run);
        const nextUp = this.#waiting.shift();
        if (nextUp && this.#started) this.#start(nextUp.slot, nextUp.due, nextUp.at);
      });
    this.#inFlight.add(run);
  }

  async #check(slot: Slot): Promise<CheckResult | null> {
    const { def } = slot;
    if (def.type === "heartbeat") return this.#missedPush(slot);
    const probe = slot.probe;
    if (!probe) return failure("unknown_type", `no probe for monitor type ${def.type} on node ${this.opts.nodeId}`);
    const abort = new AbortController();
    this.#aborts.add(abort);
    const timer = setTimeout(() => abort.abort(new Error("timeout")), def.timeoutMs);
    try {
      // A probe that ignores its signal still cannot hold the schedule: the race ends at the timeout.
      return await Promise.race([
        probe.run(def.target, def.settings, { signal: abort.signal, timeoutMs: def.timeoutMs }),
        new Promise<never>((_, reject) =>
          abort.signal.addEventListener("abort", () => reject(abort.signal.reason), { once: true }),
        ),
      ]);
    } catch (err) {
      if (!this.#started) return null;
      if (abort.signal.aborted) return failure("timeout", `no answer within ${def.timeoutMs / 1000} s`);
      return failure("probe_error", err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(timer);
      this.#aborts.delete(abort);
    }
  }

  // results and states --------------------------------------------------------------------------
  /** Counts a result; `counted` when its check was already counted with its batch (a push is not). */
  #record(slot: Slot, result: CheckResult, at: number, counted = true): void {
    this.#checks++;
    const minuteOf = Math.floor(at / 60_000);
    this.#count(slot.def.id, minuteOf, counted ? 0 : 1, result.status === "down" ? 1 : 0);
    for (const o of this.#observers) o.checked(slot.def.type, result.status);
    slot.lastCheck = { monitorId: slot.def.id, at: new Date(at).toISOString(), latencyMs: result.latencyMs };
    slot.lastCheckDirty = true;
    const minute = Math.floor(at / 60_000);
    if (slot.acc?.minute !== minute) {
      if (slot.acc) this.#done.push(slot.acc);
      slot.acc = new MinuteAccumulator(slot.def.id, minute);
    }
    slot.acc.add(result.status === "down", result.latencyMs);
    slot.memory = observe(slot.memory, result, slot.def.policy);
    this.#evaluate(slot);
  }

  #statusOf(id: string | null): Status | null {
    if (!id) return null;
    return this.#slots.get(id)?.current?.status ?? this.#statuses.get(id) ?? null;
  }

  #evaluate(slot: Slot): void {
    const { def } = slot;
    const next = effective(slot.memory, {
      maintenance: slot.membersInMaintenance ? "members_maintenance" : null,
      parent: gateOf(this.#statusOf(def.parentId)),
      parentId: def.parentId,
    });
    if (!next) return;
    const flapping = slot.memory.flapping;
    const prev = slot.current;
    const statusChanged = !prev || prev.status !== next.status;
    if (!statusChanged && prev.flapping === flapping) return;
    const current = { ...next, flapping };
    slot.current = current;
    this.#statuses.set(def.id, next.status);
    const at = new Date(this.time.now()).toISOString();
    const lastCheck = slot.lastCheck ?? undefined;
    slot.writes = slot.writes.then(() => this.#write(slot, prev, current, statusChanged, at, lastCheck));
    if (statusChanged) this.#dependentsChanged(def.id);
  }

  async #write(
    slot: Slot,
    prev: Current | null,
    next: Current,
    statusChanged: boolean,
    at: string,
    lastCheck: LastCheck | undefined,
  ): Promise<void> {
    const { def } = slot;
    try {
      const written = await this.repo.transaction(async (trx) => {
        const ok = await this.repo.changeState(
          { monitorId: def.id, version: slot.version, next, statusChanged, at, lastCheck },
          trx,
        );
        if (!ok) return false;
        if (statusChanged) {
          await this.events.publish(stateChangedEvent(def, prev?.status ?? null, next, at), trx);
        }
        if ((prev?.flapping ?? false) !== next.flapping) {
          await this.events.publish(
            {
              type: next.flapping ? FLAPPING_STARTED : FLAPPING_STOPPED,
              organizationId: def.organizationId,
              subjectId: def.id,
              payload: { monitorId: def.id, name: def.name, status: next.status, at },
            },
            trx,
          );
        }
        return true;
      });
      if (written) {
        slot.version++;
        if (slot.lastCheck === lastCheck) slot.lastCheckDirty = false;
        return;
      }
    } catch (err) {
      this.log.warn({ err, monitor: def.id }, "could not write a monitor state change");
    }
    // Someone else wrote this monitor's state (a pause, another node during a hand-over): continue from theirs.
    const row = await this.repo.findState(def.id).catch(() => undefined);
    slot.version = row?.version ?? 0;
    slot.current = currentOf(row);
    if (row) this.#statuses.set(def.id, row.status as Status);
  }

  /** A monitor's status changed: its dependents and its group here re-evaluate. */
  #dependentsChanged(id: string): void {
    for (const child of this.#children.get(id) ?? []) {
      const slot = this.#slots.get(child);
      if (slot && slot.memory.own !== null) this.#evaluate(slot);
    }
    const group = this.#defs.get(id)?.groupId;
    const slot = group ? this.#slots.get(group) : undefined;
    if (slot) this.#deriveGroup(slot);
  }

  #deriveGroup(slot: Slot): void {
    const members = [...(this.#members.get(slot.def.id) ?? [])].map((m) => this.#statusOf(m));
    const g = groupStatus(members);
    if (!g) return;
    slot.membersInMaintenance = g.status === "MAINTENANCE";
    if (g.status !== "MAINTENANCE") slot.memory = derive(slot.memory, { ...g, status: g.status });
    this.#evaluate(slot);
  }

  // heartbeats ----------------------------------------------------------------------------------
  #pushDeadline(slot: Slot): number {
    return (slot.lastPushAt || this.time.now()) + silenceMs(slot.def);
  }

  /** A push arrived (on this node, or announced by another): judge it now and move the deadline. */
  async pushed(id: string, push?: PushRow): Promise<void> {
    const slot = this.#slots.get(id);
    if (slot?.def.type !== "heartbeat") return;
    const row = push ?? (await this.repo.lastPush(id));
    if (!row || this.#slots.get(id) !== slot) return;
    this.#applyPush(slot, row, push !== undefined);
    this.#wake();
  }

  /** Judges a push; one read back from the database counts only if this node has not judged it yet. */
  #applyPush(slot: Slot, row: PushRow, heard: boolean, counted = false): boolean {
    const at = Date.parse(row.pushed_at);
    if (!heard && at <= slot.lastPushAt) return false;
    slot.lastPushAt = at;
    const down = row.status === "down";
    this.#record(
      slot,
      {
        status: down ? "down" : "up",
        latencyMs: row.latency_ms,
        reason: down ? "push_down" : null,
        message: row.message,
      },
      at,
      counted,
    );
    this.#schedule(slot, this.#pushDeadline(slot));
    return true;
  }

  /** The deadline passed: a recent push this node did not hear of counts now, else the silence is a failure. */
  async #missedPush(slot: Slot): Promise<CheckResult | null> {
    const row = await this.repo.lastPush(slot.def.id);
    if (row && this.#slots.get(slot.def.id) === slot) {
      const at = Date.parse(row.pushed_at);
      const recent = this.time.now() - at <= silenceMs(slot.def);
      // Counted with its batch: it is this check's result.
      if (recent && this.#applyPush(slot, row, false, true)) return null;
      slot.lastPushAt = Math.max(slot.lastPushAt, at);
    }
    const grace = Number(slot.def.settings.graceSeconds ?? 0);
    const window = `${slot.def.intervalMs / 1000} s${grace ? ` + ${grace} s grace` : ""}`;
    return failure("no_push", row ? `no push within ${window} since ${row.pushed_at}` : `no push within ${window}`);
  }

  // aggregates ----------------------------------------------------------------------------------
  #armFlush(): void {
    if (!this.#started) return;
    const now = this.time.now();
    // A few seconds into each minute, when the checks of the one before have (nearly all) come back.
    const delay = 60_000 - (now % 60_000) + 5_000;
    this.#flushTimer = setTimeout(() => {
      void this.flush()
        .catch((err) => this.log.error({ err }, "could not flush monitor aggregates"))
        .finally(() => this.#armFlush());
    }, delay);
    this.#flushTimer.unref();
  }

  /**
   * Writes every finished minute (and, when stopping, the current ones) and the last check of every monitor
   * checked since the previous flush, as multi-row statements. So a stored last check is at most about 65 s
   * old (a check just after one flush waits for the next, 5 s into the following minute).
   */
  async flush(): Promise<void> {
    const minute = Math.floor(this.time.now() / 60_000);
    const done = this.#done;
    this.#done = [];
    const checks = this.#lastChecks;
    this.#lastChecks = [];
    for (const slot of this.#slots.values()) {
      if (slot.acc && (slot.acc.minute < minute || !this.#started)) {
        done.push(slot.acc);
        slot.acc = null;
      }
      if (slot.lastCheckDirty && slot.lastCheck) {
        checks.push(slot.lastCheck);
        slot.lastCheckDirty = false;
      }
    }
    const counts = [...this.#counts.values()];
    this.#counts.clear();
    try {
      if (counts.length) await this.repo.addCounts(counts);
    } catch (err) {
      for (const c of counts) this.#count(c.monitorId, Date.parse(c.bucket) / 60_000, c.checks, c.failures);
      throw err;
    }
    // One row per monitor: a statement may not update the same row twice.
    const latest = new Map<string, LastCheck>();
    for (const c of checks) if ((latest.get(c.monitorId)?.at ?? "") < c.at) latest.set(c.monitorId, c);
    try {
      if (latest.size) await this.repo.recordLastChecks([...latest.values()]);
    } catch (err) {
      // Kept for the next flush; a newer check of the same monitor makes the older one moot.
      this.#lastChecks.push(...latest.values());
      this.#done.push(...done);
      throw err;
    }
    if (!done.length) return;
    // One row per monitor and minute: a statement may not touch the same row twice.
    const byKey = new Map<string, MinuteAccumulator>();
    for (const acc of done) {
      const key = `${acc.monitorId}:${acc.minute}`;
      const seen = byKey.get(key);
      if (seen) seen.merge(acc);
      else byKey.set(key, acc);
    }
    try {
      // Checks and failures are already stored, with each batch; the minute adds its latency figures.
      await this.repo.addMinutes([...byKey.values()].map((a) => ({ ...a.row(), checks: 0, failures: 0 })));
    } catch (err) {
      // Kept for the next flush rather than lost.
      this.#done.push(...byKey.values());
      throw err;
    }
  }
}
