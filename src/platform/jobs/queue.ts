import { Cron } from "croner";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { every, untilBeat } from "../cadence.js";
import type { Clock } from "../clock.js";
import type { DB } from "../db/schema.js";
import { uuidv7 } from "../ids.js";
import type { JobRepository, JobRow } from "./repository.js";

export interface JobContext<P = unknown> {
  id: string;
  kind: string;
  payload: P;
  /** 1 for the first try. */
  attempt: number;
  runAt: string;
  /** Aborted when this node gives the job back (shutdown past the grace period) or loses its lease. */
  signal: AbortSignal;
  /** Aborted when the node begins to stop: a long job finishes what it holds and takes nothing new. */
  stopping: AbortSignal;
}

export type JobHandler<P = unknown> = (job: JobContext<P>) => Promise<void>;

export interface HandlerOptions {
  maxAttempts?: number;
  /** Delay before retry number `attempt` + 1; exponential with jitter by default. */
  backoffMs?: (attempt: number) => number;
}

export interface EnqueueOptions {
  runAt?: Date;
  /** A second enqueue with the same key is ignored (cron ticks, per-deadline timers). */
  dedupeKey?: string;
  maxAttempts?: number;
  /** Run inside the caller's transaction, so the job exists only if the write commits. */
  executor?: Kysely<DB>;
}

/** One job of `enqueueMany`. */
export type JobRequest = { kind: string; payload: unknown } & Omit<EnqueueOptions, "executor">;

export interface QueueOptions {
  nodeId: string;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
}

const JOBS_CHANNEL = "plantao_jobs";
const PRUNE_KIND = "jobs.prune";

