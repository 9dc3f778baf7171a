import { MinuteAccumulator } from "./aggregates.js";
import type { Slot } from "./engine-model.js";
import type { CountRow, LastCheck, MonitoringRepository } from "./repository.js";

/**
 * What the engine measured and has not written yet: check and failure counts by monitor and minute (they go
 * with each batch's record, so a node that dies loses none), finished minutes' latency figures and monitors'
 * last checks (they go with the minute flush). A write that fails keeps its rows for the next one.
 */
export class CheckLedger {
  #counts = new Map<string, CountRow>();
  #done: MinuteAccumulator[] = [];
  /** Last checks of monitors dropped before the flush wrote them. */
  #lastChecks: LastCheck[] = [];

  constructor(private readonly repo: MonitoringRepository) {}

  count(monitorId: string, minute: number, checks: number, failures: number): void {
    const key = `${monitorId}:${minute}`;
    const row = this.#counts.get(key);
    if (row) {
      row.checks += checks;
      row.failures += failures;
    } else {
      this.#counts.set(key, { monitorId, bucket: new Date(minute * 60_000).toISOString(), checks, failures });
    }
  }

  /** The counts not written yet, taken to go with a write; `restore` them if it fails. */
  takeCounts(): CountRow[] {
    const counts = [...this.#counts.values()];
    this.#counts.clear();
    return counts;
  }

  restore(counts: readonly CountRow[]): void {
    for (const c of counts) this.count(c.monitorId, Date.parse(c.bucket) / 60_000, c.checks, c.failures);
  }

  /** Adds a result to the slot's minute, handing a finished minute over to the next flush. */
  measure(slot: Slot, minute: number, down: boolean, latencyMs: number | null): void {
    if (slot.acc?.minute !== minute) {
      if (slot.acc) this.#done.push(slot.acc);
      slot.acc = new MinuteAccumulator(slot.def.id, minute);
    }
    slot.acc.add(down, latencyMs);
  }

  /** A monitor leaving this node: what it measured still goes with the next flush. */
  release(slot: Slot): void {
    if (slot.acc) this.#done.push(slot.acc);
    slot.acc = null;
    if (slot.lastCheckDirty && slot.lastCheck) this.#lastChecks.push(slot.lastCheck);
  }

  /**
   * Writes every finished minute (every minute when `all`, as when stopping) and the last check of every monitor
   * checked since the previous flush, as multi-row statements.
   */
  async flush(slots: Iterable<Slot>, minute: number, all: boolean): Promise<void> {
    const done = this.#done;
    this.#done = [];
    const checks = this.#lastChecks;
    this.#lastChecks = [];
    for (const slot of slots) {
      if (slot.acc && (slot.acc.minute < minute || all)) {
        done.push(slot.acc);
        slot.acc = null;
      }
      if (slot.lastCheckDirty && slot.lastCheck) {
        checks.push(slot.lastCheck);
        slot.lastCheckDirty = false;
      }
    }
    const counts = this.takeCounts();
    try {
      if (counts.length) await this.repo.addCounts(counts);
    } catch (err) {
      this.restore(counts);
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
