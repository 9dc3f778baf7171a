import type { Logger } from "pino";
import type { CheckResult } from "./checks/types.js";
import { BATCH_MS, RECORD_RETRY_MS, RECORD_TIMEOUT_MS, type Slot } from "./engine-model.js";
import type { CheckLedger } from "./ledger.js";
import type { MonitoringRepository } from "./repository.js";
import { DueHeap, nextRun } from "./schedule.js";
import type { EngineTime, ShardLeases } from "./shards.js";
import type { EngineCounters } from "./topology.js";

/** What the dispatcher asks of the engine: whose slots are still its own, and what a check does. */
export interface DispatchHost {
  running(): boolean;
  /** The slot is still this node's (not dropped, moved or redefined). */
  holds(slot: Slot): boolean;
  owned(): ReadonlySet<number>;
  /** A `skip` maintenance window holds this monitor's checks now (the engine shows it MAINTENANCE). */
  skips(slot: Slot, now: number): boolean;
  check(slot: Slot): Promise<CheckResult | null>;
  /** A check's result, for a slot still held; `at` is when its batch was recorded. */
  record(slot: Slot, result: CheckResult, at: number): void;
}

export interface DispatchDeps {
  repo: MonitoringRepository;
  log: Logger;
  time: EngineTime;
  shards: ShardLeases;
  ledger: CheckLedger;
  counters: EngineCounters;
  nodeId: string;
  concurrency: number;
  host: DispatchHost;
}

/**
 * When checks start: the schedule (a heap of due times, fixed-rate on each monitor's grid), taken in batches
 * of BATCH_MS whose hand-over mark and check counts are recorded before their checks start, and the bound on
 * checks in flight. One timer, armed for the next due time: nothing runs between batches.
 */
