import { type Kysely, sql } from "kysely";
import type { Logger } from "pino";
import { every } from "../cadence.js";
import type { Clock } from "../clock.js";
import type { Dialect } from "../db/dialect.js";
import type { DB } from "../db/schema.js";
import { type EventPayload, type EventType, payloadProblem } from "./catalogue.js";

export interface DomainEvent<P = unknown> {
  id: number;
  type: string;
  /** Tenant the event belongs to; null for provider-wide events. Used to filter what a viewer may see. */
  organizationId: string | null;
  subjectId: string | null;
  payload: P;
  createdAt: string;
}

/** An event to publish: a catalogued type with its payload (one member of the union per type). */
export type NewEvent<T extends EventType = EventType> = T extends EventType
  ? {
      type: T;
      organizationId?: string | null;
      subjectId?: string | null;
      payload: EventPayload<T>;
    }
  : never;

/**
 * What the bus does with an event whose payload does not fit the catalogue: tests `throw` (so a missing or
 * drifting entry fails the suite), production logs a warning and publishes it anyway.
 */
export type PayloadCheck = "throw" | "warn";

type Subscriber = (event: DomainEvent) => void;

const CHANNEL = "plantao_events";

export function toEvent(row: {
  id: number;
  type: string;
  organization_id: string | null;
  subject_id: string | null;
  payload: string;
  created_at: string;
}): DomainEvent {
  return {
    id: Number(row.id),
    type: row.type,
    organizationId: row.organization_id,
    subjectId: row.subject_id,
    payload: JSON.parse(row.payload),
    createdAt: row.created_at,
  };
}

/**
 * Domain events through an outbox table: `publish` writes a row in the caller's transaction, and
 * subscribers on every node hear of it only after that transaction committed. PostgreSQL wakes the
 * nodes with NOTIFY (sent at commit); SQLite, a single-node engine, is polled from a cursor.
 */
