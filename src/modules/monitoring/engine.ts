import type { Logger } from "pino";
import type { DomainEvent, EventBus } from "../../platform/events/bus.js";
import type { CheckResult, ProbeType } from "./checks/types.js";
import { CheckDispatcher } from "./dispatch.js";
import {
  CATCH_UP_MS,
  type Current,
  currentOf,
  type Definition,
  definitionOf,
  type EngineObserver,
  type EngineOptions,
  type EngineStats,
  FLAPPING_STARTED,
  FLAPPING_STOPPED,
  failure,
  MONITOR_CHANGES,
  type MonitoringEngineDeps,
  PUSH_CHANNEL,
  type Reveal,
  type Slot,
  STATE_CHANGED,
  seedMemory,
  silenceMs,
  stateChangedEvent,
} from "./engine-model.js";
import { CheckLedger } from "./ledger.js";
import type { LastCheck, MonitoringRepository, MonitorRow, PushRow, StateRow } from "./repository.js";
import { hash32, nextRun } from "./schedule.js";
import { EngineTime, type Handover, ShardLeases } from "./shards.js";
import { derive, effective, gateOf, groupStatus, initialMemory, observe, type Status } from "./state-machine.js";
import { EngineCounters, MonitorTopology } from "./topology.js";

/**
 * Runs the checks of the monitors whose shards this node holds: which monitors (shards, reloads, hand-over),
 * what a check means (probes, states, heartbeats) and what is stored. When checks start is the dispatcher's
 * (dispatch.ts: an in-memory heap of due times, batches recorded before they start). Nothing is written per
 * check: state changes are written when they happen, counts with each batch, latency figures once a minute.
 */
export class MonitoringEngine {
  readonly #topology = new MonitorTopology();
  readonly #counters = new EngineCounters();
  /** The last known status of every monitor (ours from memory, others' from their events). */
  readonly #statuses = new Map<string, Status>();
  readonly #slots = new Map<string, Slot>();
  readonly #aborts = new Set<AbortController>();
  readonly #ledger: CheckLedger;
  readonly #dispatch: CheckDispatcher;
  readonly time: EngineTime;
  readonly shards: ShardLeases;
  #owned = new Set<number>();
  #flushTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #started = false;
  /** Rebalances and reloads, one at a time, so two never adopt the same monitor. */
  #serial: Promise<void> = Promise.resolve();
  #loaded = false;
  #gate: ((monitorId: string, at: number) => string | null) | null = null;
  #skips: ((monitorId: string, at: number) => boolean) | null = null;

  private readonly repo: MonitoringRepository;
  private readonly events: EventBus;
  private readonly log: Logger;
  private readonly probes: ReadonlyMap<string, ProbeType>;
  private readonly opts: EngineOptions;
  private readonly reveal: Reveal;
  private readonly listen: MonitoringEngineDeps["listen"];