export class CheckDispatcher {
  readonly #heap = new DueHeap<Slot>();
  readonly #waiting: Array<{ slot: Slot; due: number; at: number }> = [];
  readonly #inFlight = new Set<Promise<void>>();
  /** The batch being recorded before its checks start; the schedule waits for it. */
  #batch: Promise<void> | undefined;
  /** Batch records not written yet (the schedule waits for them only briefly). */
  readonly #writes = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (epoch ms): a wake-up finding it already armed for then keeps it. */
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly d: DispatchDeps) {}

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Checks running, a batch being recorded, or records unanswered. */
  get busy(): boolean {
    return this.#inFlight.size > 0 || this.#batch !== undefined || this.#writes.size > 0;
  }

  /** Waits for the current batch and for the checks and records in flight now. */
  async settle(): Promise<void> {
    await this.#batch;
    await Promise.allSettled([...this.#inFlight, ...this.#writes]);
  }

  /** How late the oldest due check not started yet is now (0 when none is). */
  lagNow(): number {
    const now = this.d.time.now();
    const head = this.#heap.peek()?.due ?? now;
    return Math.max(0, now - Math.min(head, this.#waiting[0]?.due ?? now));
  }

  schedule(slot: Slot, due: number): void {
    slot.due = due;
    slot.seq++;
    this.#heap.push({ due, item: slot, seq: slot.seq });
  }

  /** Forgets the schedule (stopping); checks in flight run to their end. */
  clear(): void {
    this.#disarm();
    this.#heap.clear();
    this.#waiting.length = 0;
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #arm(at: number): void {
    // Woken early (a reload, a push) with the timer already set for the same moment: no new timer.
    if (this.#timer && this.#timerAt === at) return;
    this.#disarm();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.wake();
      },
      Math.max(0, at - this.d.time.now()),
    );
    this.#timer.unref();
  }

  wake(): void {
    // A batch being recorded wakes the schedule again when it is done.
    if (!this.d.host.running() || this.#batch) {
      this.#disarm();
      return;
    }
    const now = this.d.time.now();
    const head = this.#heap.peek();
    if (head && head.due <= now) {
      this.#disarm();
      if (now < this.d.shards.heldUntil) this.#takeBatch(now);
      else this.#renewFirst();
      if (this.#batch) return;
    }
    const next = this.#heap.peek();
    if (next) this.#arm(next.due);
    else this.#disarm();
  }

  /**
   * Fenced: past our lease another node may run these monitors (this node was paused, or the database
   * stalled), so nothing starts until a renewal says which shards are still ours.
   */
  #renewFirst(): void {
    this.#batch = this.d.shards.sync().then(() => {
      this.#batch = undefined;
      if (this.d.time.now() < this.d.shards.heldUntil) this.wake();
      else if (this.d.host.running()) this.#arm(this.d.time.now() + this.d.shards.renewEveryMs);
    });
  }

  /** Takes every check due within the batch window, records them, then starts them. */
  #takeBatch(now: number): void {
    const { host, ledger, counters } = this.d;
    const through = now + BATCH_MS;
    const batch: Array<{ slot: Slot; due: number }> = [];
    /** The shards whose checks due in the window are all taken now: the ones the record marks. */
    const shards = new Set<number>();
    for (let e = this.#heap.peek(); e && e.due <= through; e = this.#heap.peek()) {
      this.#heap.pop();
      const slot = e.item;
      if (e.seq !== slot.seq || !host.holds(slot)) continue;
      shards.add(slot.def.shard);
      // Fixed rate on the monitor's grid; a node that fell more than an interval behind skips what it missed.
      let following = nextRun(slot.def.id, slot.def.intervalMs, Math.max(now, e.due));
      if (following === slot.skipGridAt) following += slot.def.intervalMs;
      slot.skipGridAt = null;
      this.schedule(slot, following);
      if (slot.busy) {
        counters.skipped++;
        continue;
      }
      // A `skip` maintenance window: no check, and the monitor shows MAINTENANCE (the gate names the window).
      if (host.skips(slot, now)) continue;
      slot.busy = true;
      batch.push({ slot, due: e.due });
    }
    if (!batch.length) return;
    const minute = Math.floor(now / 60_000);
    for (const { slot } of batch) ledger.count(slot.def.id, minute, 1, 0);
    const counts = ledger.takeCounts();
    const write = this.#recordBatch([...shards], through, now, counts);
    this.#writes.add(write);
    void write.finally(() => this.#writes.delete(write));
    // The checks start once their hand-over mark is recorded, and then whatever the time: the mark, written only
    // while this node held the shard, tells any next owner they are done. Started before it, a shard handed over
    // meanwhile would have them run twice. Not recorded (the database down past the lease), they run with the
    // first batch that can be; a record still unanswered after RECORD_TIMEOUT_MS leaves them to their next turn.
    this.#batch = new Promise<Set<number> | null | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.d.log.warn(
          { node: this.d.nodeId, checks: batch.length },
          "a batch of monitor checks was not recorded in time; skipped",
        );
        resolve(undefined);
      }, RECORD_TIMEOUT_MS);
      void write.then((lost) => {
        clearTimeout(timer);
        resolve(lost);
      });
    }).then((lost) => {
      this.#batch = undefined;
      const answeredAt = this.d.time.now();
      for (const { slot, due } of batch) {
        const here = host.running() && host.holds(slot);
        // The record answered more than half an interval after the batch was taken (this process was paused with
        // the answer on its way): a next owner may already be checking on the grid, so the turn is given up.
        const late = answeredAt - now > slot.def.intervalMs / 2;
        if (lost && here && !late && !lost.has(slot.def.shard)) {
          if (this.#inFlight.size < this.d.concurrency) this.#start(slot, due, now);
          else this.#waiting.push({ slot, due, at: now });
        } else {
          slot.busy = false;
          ledger.count(slot.def.id, minute, -1, 0);
          if (lost === null && here) this.schedule(slot, due);
        }
      }
      this.wake();
    });
  }

  /**
   * Writes a batch's hand-over mark and check counts, retrying while the lease lasts (a database restarting);
   * the shards found lost, or null when it could not be written (its counts then go with the next batch).
   */
  async #recordBatch(
    marked: number[],
    through: number,
    now: number,
    counts: ReturnType<CheckLedger["takeCounts"]>,
  ): Promise<Set<number> | null> {
    const { repo, shards, nodeId } = this.d;
    for (let attempt = 1; ; attempt++) {
      try {
        const held = await repo.advance(
          nodeId,
          marked,
          new Date(through).toISOString(),
          new Date(now).toISOString(),
          counts,
        );
        const lost = marked.filter((shard) => !held.includes(shard));
        if (lost.length) void shards.sync();
        return new Set(lost);
      } catch (err) {
        if (attempt === 1) this.d.log.warn({ err, node: nodeId }, "could not record a batch of monitor checks");
        if (!this.d.host.running() || this.d.time.now() + RECORD_RETRY_MS >= shards.heldUntil) {
          this.d.ledger.restore(counts);
          return null;
        }
        await new Promise((r) => setTimeout(r, RECORD_RETRY_MS));
      }
    }
  }

  /** Runs one check; `at` is when its batch was recorded (the minute it counts in). */
  #start(slot: Slot, due: number, at: number): void {
    const run = this.#run(slot, due, at).finally(() => {
      slot.busy = false;
      this.#inFlight.delete(run);
      const nextUp = this.#waiting.shift();
      if (nextUp && this.d.host.running()) this.#start(nextUp.slot, nextUp.due, nextUp.at);
    });
    this.#inFlight.add(run);
  }

  async #run(slot: Slot, due: number, at: number): Promise<void> {
    const { host, counters } = this.d;
    counters.started(Math.max(0, this.d.time.now() - due));
    const began = performance.now();
    try {
      const result = await host.check(slot);
      counters.ran(slot.def.type, performance.now() - began);
      // Dropped, moved to another node or redefined meanwhile: the result belongs to nobody.
      if (result && host.running() && host.holds(slot)) host.record(slot, result, at);
      else if (result?.status === "down") this.d.ledger.count(slot.def.id, Math.floor(at / 60_000), 0, 1);
    } catch (err) {
      this.d.log.error({ err, monitor: slot.def.id }, "monitor check failed");
    }
  }
}