export class EventBus {
  readonly #subscribers = new Set<Subscriber>();
  #cursor = 0;
  #stopBeat: (() => void) | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #polling: Promise<void> | undefined;
  #pollAgain = false;
  /** NOTIFY deliveries, chained so subscribers hear a node's events in the order they were announced. */
  #delivering: Promise<void> = Promise.resolve();
  #started = false;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly listen?: (
      channel: string,
      fn: (payload: string) => void,
      onReconnect?: () => void,
    ) => Promise<() => Promise<void>>,
    /**
     * SQLite: how often to look for events another process wrote in the same file (a CLI command, a second
     * process during an upgrade); this process's own publishes are read at once.
     */
    private readonly pollMs = 1_000,
    private readonly payloadCheck: PayloadCheck = "warn",
    /** The node this bus runs on: its timed poll goes with the node's other polls (platform/cadence). */
    private readonly node = "",
  ) {}

  async publish(event: NewEvent, executor: Kysely<DB> = this.db): Promise<number> {
    return (await this.publishMany([event], executor))[0]!;
  }

  /** Several events in one statement, in order (see `publish`). */
  async publishMany(events: readonly NewEvent[], executor: Kysely<DB> = this.db): Promise<number[]> {
    if (events.length === 0) return [];
    for (const event of events) {
      const problem = payloadProblem(event.type, event.payload);
      if (!problem) continue;
      if (this.payloadCheck === "throw") throw new Error(problem);
      this.log.warn({ event: event.type }, problem);
    }
    const createdAt = this.clock.now().toISOString();
    const rows = await executor
      .insertInto("events")
      .values(
        events.map((event) => ({
          type: event.type,
          organization_id: event.organizationId ?? null,
          subject_id: event.subjectId ?? null,
          payload: this.dialect.json(event.payload),
          created_at: createdAt,
        })),
      )
      .returning(["id", this.dialect.notifyReturning(CHANNEL, sql.ref("id")).as("notified")])
      .execute();
    if (!this.listen) setTimeout(() => void this.#poll(), 5);
    return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  }

  subscribe(fn: Subscriber): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /** Events after `afterId` (for SSE reconnects with Last-Event-ID). */
  async since(afterId: number, limit = 500): Promise<DomainEvent[]> {
    const rows = await this.db
      .selectFrom("events")
      .selectAll()
      .where("id", ">", afterId)
      .orderBy("id")
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const max = await this.db
      .selectFrom("events")
      .select((eb) => eb.fn.max("id").as("max"))
      .executeTakeFirst();
    this.#cursor = Number(max?.max ?? 0);
    if (this.listen) {
      this.#unlisten = await this.listen(
        CHANNEL,
        (payload) => this.#announce(Number(payload)),
        () => {
          this.#delivering = this.#delivering.then(() => this.#catchUp());
        },
      );
    } else {
      this.#stopBeat = every(this.pollMs, this.node, () => void this.#pollIfWritten());
    }
  }

  async stop(): Promise<void> {
    this.#started = false;
    this.#stopBeat?.();
    await this.#unlisten?.();
    this.#unlisten = undefined;
    await Promise.all([this.#polling, this.#delivering]);
  }

  #emit(event: DomainEvent): void {
    for (const fn of this.#subscribers) {
      try {
        fn(event);
      } catch (err) {
        this.log.error({ err, event: event.type }, "event subscriber failed");
      }
    }
  }

  /** Ids delivered lately over NOTIFY, so a catch-up after a reconnect sends each event once. */
  readonly #recent = new Set<number>();
  #lastDeliveredAt = 0;

  #remember(e: DomainEvent): void {
    this.#recent.add(e.id);
    if (this.#recent.size > 10_000) this.#recent.delete(this.#recent.values().next().value!);
    this.#lastDeliveredAt = Math.max(this.#lastDeliveredAt, new Date(e.createdAt).getTime());
  }

  /**
   * After the LISTEN connection was lost and re-opened: deliver what was committed meanwhile. Ids may
   * commit out of order on PostgreSQL, so it reads by time (with a margin) and skips ids already sent.
   */
  async #catchUp(): Promise<void> {
    try {
      const from = new Date((this.#lastDeliveredAt || this.clock.now().getTime()) - 60_000).toISOString();
      const rows = await this.db
        .selectFrom("events")
        .selectAll()
        .where("created_at", ">=", from)
        .orderBy("id")
        .execute();
      for (const row of rows) {
        const e = toEvent(row);
        if (this.#recent.has(e.id)) continue;
        this.#remember(e);
        this.#emit(e);
      }
    } catch (err) {
      this.log.error({ err }, "event catch-up failed");
    }
  }

  /** Ids announced over NOTIFY and not read yet; read together, so a burst of events costs a few reads. */
  #announced: number[] = [];
  #readScheduled = false;

  #announce(id: number): void {
    this.#announced.push(id);
    if (this.#readScheduled) return;
    this.#readScheduled = true;
    this.#delivering = this.#delivering.then(() => this.#deliverAnnounced());
  }

  /** Reads the events announced so far and emits them in the order they were announced. */
  async #deliverAnnounced(): Promise<void> {
    this.#readScheduled = false;
    const ids = this.#announced.splice(0).filter((id) => Number.isFinite(id) && !this.#recent.has(id));
    if (!this.#started) return;
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      try {
        const rows = await this.db.selectFrom("events").selectAll().where("id", "in", chunk).execute();
        const byId = new Map(rows.map((row) => [Number(row.id), row]));
        for (const id of chunk) {
          const row = byId.get(id);
          if (!row || this.#recent.has(id)) continue;
          const e = toEvent(row);
          this.#remember(e);
          this.#emit(e);
        }
      } catch (err) {
        this.log.error({ err, ids: chunk.length }, "event delivery failed");
      }
    }
  }

  /** What `commitsElsewhere` said at the last timed poll. */
  #seenCommits: number | null = null;

  /**
   * The timed poll is for events other processes wrote (this one polls after its own publishes): where the
   * database tells, it reads only when another connection committed something since the last time.
   */
  async #pollIfWritten(): Promise<void> {
    try {
      const commits = await this.dialect.commitsElsewhere(this.db);
      if (commits !== null && commits === this.#seenCommits) return;
      this.#seenCommits = commits;
    } catch (err) {
      this.log.error({ err }, "event poll failed");
      return;
    }
    await this.#poll();
  }

  #poll(): Promise<void> {
    if (!this.#started) return Promise.resolve();
    // A poll in flight may have read before the caller's commit: have it read once more.
    if (this.#polling) {
      this.#pollAgain = true;
      return this.#polling;
    }
    this.#polling = this.#pollLoop();
    return this.#polling;
  }

  async #pollLoop(): Promise<void> {
    do {
      this.#pollAgain = false;
      await this.#pollOnce();
    } while (this.#pollAgain && this.#started);
    this.#polling = undefined;
  }

  async #pollOnce(): Promise<void> {
    try {
      for (;;) {
        const batch = await this.since(this.#cursor);
        for (const e of batch) {
          this.#cursor = e.id;
          this.#emit(e);
        }
        if (batch.length < 500) break;
      }
    } catch (err) {
      this.log.error({ err }, "event poll failed");
    }
  }
}