  constructor(deps: MonitoringEngineDeps) {
    this.repo = deps.repo;
    this.events = deps.events;
    this.log = deps.log;
    this.probes = deps.probes;
    this.opts = deps.options;
    this.reveal = deps.reveal;
    this.listen = deps.listen;
    this.time = new EngineTime(deps.clock, deps.options.sharedClock ?? false);
    this.#ledger = new CheckLedger(deps.repo);
    this.shards = new ShardLeases(
      deps.repo,
      deps.events,
      deps.log,
      this.time,
      deps.options,
      (owned, gained) => this.#rebalance(owned, gained),
      deps.listen,
    );
    this.#dispatch = new CheckDispatcher({
      repo: deps.repo,
      log: deps.log,
      time: this.time,
      shards: this.shards,
      ledger: this.#ledger,
      counters: this.#counters,
      nodeId: deps.options.nodeId,
      concurrency: deps.options.concurrency,
      host: {
        running: () => this.#started,
        holds: (slot) => this.#slots.get(slot.def.id) === slot,
        owned: () => this.#owned,
        skips: (slot, now) => {
          if (!this.#skips?.(slot.def.id, now)) return false;
          this.#evaluate(slot);
          return true;
        },
        check: (slot) => this.#check(slot),
        record: (slot, result, at) => this.#record(slot, result, at),
      },
    });
  }

  get nodeId(): string {
    return this.opts.nodeId;
  }

  /** Ids of the monitors this node runs. */
  running(): string[] {
    return [...this.#slots.keys()];
  }

  /**
   * Planned maintenance from outside (the status module's windows): a monitor the gate names a reason for is
   * MAINTENANCE while its checks go on, unless `skips` says its checks wait for the window's end. Call
   * `maintenanceChanged` when the gate's answers changed.
   */
  setMaintenanceGate(
    gate: (monitorId: string, at: number) => string | null,
    skips?: (monitorId: string, at: number) => boolean,
  ): void {
    this.#gate = gate;
    this.#skips = skips ?? null;
  }

  /** Re-applies the maintenance gate to this node's monitors now, not at their next check. */
  maintenanceChanged(): void {
    for (const slot of this.#slots.values()) this.#evaluate(slot);
  }

  /** What this node carries now: monitors it runs, shards it holds, checks running. */
  load(): { monitors: number; shards: number; inFlight: number; lagMs: number } {
    return {
      monitors: this.#slots.size,
      shards: this.#owned.size,
      inFlight: this.#dispatch.inFlight,
      lagMs: this.#dispatch.lagNow(),
    };
  }

  /** Checks per second over the last `windowMs` (the metrics read it). */
  checksPerSecond(windowMs = 10_000): number {
    return this.#counters.perSecond(this.time.now(), windowMs);
  }

  /** The latest check of a monitor this node runs, fresher than the stored one (which waits for the flush). */
  lastCheck(id: string): LastCheck | null {
    return this.#slots.get(id)?.lastCheck ?? null;
  }

  observe(observer: EngineObserver): () => void {
    return this.#counters.observe(observer);
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
    this.#dispatch.wake();
    clearTimeout(this.#flushTimer);
    this.#unsubscribe?.();
    await this.#unlisten?.();
    await this.shards.stop();
    await this.#serial;
    for (const a of this.#aborts) a.abort(new Error("monitoring stopped"));
    await this.idle();
    for (const slot of this.#slots.values()) this.#drop(slot);
    this.#dispatch.clear();
    await this.flush().catch((err) => this.log.error({ err }, "could not flush monitor aggregates"));
    // Every check due up to the last batch's mark was started: the next owner runs the rest at once.
    await this.shards.handOver();
    this.#owned = new Set();
    this.#loaded = false;
  }

  /** Waits until no check runs and every state change is written. */
  async idle(): Promise<void> {
    while (this.#dispatch.busy) await this.#dispatch.settle();
    await Promise.allSettled([...this.#slots.values()].map((s) => s.writes));
  }

  /** Starts what is due now and waits for it; tests drive the engine this way with a manual clock. */
  async runDue(): Promise<void> {
    // A manual clock moved past the lease: renew first, as the renewal timer would have.
    if (this.#started && this.time.now() >= this.shards.heldUntil) await this.shards.sync();
    this.#dispatch.wake();
    await this.idle();
  }

  stats(): EngineStats {
    return this.#counters.stats(this.#slots.size, this.#dispatch.inFlight);
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
    this.#topology.clear();
    for (const row of rows) {
      const def = definitionOf(row, this.reveal);
      this.#topology.link(def);
      const state = stateOf.get(def.id);
      if (state && !this.#slots.has(def.id)) this.#statuses.set(def.id, state.status as Status);
    }
    const now = this.time.now();
    for (const def of this.#topology.all()) {
      if (!this.#owned.has(def.shard) || !def.enabled || this.#slots.has(def.id)) continue;
      const state = stateOf.get(def.id);
      const first = this.#firstDue(def, marks.get(def.shard) ?? null, state, now);
      this.#adopt(def, state, first.due, 0, first.skipGridAt);
    }
    for (const slot of this.#slots.values()) if (slot.def.type === "group") this.#deriveGroup(slot);
    this.#dispatch.wake();
  }

  /**
   * When a monitor taken over runs first: at once (spread over a short window by its id) when the check of its
   * latest grid time was not started by the previous owner (after the shard's hand-over mark, and after the
   * stored last check), else at its next grid time. A monitor never checked waits for its grid. A catch-up that
   * lands less than half an interval (or a lease) before the next grid time stands in for that check too:
   * two checks so close would be one interval checked twice, and waiting for the grid would leave two
   * intervals without one.
   */
  #firstDue(
    def: Definition,
    mark: number | null,
    state: StateRow | undefined,
    now: number,
  ): { due: number; skipGridAt: number | null } {
    const next = nextRun(def.id, def.intervalMs, now);
    const lastCheck = state?.last_check_at ? Date.parse(state.last_check_at) : null;
    if (mark === null && lastCheck === null) return { due: next, skipGridAt: null };
    const covered = Math.max(mark ?? Number.NEGATIVE_INFINITY, lastCheck ?? Number.NEGATIVE_INFINITY);
    // The previous owner's last batch may have started the next grid time's check early (a batch takes what is
    // due within BATCH_MS): the first turn here is the grid time after the mark.
    if (next <= covered) return { due: nextRun(def.id, def.intervalMs, covered), skipGridAt: null };
    const latest = next - def.intervalMs;
    if (latest <= covered) return { due: next, skipGridAt: null };
    const window = Math.max(1, Math.floor(Math.min(CATCH_UP_MS, def.intervalMs / 4)));
    const due = now + (hash32(`${def.id}:catch-up`) % window);
    const guard = Math.min(def.intervalMs / 2, this.shards.leaseMs);
    return { due, skipGridAt: next - due < guard ? next : null };
  }

  /** Takes a monitor into this node's schedule, continuing from its stored state. */
  #adopt(
    def: Definition,
    state: StateRow | undefined,
    due: number,
    lastPushAt = 0,
    skipGridAt: number | null = null,
  ): Slot {
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
      skipGridAt,
    };
    this.#slots.set(def.id, slot);
    if (state) this.#statuses.set(def.id, state.status as Status);
    if (def.type !== "group") this.#dispatch.schedule(slot, due);
    return slot;
  }

  #drop(slot: Slot): void {
    slot.seq++;
    this.#ledger.release(slot);
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
    const old = this.#topology.get(id);
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
    if (old) this.#topology.unlink(old);
    const slot = this.#slots.get(id);
    if (!row) {
      this.#statuses.delete(id);
      if (slot) this.#drop(slot);
      return;
    }
    const def = definitionOf(row, this.reveal);
    this.#topology.link(def);
    if (state) this.#statuses.set(id, state.status as Status);
    else this.#statuses.delete(id);
    if (!this.#owned.has(def.shard) || !def.enabled) {
      if (slot) this.#drop(slot);
      return;
    }
    const now = this.time.now();
    if (!slot) {
      const created = this.#adopt(def, state, now, push ? Date.parse(push.pushed_at) : 0);
      if (def.type === "heartbeat") this.#dispatch.schedule(created, this.#pushDeadline(created));
      if (def.type === "group") this.#deriveGroup(created);
      this.#dispatch.wake();
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
      this.#dispatch.schedule(slot, def.type === "heartbeat" ? this.#pushDeadline(slot) : now);
    }
    if (def.type !== "group" && slot.memory.own !== null) this.#evaluate(slot);
    this.#dispatch.wake();
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
    const minuteOf = Math.floor(at / 60_000);
    const down = result.status === "down";
    // A check counted with its batch that did not fail adds nothing: no empty row goes with the next batch.
    if (!counted || down) this.#ledger.count(slot.def.id, minuteOf, counted ? 0 : 1, down ? 1 : 0);
    this.#counters.checked(slot.def.type, result.status);
    slot.lastCheck = { monitorId: slot.def.id, at: new Date(at).toISOString(), latencyMs: result.latencyMs };
    slot.lastCheckDirty = true;
    this.#ledger.measure(slot, minuteOf, down, result.latencyMs);
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
      maintenance: slot.membersInMaintenance ? "members_maintenance" : (this.#gate?.(def.id, this.time.now()) ?? null),
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
    for (const child of this.#topology.children(id)) {
      const slot = this.#slots.get(child);
      if (slot && slot.memory.own !== null) this.#evaluate(slot);
    }
    const group = this.#topology.get(id)?.groupId;
    const slot = group ? this.#slots.get(group) : undefined;
    if (slot) this.#deriveGroup(slot);
  }

  #deriveGroup(slot: Slot): void {
    const members = [...this.#topology.members(slot.def.id)].map((m) => this.#statusOf(m));
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
    this.#dispatch.wake();
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
    this.#dispatch.schedule(slot, this.#pushDeadline(slot));
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
   * checked since the previous flush. So a stored last check is at most about 65 s old (a check just after one
   * flush waits for the next, 5 s into the following minute).
   */
  flush(): Promise<void> {
    return this.#ledger.flush(this.#slots.values(), Math.floor(this.time.now() / 60_000), !this.#started);
  }
}