export function defaultBackoffMs(attempt: number): number {
  const base = Math.min(2 ** (attempt - 1) * 1000, 3_600_000);
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/**
 * Durable jobs on the application database: exact-time one-off jobs, cron schedules in IANA zones,
 * retries with backoff, a dead-letter state and leases that another node takes over when one dies.
 */
export class JobQueue {
  readonly #handlers = new Map<string, { fn: JobHandler<any>; opts: HandlerOptions }>();
  readonly #running = new Map<string, { done: Promise<void>; abort: AbortController }>();
  #timer: NodeJS.Timeout | undefined;
  /** Idle: the next poll waits for the node's shared beat (platform/cadence) rather than a timer of its own. */
  #onBeat = false;
  #stopBeat: (() => void) | undefined;
  #started = false;
  #stopping = false;
  #stopSignal = new AbortController();
  /** The tick in flight, so `stop()` can wait for a claim that is still on its way back. */
  #ticking: Promise<void> | undefined;
  #tickAgain = false;
  /** The last tick claimed jobs: more may be due, so the next one claims without asking first. */
  #claimNext = false;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly repo: JobRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: QueueOptions,
    private readonly listen?: (channel: string, fn: (payload: string) => void) => Promise<() => Promise<void>>,
  ) {}

  register<P>(kind: string, fn: JobHandler<P>, opts: HandlerOptions = {}): void {
    if (this.#handlers.has(kind)) throw new Error(`job handler for ${kind} registered twice`);
    this.#handlers.set(kind, { fn, opts });
  }

  /** Returns the job id, or null when the dedupe key already existed. */
  async enqueue(kind: string, payload: unknown, options: EnqueueOptions = {}): Promise<string | null> {
    const { executor, ...rest } = options;
    const [id] = await this.enqueueMany([{ kind, payload, ...rest }], executor);
    return id ?? null;
  }

  /** Several jobs in one statement, in `executor`'s transaction when given; each id, or null as in `enqueue`. */
  async enqueueMany(jobs: readonly JobRequest[], executor?: Kysely<DB>): Promise<(string | null)[]> {
    if (!jobs.length) return [];
    const now = this.clock.now();
    const rows = jobs.map((job) => {
      const opts = this.#handlers.get(job.kind)?.opts;
      return {
        id: uuidv7(),
        kind: job.kind,
        payload: job.payload,
        runAt: job.runAt ?? now,
        maxAttempts: job.maxAttempts ?? opts?.maxAttempts ?? 5,
        dedupeKey: job.dedupeKey ?? null,
      };
    });
    const inserted = await this.repo.insertMany(rows, now, executor, JOBS_CHANNEL);
    if (inserted.size) this.poke();
    return rows.map((r) => (inserted.has(r.id) ? r.id : null));
  }

  /** Registers (or updates) a cron schedule and makes sure its next tick is queued. */
  async schedule(name: string, kind: string, cron: string, timezone: string, payload: unknown = null): Promise<void> {
    new Cron(cron, { timezone, paused: true }); // throws on a bad pattern or zone before anything is stored
    await this.repo.upsertSchedule({ name, kind, cron, timezone, payload }, this.clock.now());
    await this.#enqueueNextTick(name, this.clock.now());
  }

  /**
   * Switches off the schedules whose names start with `prefix`, inside the caller's transaction when given. A
   * tick already queued still runs once: handlers check that what they act on still exists and is enabled.
   */
  async unschedule(prefix: string, executor?: Kysely<DB>): Promise<void> {
    await this.repo.disableSchedules(prefix, this.clock.now(), executor);
  }

  async #enqueueNextTick(name: string, after: Date): Promise<void> {
    const s = await this.repo.getSchedule(name);
    if (!s?.enabled) return;
    const next = new Cron(s.cron, { timezone: s.timezone, paused: true }).nextRun(after);
    if (!next) return;
    await this.repo.insert(
      {
        id: uuidv7(),
        kind: s.kind,
        payload: JSON.parse(s.payload),
        runAt: next,
        maxAttempts: this.#handlers.get(s.kind)?.opts.maxAttempts ?? 5,
        // One row per tick whichever node computes it first: the unique key makes the others' inserts no-ops.
        dedupeKey: `cron:${name}:${next.toISOString()}`,
        scheduleName: name,
      },
      this.clock.now(),
    );
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#stopping = false;
    if (this.#stopSignal.signal.aborted) this.#stopSignal = new AbortController();
    if (this.listen) this.#unlisten = await this.listen(JOBS_CHANNEL, () => this.poke());
    this.#stopBeat = every(this.opts.pollMs, this.opts.nodeId, () => {
      if (!this.#onBeat) return;
      this.#onBeat = false;
      this.#tick();
    });
    this.poke();
  }

  /** Looks for due work now instead of at the next timer. */
  poke(): void {
    if (!this.#started || this.#stopping) return;
    // A tick in flight re-arms the timer when it ends, which would cancel a timer set here: ask it to go again.
    if (this.#ticking) {
      this.#tickAgain = true;
      return;
    }
    this.#onBeat = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), 0);
  }

  #tick(): void {
    if (this.#ticking) {
      this.#tickAgain = true;
      return;
    }
    this.#ticking = this.#tickOnce();
  }

  async #tickOnce(): Promise<void> {
    let delay = this.opts.pollMs;
    try {
      const now = this.clock.now().getTime();
      // Claiming is two writes and most polls find nothing due, so one read asks first, unless the last tick claimed.
      let due = this.#claimNext ? now : await this.#nextDue();
      this.#claimNext = false;
      if (due !== null && due <= now) {
        const claimed = await this.claimAndRun();
        // Busy: claim again at once, or (full) when a job ends and pokes.
        this.#claimNext = claimed > 0;
        if (claimed > 0) {
          if (this.#running.size < this.opts.concurrency) delay = 0;
          due = null;
        } else {
          due = await this.#nextDue();
          // Still due yet not claimed: another node is taking it, so wait a poll rather than spin.
          if (due !== null && due <= this.clock.now().getTime()) due = null;
        }
      }
      if (due !== null) delay = Math.max(0, Math.min(delay, due - this.clock.now().getTime()));
    } catch (err) {
      this.log.error({ err }, "job queue tick failed");
    }
    // Synchronously from here on, so a poke either sees this tick running or sees it gone, never in between.
    this.#ticking = undefined;
    if (this.#stopping) return;
    if (this.#tickAgain) {
      this.#tickAgain = false;
      delay = 0;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#onBeat = delay >= untilBeat(this.opts.pollMs, this.opts.nodeId);
    if (!this.#onBeat) this.#timer = setTimeout(() => this.#tick(), delay);
  }

  async #nextDue(): Promise<number | null> {
    const next = await this.repo.nextDueAt();
    return next ? new Date(next).getTime() : null;
  }

  /** Claims what fits in the free slots and starts it; returns how many were claimed. */
  async claimAndRun(): Promise<number> {
    const free = this.opts.concurrency - this.#running.size;
    if (free <= 0 || this.#stopping) return 0;
    const now = this.clock.now();
    const rows = await this.repo.claim(this.opts.nodeId, now, new Date(now.getTime() + this.opts.leaseMs), free);
    if (this.#stopping) {
      // `stop()` began while the claim was on its way: hand the rows straight back instead of starting them.
      for (const row of rows) await this.repo.release(row.id, this.opts.nodeId, this.clock.now());
      return 0;
    }
    for (const row of rows) {
      const abort = new AbortController();
      const done = this.#run(row, abort).finally(() => {
        this.#running.delete(row.id);
        this.poke();
      });
      this.#running.set(row.id, { done, abort });
    }
    return rows.length;
  }

  /** Runs every due job to completion; for tests and the CLI, which drive time themselves. */
  async drain(): Promise<void> {
    for (;;) {
      const n = await this.claimAndRun();
      if (n === 0 && this.#running.size === 0) return;
      await Promise.race([...this.#running.values()].map((r) => r.done));
    }
  }

  async #run(row: JobRow, abort: AbortController): Promise<void> {
    const handler = this.#handlers.get(row.kind);
    const heartbeat = setInterval(
      () => {
        const until = new Date(this.clock.now().getTime() + this.opts.leaseMs);
        void this.repo.extendLease(row.id, this.opts.nodeId, until).then(
          (held) => {
            if (held || abort.signal.aborted) return;
            this.log.warn({ job: row.id }, "lost the lease of a running job");
            abort.abort(new Error("lease lost"));
          },
          () => {},
        );
      },
      Math.max(50, Math.floor(this.opts.leaseMs / 3)),
    );
    heartbeat.unref();
    abort.signal.addEventListener("abort", () => clearInterval(heartbeat), { once: true });
    try {
      if (row.schedule_name)
        await this.#enqueueNextTick(row.schedule_name, maxDate(new Date(row.run_at), this.clock.now()));
      if (!handler) throw new Error(`no handler registered for job kind ${row.kind}`);
      await handler.fn({
        id: row.id,
        kind: row.kind,
        payload: JSON.parse(row.payload),
        attempt: row.attempts,
        runAt: row.run_at,
        signal: abort.signal,
        stopping: this.#stopSignal.signal,
      });
      // A job given back or taken over meanwhile belongs to someone else now: record nothing.
      if (abort.signal.aborted) return;
      await this.repo.succeed(row.id, this.opts.nodeId, this.clock.now());
    } catch (err) {
      if (abort.signal.aborted) return;
      const message = err instanceof Error ? err.message : String(err);
      const now = this.clock.now();
      const retryAt =
        row.attempts < row.max_attempts
          ? new Date(now.getTime() + (handler?.opts.backoffMs ?? defaultBackoffMs)(row.attempts))
          : null;
      this.log.warn({ job: row.id, kind: row.kind, attempt: row.attempts, err: message, dead: !retryAt }, "job failed");
      await this.repo
        .fail(row.id, this.opts.nodeId, now, message.slice(0, 2000), retryAt)
        .catch((e) => this.log.error({ err: e, job: row.id }, "could not record job failure"));
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Stops claiming, lets running jobs finish for up to `graceMs`, then hands the rest back to the queue. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    this.#stopSignal.abort(new Error("job queue stopping"));
    this.#stopBeat?.();
    this.#onBeat = false;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#unlisten?.();
    this.#unlisten = undefined;
    await this.#ticking;
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#running.values()].map((r) => r.done)),
      new Promise((r) => {
        timeout = setTimeout(r, graceMs);
      }),
    ]);
    clearTimeout(timeout);
    for (const [id, { abort }] of this.#running) {
      abort.abort(new Error("job queue stopped"));
      await this.repo
        .release(id, this.opts.nodeId, this.clock.now())
        .catch((err) => this.log.error({ err, job: id }, "could not release a job on shutdown"));
    }
    this.#running.clear();
    this.#started = false;
  }

  stats() {
    return this.repo.queueStats(this.clock.now());
  }

  /**
   * Keeps the job table small: every SLA timer and webhook delivery is a row, so succeeded ones are deleted
   * a week after they finished, by a nightly schedule that runs once across all nodes.
   */
  async scheduleHousekeeping(timezone: string): Promise<void> {
    if (!this.#handlers.has(PRUNE_KIND)) {
      this.register(PRUNE_KIND, async () => {
        const removed = await this.repo.deleteSucceededBefore(new Date(this.clock.now().getTime() - 7 * 86_400_000));
        if (removed) this.log.info({ removed }, "pruned succeeded jobs");
      });
    }
    await this.schedule("jobs.prune", PRUNE_KIND, "17 3 * * *", timezone);
  }
}

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
