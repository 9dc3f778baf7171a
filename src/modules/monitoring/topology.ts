import type { CheckStatus } from "./checks/types.js";
import { type Definition, type EngineObserver, type EngineStats, LAG_SAMPLES } from "./engine-model.js";

/** Every monitor's definition (not only this node's), with who depends on whom: parents and groups. */
export class MonitorTopology {
  readonly #defs = new Map<string, Definition>();
  readonly #children = new Map<string, Set<string>>();
  readonly #members = new Map<string, Set<string>>();

  get(id: string): Definition | undefined {
    return this.#defs.get(id);
  }

  all(): IterableIterator<Definition> {
    return this.#defs.values();
  }

  clear(): void {
    this.#defs.clear();
    this.#children.clear();
    this.#members.clear();
  }

  link(def: Definition): void {
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

  unlink(def: Definition): void {
    this.#defs.delete(def.id);
    if (def.parentId) this.#children.get(def.parentId)?.delete(def.id);
    if (def.groupId) this.#members.get(def.groupId)?.delete(def.id);
  }

  /** Monitors whose parent is `id`. */
  children(id: string): Iterable<string> {
    return this.#children.get(id) ?? [];
  }

  /** Members of the group `id`. */
  members(id: string): Iterable<string> {
    return this.#members.get(id) ?? [];
  }
}

/** What the engine counts of its own work: checks, skips, scheduling delays, and the observers told of each. */
export class EngineCounters {
  checks = 0;
  skipped = 0;
  #lags: number[] = [];
  #checksAt: Array<[number, number]> = [];
  readonly #observers = new Set<EngineObserver>();

  observe(observer: EngineObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  started(lagMs: number): void {
    if (this.#lags.length < LAG_SAMPLES) this.#lags.push(lagMs);
    for (const o of this.#observers) o.started(lagMs);
  }

  ran(type: string, durationMs: number): void {
    for (const o of this.#observers) o.ran(type, durationMs);
  }

  checked(type: string, outcome: CheckStatus): void {
    this.checks++;
    for (const o of this.#observers) o.checked(type, outcome);
  }

  /** Checks per second over the last `windowMs` before `now`. */
  perSecond(now: number, windowMs: number): number {
    this.#checksAt = this.#checksAt.filter(([at]) => at >= now - windowMs * 2);
    this.#checksAt.push([now, this.checks]);
    const first = this.#checksAt.find(([at]) => at >= now - windowMs) ?? this.#checksAt[0]!;
    const spanMs = now - first[0];
    return spanMs > 0 ? ((this.checks - first[1]) * 1000) / spanMs : 0;
  }

  /** Counts so far and the delays since the previous call. */
  stats(monitors: number, inFlight: number): EngineStats {
    const lags = this.#lags.sort((a, b) => a - b);
    const at = (p: number) => (lags.length ? lags[Math.min(lags.length - 1, Math.ceil(p * lags.length) - 1)]! : null);
    this.#lags = [];
    return {
      monitors,
      checks: this.checks,
      skipped: this.skipped,
      inFlight,
      lagP50Ms: at(0.5),
      lagP99Ms: at(0.99),
      lagMaxMs: lags.length ? lags[lags.length - 1]! : null,
    };
  }
}
