import type { Logger } from "pino";
import { every } from "../../platform/cadence.js";
import type { Clock } from "../../platform/clock.js";
import type { EventBus, NewEvent } from "../../platform/events/bus.js";
import type { EventPayload } from "../../platform/events/catalogue.js";
import type { MonitoringRepository, ShardRow } from "./repository.js";
import { SHARDS } from "./schedule.js";

/** Told to other nodes when a node gives shards back, so one of them takes them at once. */
export const SHARDS_CHANNEL = "plantao_monitor_shards";
export const SHARDS_ACQUIRED = "monitor.shards_acquired";
export const SHARDS_RELEASED = "monitor.shards_released";
export const SHARDS_LOST = "monitor.shards_lost";
type ShardEvent = typeof SHARDS_ACQUIRED | typeof SHARDS_RELEASED | typeof SHARDS_LOST;

/** How often the offset to the database's clock is measured again. */
const CLOCK_SYNC_MS = 10_000;

/**
 * The engine's time: this node's clock moved onto the database's, which every node shares, so that leases,
 * the checks' grid and the hand-over marks mean the same instant on every node even when a node's own clock
 * is seconds off. On SQLite (one node) and with a test clock it is the injected clock as it is.
 */
export class EngineTime {
  offsetMs = 0;
  #measuredAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly shared: boolean,
  ) {}

  now(): number {
    return this.clock.now().getTime() + this.offsetMs;
  }

  /** Measures the offset from one round trip to the database (its middle taken as the moment it answered). */
  async measure(read: () => Promise<number | null>): Promise<void> {
    const local = this.clock.now().getTime();
    if (!this.shared || local - this.#measuredAt < CLOCK_SYNC_MS) return;
    const t0 = performance.now();
    const db = await read();
    const rtt = performance.now() - t0;
    this.#measuredAt = local;
    if (db !== null) this.offsetMs = Math.round(db - (local + rtt / 2));
  }
}

/** A shard's hand-over mark: every check due up to it was started by the previous owner (epoch ms). */
export type Handover = ReadonlyMap<number, number | null>;

export interface ShardOptions {
  nodeId: string;
  leaseMs: number;
}

/**
 * The shard protocol of one node: a heartbeat, lease renewal every third of the lease, a fair share of the
 * shards (extra ones given back when a node joins, free or expired ones taken), and hand-over at stop. Every
 * change is logged at info level and published as an event, with the node ids involved.
 */
