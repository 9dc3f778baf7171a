import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { every } from "../cadence.js";
import type { Clock } from "../clock.js";
import type { DB } from "../db/schema.js";
import { type DomainEvent, type EventBus, toEvent } from "./bus.js";
import type { FanOutRepository } from "./fanout-repository.js";

/**
 * Turns committed events into work (webhook deliveries, later notifications and alerts) inside `trx`, the
 * transaction that claims them: the jobs exist exactly when the claim commits. Throwing rolls the claim
 * back, so the events are fanned out again later; never half.
 */
export type FanOutHandler = (events: readonly DomainEvent[], trx: Kysely<DB>) => Promise<void>;

export interface FanOutOptions {
  /** Events claimed per transaction. */
  batch?: number;
  /** How often a node looks for pending events nobody announced (a claim rolled back by a dead node). */
  sweepMs?: number;
  /** The node it runs on: its sweep goes with the node's other polls (platform/cadence). */
  nodeId?: string;
  /** How long an event whose handlers keep failing is left aside before it is tried again. */
  poisonMs?: number;
}

class HandlerError extends Error {
  constructor(
    readonly handler: string,
    readonly eventIds: number[],
    cause: unknown,
  ) {
    super(`fan-out handler ${handler} failed`, { cause });
  }
}

/** What one claim did, for metrics: each event's wait from publication to its jobs' commit. */
export interface FanOutReport {
  events: number;
  lagsMs: number[];
}

/**
 * One fan-out per event across all nodes. Each node, woken by the bus (NOTIFY on PostgreSQL, polling on
 * SQLite) and by a slow sweep, claims pending events with `UPDATE events SET fanned_out_at … WHERE id IN
 * (SELECT … FOR UPDATE SKIP LOCKED)` and runs every registered handler in that same transaction. Nodes
 * never claim the same event; a node that dies mid-claim leaves its transaction to roll back and the
 * events to the next claim.
 */
export class EventFanOut {
  readonly #handlers = new Map<string, FanOutHandler>();
  readonly #listeners = new Set<(report: FanOutReport) => void>();
  /** Events whose handlers failed alone, by id, with the time they may be tried again. */
  readonly #poisoned = new Map<number, number>();
  #running: Promise<void> | undefined;
  #again = false;
  #started = false;
  #stopBeat: (() => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #batch: number;
  readonly #sweepMs: number;
  readonly #nodeId: string;
  readonly #poisonMs: number;

  constructor(
    private readonly repo: FanOutRepository,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: FanOutOptions = {},
  ) {
    this.#batch = opts.batch ?? 100;
    this.#sweepMs = opts.sweepMs ?? 1_000;
    this.#nodeId = opts.nodeId ?? "";
    this.#poisonMs = opts.poisonMs ?? 60_000;
  }

  /** Adds a handler every event goes through once; `name` labels it in logs. Register before `start`. */
  register(name: string, handler: FanOutHandler): void {
    if (this.#handlers.has(name)) throw new Error(`fan-out handler ${name} registered twice`);
    this.#handlers.set(name, handler);
  }

  /** Called after each committed claim (metrics). */
  onFannedOut(fn: (report: FanOutReport) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  pending(): Promise<{ count: number; oldestAt: string | null }> {
    return this.repo.pending();
  }

  /** Starts claiming: now (what was committed while no node ran), on every event heard, and every sweep. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribe = this.bus.subscribe(() => this.poke());
    this.#stopBeat = every(this.#sweepMs, this.#nodeId, () => this.poke());
    this.poke();
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#unsubscribe?.();
    this.#stopBeat?.();
    await this.#running;
  }

  /** Claims now; a claim in flight goes once more when it ends, since it may have read before a commit. */
  poke(): void {
    if (!this.#started) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
  }

  /** Fans out every pending event now, whether started or not (tests, the CLI). */
  async drain(): Promise<number> {
    await this.#running;
    let total = 0;
    for (;;) {
      const n = await this.#claimBatch();
      total += n;
      if (n < this.#batch) return total;
    }
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        let full = true;
        while (full && this.#started) full = (await this.#claimBatch()) >= this.#batch;
      } catch (err) {
        this.log.error({ err }, "event fan-out failed");
      }
    } while (this.#again && this.#started);
  }

  #skipped(): number[] {
    const now = Date.now();
    for (const [id, until] of this.#poisoned) if (until <= now) this.#poisoned.delete(id);
    return [...this.#poisoned.keys()];
  }

  /**
   * One claim of up to a batch. When a handler fails, the claim rolls back and its events are claimed again
   * one per transaction, so one bad event is set aside (and retried after `poisonMs`) without holding up the
   * others. Database errors propagate: the next wake-up or sweep tries again. Returns how many were claimed.
   */
  async #claimBatch(): Promise<number> {
    try {
      return (await this.#claim(this.#batch)).length;
    } catch (err) {
      if (!(err instanceof HandlerError)) throw err;
      this.log.warn({ err: err.cause, handler: err.handler }, "event fan-out batch failed; retrying one by one");
    }
    let n = 0;
    while (n < this.#batch) {
      try {
        const ids = await this.#claim(1);
        if (!ids.length) break;
        n += ids.length;
      } catch (err) {
        if (!(err instanceof HandlerError)) throw err;
        const [id] = err.eventIds;
        this.log.error(
          { err: err.cause, handler: err.handler, event: id, retryInMs: this.#poisonMs },
          "event fan-out failed for one event; set aside",
        );
        if (id !== undefined) this.#poisoned.set(id, Date.now() + this.#poisonMs);
      }
    }
    return n;
  }

  async #claim(limit: number): Promise<number[]> {
    const skip = this.#skipped();
    if (!(await this.repo.anyPending(skip))) return [];
    const events = await this.repo.transaction(async (trx) => {
      const rows = await this.repo.claim(trx, this.clock.now().toISOString(), limit, skip);
      const events = rows.map(toEvent);
      if (!events.length) return events;
      for (const [name, handler] of this.#handlers) {
        try {
          await handler(events, trx);
        } catch (err) {
          throw new HandlerError(
            name,
            events.map((e) => e.id),
            err,
          );
        }
      }
      return events;
    });
    if (events.length) {
      const now = this.clock.now().getTime();
      const lagsMs = events.map((e) => Math.max(0, now - new Date(e.createdAt).getTime()));
      this.log.debug({ events: events.length, maxLagMs: Math.max(...lagsMs) }, "events fanned out");
      for (const fn of this.#listeners) fn({ events: events.length, lagsMs });
    }
    return events.map((e) => e.id);
  }
}