export class ShardLeases {
  owned = new Set<number>();
  /** Until when this node surely holds its leases (measured before the renewal was sent). */
  heldUntil = 0;
  #stopBeat: (() => void) | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #running = false;
  #syncing: Promise<void> | undefined;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly repo: MonitoringRepository,
    private readonly events: EventBus,
    private readonly log: Logger,
    private readonly time: EngineTime,
    private readonly opts: ShardOptions,
    /** Called with the shards now held and, for those just gained, their hand-over marks. */
    private readonly apply: (owned: Set<number>, gained: Handover) => Promise<void>,
    private readonly listen?: (channel: string, fn: (payload: string) => void) => Promise<() => Promise<void>>,
  ) {}

  get leaseMs(): number {
    return this.opts.leaseMs;
  }

  get renewEveryMs(): number {
    return Math.max(100, Math.floor(this.opts.leaseMs / 3));
  }

  async start(): Promise<void> {
    this.#running = true;
    await this.repo.ensureShards(SHARDS);
    if (this.listen) {
      this.#unlisten = await this.listen(SHARDS_CHANNEL, (from) => {
        if (from !== this.opts.nodeId) void this.sync();
      });
    }
    await this.sync();
    this.#stopBeat = every(this.renewEveryMs, this.opts.nodeId, () => void this.sync());
  }

  /** Stops renewing; `handOver` then gives the shards back and tells the other nodes. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopBeat?.();
    clearTimeout(this.#expiryTimer);
    await this.#unlisten?.();
    await this.#syncing;
  }

  async handOver(): Promise<void> {
    const shards = [...this.owned].sort((a, b) => a - b);
    this.owned = new Set();
    this.heldUntil = 0;
    try {
      await this.repo.release(this.opts.nodeId);
      if (shards.length) {
        await this.repo.announceRelease(SHARDS_CHANNEL, this.opts.nodeId);
        this.#changed(SHARDS_RELEASED, shards, { reason: "stop" }, "monitor shards handed over at stop");
      }
    } catch (err) {
      this.log.error(
        { err, node: this.opts.nodeId },
        "could not hand monitor shards over; they move on when the lease expires",
      );
    }
    await this.repo.leave(this.opts.nodeId).catch(() => {});
  }

  /** One round: heartbeat, renew, then give back or take shards to hold a fair share. */
  sync(): Promise<void> {
    this.#syncing ??= this.#syncOnce().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #syncOnce(): Promise<void> {
    if (!this.#running) return;
    const { nodeId, leaseMs } = this.opts;
    try {
      await this.time.measure(() => this.repo.clockMs());
      const now = this.time.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const until = iso(now + leaseMs);
      const { live, rows } = await this.repo.beat(nodeId, iso(now), iso(now - leaseMs), until);
      let held = rows.filter((r) => r.owner === nodeId).map((r) => r.shard);
      const fair = Math.ceil(SHARDS / Math.max(1, live));
      const gained = new Map<number, number | null>();
      if (held.length > fair) {
        const extra = held.slice(fair);
        held = held.slice(0, fair);
        this.owned = new Set([...this.owned].filter((s) => !extra.includes(s)));
        // Stop running them before another node may start.
        await this.#apply(new Set(held), gained);
        await this.repo.release(nodeId, extra);
        await this.repo.announceRelease(SHARDS_CHANNEL, nodeId);
        this.#changed(
          SHARDS_RELEASED,
          extra,
          { reason: "rebalance", liveNodes: live },
          "monitor shards given back to a joining node",
        );
      } else if (held.length < fair) {
        const claimed = await this.repo.claim(nodeId, fair - held.length, iso(now), until);
        for (const r of claimed) gained.set(r.shard, r.checked_through ? Date.parse(r.checked_through) : null);
        held = [...held, ...claimed.map((r) => r.shard)];
        if (claimed.length) this.#acquired(claimed, now);
      }
      this.#armExpiry(rows, now);
      this.heldUntil = now + leaseMs;
      if (!this.#running) return;
      await this.#apply(new Set(held), gained);
    } catch (err) {
      this.log.error({ err, node: nodeId }, "monitor shard renewal failed");
      // Past our lease another node may hold the shards: stop running them.
      if (this.time.now() > this.heldUntil && this.owned.size) await this.#apply(new Set(), new Map());
    }
  }

  /** Applies what we hold; shards that went away without us giving them back were lost (a pause, a stall). */
  async #apply(owned: Set<number>, gained: Handover): Promise<void> {
    const lost = [...this.owned].filter((s) => !owned.has(s) && !gained.has(s));
    this.owned = owned;
    if (lost.length) {
      this.#changed(
        SHARDS_LOST,
        lost,
        {},
        "monitor shards lost: the lease ran out before renewal (paused node or database stall)",
      );
    }
    await this.apply(owned, gained);
  }

  /**
   * A peer missed its renewals (its lease runs out before our next round): look again right when it does, so
   * its shards move on at once rather than up to a round later.
   */
  #armExpiry(rows: ShardRow[], now: number): void {
    const expiries = rows
      .filter((r) => r.owner && r.owner !== this.opts.nodeId && r.lease_until)
      .map((r) => Date.parse(r.lease_until!));
    if (!expiries.length) return;
    const wait = Math.min(...expiries) - now + 5;
    if (wait <= 0 || wait >= this.renewEveryMs) return;
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = setTimeout(() => void this.sync(), wait);
    this.#expiryTimer.unref();
  }

  #acquired(claimed: ShardRow[], now: number): void {
    const from = new Map<string, number[]>();
    for (const r of claimed) {
      // A previous owner whose lease ran out died or stalled; a free shard was handed over cleanly.
      const was = r.owner && r.lease_until && Date.parse(r.lease_until) < now ? r.owner : null;
      if (was) from.set(was, [...(from.get(was) ?? []), r.shard]);
    }
    for (const [peer, shards] of from) {
      this.log.info(
        { node: this.opts.nodeId, peer, shards },
        "monitor shards taken over from a node whose lease expired",
      );
    }
    this.#changed(
      SHARDS_ACQUIRED,
      claimed.map((r) => r.shard),
      { takenOverFrom: Object.fromEntries(from) },
      "monitor shards acquired",
    );
  }

  #changed<T extends ShardEvent>(
    type: T,
    shards: number[],
    extra: Omit<EventPayload<T>, "nodeId" | "shards">,
    message: string,
  ): void {
    const payload = { nodeId: this.opts.nodeId, shards, ...extra };
    this.log.info(payload as Record<string, unknown>, message);
    void this.events
      .publish({ type, organizationId: null, subjectId: null, payload } as NewEvent)
      .catch((err) => this.log.warn({ err }, "could not publish a shard event"));
  }
}
