import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { NotificationChannel, NotificationStatus } from "../../platform/db/schema.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobContext, JobQueue } from "../../platform/jobs/queue.js";
import type { WebhookService } from "../webhooks/service.js";
import { chatPayload, type Flavour } from "./chat.js";
import type { Mailer } from "./mailer.js";
import type { ClaimedRow, NotificationRepository, Outcome } from "./repository.js";
import { localeOf, mailBodies, render, type Template } from "./templates.js";

export const DELIVER_JOB = "notification.deliver";
/** Waits before the 2nd, 3rd… attempts: 30 s doubling up to 1 h, then hourly; about 6 h of tries before a message is dead. */
export const RETRY_DELAYS_MS = [
  30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000,
];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

export interface DeliveryOptions {
  /** Messages of this node sent but not yet recorded, at most: the most one crash can send twice. */
  window: number;
  /** Rows claimed per statement. */
  batch: number;
  /** How long a claim holds its rows unless renewed; a dead node's rows are claimable again after it. */
  leaseMs: number;
}

/** Longest an outcome waits for others to be recorded with. */
const FLUSH_AFTER_MS = 5;

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1000);

/**
 * How an attempt ended (pure): sent; failed with the next retry time; or dead after the round's last attempt.
 * `error` undefined means the attempt was never made because the row's lease ran out during its last one.
 */
export function outcomeOf(
  row: Pick<ClaimedRow, "id" | "attempts" | "round_attempts">,
  result: { providerMessageId: string | null } | { error: string },
  now: Date,
): Outcome {
  if ("providerMessageId" in result) {
    return {
      id: row.id,
      status: "sent",
      attempts: row.attempts,
      round_attempts: row.round_attempts,
      last_error: null,
      next_attempt_at: null,
      provider_message_id: result.providerMessageId,
    };
  }
  const retryIn = RETRY_DELAYS_MS[row.round_attempts - 1];
  const status: NotificationStatus = row.round_attempts >= MAX_ATTEMPTS || retryIn === undefined ? "dead" : "failed";
  return {
    id: row.id,
    status,
    attempts: row.attempts,
    round_attempts: row.round_attempts,
    last_error: result.error,
    next_attempt_at: status === "failed" ? new Date(now.getTime() + retryIn!).toISOString() : null,
    provider_message_id: null,
  };
}

/** Counting gate: at most `size` holders at once; `acquire` waits for a free place. */
class Gate {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = size;
  }
  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  release(n = 1): void {
    for (let i = 0; i < n; i++) {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

/** An attempt to deliver an email or webhook notification that failed (it is retried unless `dead`). */
export interface DeliveryFailure {
  id: string;
  channel: NotificationChannel;
  /** `kind:id` of the subject the message belongs to, as given at enqueue. */
  thread: string | null;
  attempt: number;
  dead: boolean;
  error: string;
}

/** The one-click unsubscribe link a message to a bare address carries in its parameters, if any. */
function unsubscribeUrlOf(params: string): string | undefined {
  const url = (JSON.parse(params) as { unsubscribeUrl?: unknown }).unsubscribeUrl;
  return typeof url === "string" && /^https?:\/\//.test(url) ? url : undefined;
}

export interface DeliveryDeps {
  repo: NotificationRepository;
  jobs: JobQueue;
  clock: Clock;
  mailer: Mailer;
  webhooks: Pick<WebhookService, "post" | "findWebhook">;
  log: Logger;
  templates: Record<string, Template>;
  /** Domain of our Message-IDs and thread roots. */
  domain: string;
  publicUrl: string;
  options: DeliveryOptions;
  /** The plan's ticket tag for subjects (`ticketMark`), as last read. */
  ticketTag?: () => string;
  /** Told of each failed attempt, so another module can act on it (an escalation moves to its next step). */
  onFailure?: (failure: DeliveryFailure) => Promise<void>;
}

/**
 * Sends the outbox in batches. One loop per node: a `notification.deliver` job starts it, or, when it is already
 * running, asks it to look again before it ends. The loop claims due rows in batches under a lease, sends up to
 * `window` at once over the pooled transport, and records outcomes in one statement per group that completed
 * meanwhile (group commit), so a row is recorded moments after its server answered. When nothing is due it
 * leaves a job at the next due time: a retry, or the end of another node's lease.
 */
export class DeliveryLoop {
  #running: Promise<void> | undefined;
  #again = false;

  constructor(private readonly deps: DeliveryDeps) {}

  /** The `notification.deliver` job (its payload, if any, from before batches, is not needed). */
  async run(job: Pick<JobContext, "signal" | "stopping">): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop(job);
    await this.#running;
  }

  async #loop(job: Pick<JobContext, "signal" | "stopping">): Promise<void> {
    try {
      for (;;) {
        this.#again = false;
        const stopped = await this.#sendDue(job);
        await this.#wake(stopped);
        // Checked and cleared in one synchronous step with `#running`, so a job arriving now is never lost.
        if (!this.#again || stopped) return;
      }
    } finally {
      this.#running = undefined;
    }
  }

  /** Leaves a job for the next due row; `stopped` rows are due now and need a node that is not stopping. */
  async #wake(stopped: boolean): Promise<void> {
    const next = await this.deps.repo.nextDueAt();
    if (!next) return;
    const now = this.deps.clock.now();
    if (!stopped && new Date(next).getTime() <= now.getTime()) {
      // Due yet not claimed: rows another node's claim is writing right now (PostgreSQL skips them). Its loop
      // leaves its own job when it ends; this one only makes sure nobody waits past a short while.
      await this.deps.jobs.enqueue(DELIVER_JOB, null, { runAt: new Date(now.getTime() + 1_000) });
      return;
    }
    // One job per instant whichever node computes it: the key makes the others' inserts no-ops.
    await this.deps.jobs.enqueue(DELIVER_JOB, null, {
      runAt: new Date(next),
      dedupeKey: stopped ? undefined : `${DELIVER_JOB}:${next}`,
    });
  }

  /** Claims and sends until nothing is due; returns true when it stopped early because the node is stopping. */
  async #sendDue(job: Pick<JobContext, "signal" | "stopping">): Promise<boolean> {
    const { repo, clock, options, log } = this.deps;
    const token = uuidv7();
    const gate = new Gate(options.window);
    const held = new Set<string>();
    const pending: Outcome[] = [];
    let flushing: Promise<void> | undefined;
    let failure: unknown;
    const sends = new Set<Promise<void>>();

    let timer: NodeJS.Timeout | undefined;
    const flush = async () => {
      clearTimeout(timer);
      timer = undefined;
      while (pending.length) {
        const group = pending.splice(0);
        // After a failure to record, the rows stay leased and go again after the lease: at least once, never lost.
        if (failure === undefined) {
          try {
            await repo.recordOutcomes(token, clock.now().toISOString(), group);
          } catch (err) {
            failure = err;
            log.error({ err }, "could not record notification outcomes");
          }
        }
        for (const o of group) held.delete(o.id);
        gate.release(group.length);
      }
      flushing = undefined;
    };
    // Group commit: outcomes wait for a group of half the window or a few milliseconds, whichever comes first;
    // while one group is written the next gathers.
    const record = (outcome: Outcome) => {
      pending.push(outcome);
      if (flushing) return;
      if (pending.length >= options.window / 2) flushing = flush();
      else
        timer ??= setTimeout(() => {
          flushing ??= flush();
        }, FLUSH_AFTER_MS);
    };
    const heartbeat = setInterval(
      () => {
        if (!held.size) return;
        const until = new Date(clock.now().getTime() + options.leaseMs).toISOString();
        repo.extendLease(token, until).catch((err) => log.warn({ err }, "could not extend notification leases"));
      },
      Math.max(50, Math.floor(options.leaseMs / 3)),
    );
    heartbeat.unref();

    let claimFailure: unknown;
    const stopping = () =>
      job.stopping.aborted || job.signal.aborted || failure !== undefined || claimFailure !== undefined;
    let stopped = false;
    try {
      const claim = () => {
        const now = clock.now();
        const until = new Date(now.getTime() + options.leaseMs);
        const claimed = repo.claim(token, now.toISOString(), until.toISOString(), options.batch);
        claimed.catch(() => {}); // awaited below; a prefetch must not be an unhandled rejection meanwhile
        return claimed;
      };
      let next: Promise<ClaimedRow[]> | undefined = stopping() ? undefined : claim();
      while (next) {
        let rows: ClaimedRow[];
        try {
          rows = await next;
        } catch (err) {
          // What is in flight still goes and is recorded; the job fails afterwards and the queue retries it.
          claimFailure = err;
          break;
        }
        next = undefined;
        const left: string[] = [];
        for (const [i, row] of rows.entries()) {
          // Half the batch handed out: claim the next while the rest goes, so the pool never waits for a claim.
          if (!next && rows.length === options.batch && i >= rows.length / 2 && !stopping()) next = claim();
          // Claimed again by this very claim after its lease ran out (the node stalled): one attempt is enough.
          if (held.has(row.id)) continue;
          if (stopping()) {
            left.push(row.id);
            continue;
          }
          await gate.acquire();
          if (stopping()) {
            gate.release();
            left.push(row.id);
            continue;
          }
          held.add(row.id);
          const send = this.#attempt(row, job.signal).then((outcome) => {
            sends.delete(send);
            // Given back mid-send (the node is stopping past its grace): the next holder makes the attempt.
            if (outcome === null) {
              held.delete(row.id);
              gate.release();
            } else record(outcome);
          });
          sends.add(send);
        }
        if (left.length) {
          stopped = true;
          await repo.release(token, left, clock.now().toISOString());
        }
      }
      stopped ||= job.stopping.aborted;
      await Promise.all(sends);
      if (pending.length) flushing ??= flush();
      while (flushing) await flushing;
    } finally {
      clearInterval(heartbeat);
      clearTimeout(timer);
    }
    if (failure !== undefined) throw failure;
    if (claimFailure !== undefined) throw claimFailure;
    return stopped;
  }

  /** One attempt; null when the job was given back meanwhile (nothing recorded, the lease runs out). */
  async #attempt(row: ClaimedRow, signal: AbortSignal): Promise<Outcome | null> {
    const now = () => this.deps.clock.now();
    if (row.round_attempts > MAX_ATTEMPTS) {
      // Its last attempt's lease ran out: the node died during it. A message that kills its sender is not retried.
      return outcomeOf(
        { ...row, attempts: row.attempts - 1, round_attempts: MAX_ATTEMPTS },
        { error: "the node sending it stopped during its last attempt" },
        now(),
      );
    }
    try {
      const providerMessageId =
        row.channel === "webhook" ? await this.#sendWebhook(row, signal) : await this.#sendMail(row);
      return outcomeOf(row, { providerMessageId }, now());
    } catch (err) {
      if (signal.aborted) return null;
      const error = errorText(err);
      const outcome = outcomeOf(row, { error }, now());
      this.deps.log.warn(
        { notification: row.id, attempt: row.round_attempts, err: error, dead: outcome.status === "dead" },
        "notification not delivered",
      );
      await this.deps
        .onFailure?.({
          id: row.id,
          channel: row.channel,
          thread: row.thread,
          attempt: row.round_attempts,
          dead: outcome.status === "dead",
          error,
        })
        .catch((err) => this.deps.log.error({ err, notification: row.id }, "a delivery failure listener failed"));
      return outcome;
    }
  }

  async #sendMail(row: ClaimedRow): Promise<string | null> {
    const { templates, publicUrl, domain } = this.deps;
    const r = render(templates, row.template, localeOf(row.locale), {
      ...JSON.parse(row.params),
      ticketTag: this.deps.ticketTag?.(),
    });
    // Where the recipient may opt out: the preferences page (a user), the one-click link a bare address's
    // subscription gave (a status page subscriber, RFC 8058), or nothing to point at.
    const optOut = templates[row.template]!.optOut;
    const oneClick = optOut && !row.user_id ? unsubscribeUrlOf(row.params) : undefined;
    const unsubscribe = optOut && row.user_id ? `${publicUrl}/notifications/preferences` : oneClick;
    const { text, html } = mailBodies(r, r.locale, unsubscribe);
    const root = row.thread
      ? `<${row.thread.replace(/[^A-Za-z0-9.:-]/g, "-").replace(":", ".")}@${domain}>`
      : undefined;
    const receipt = await this.deps.mailer.send({
      to: row.recipient,
      subject: r.subject,
      text,
      html,
      messageId: row.message_id,
      inReplyTo: root,
      references: root,
      calendar: r.calendar,
      headers: {
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        ...(unsubscribe ? { "List-Unsubscribe": `<${unsubscribe}>` } : {}),
        ...(oneClick ? { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : {}),
      },
    });
    return receipt.response;
  }

  async #sendWebhook(row: ClaimedRow, signal: AbortSignal): Promise<string | null> {
    const webhook = await this.deps.webhooks.findWebhook(row.recipient);
    if (!webhook) throw new Error("the webhook was deleted");
    const r = render(this.deps.templates, row.template, localeOf(row.locale), {
      ...JSON.parse(row.params),
      ticketTag: this.deps.ticketTag?.(),
    });
    const body = JSON.stringify(
      chatPayload(
        (row.flavour ?? "plantao") as Flavour,
        {
          id: row.id,
          template: row.template,
          kind: row.kind,
          locale: r.locale,
          params: JSON.parse(row.params),
          thread: row.thread,
          createdAt: row.created_at,
        },
        r,
      ),
    );
    const { statusCode, error } = await this.deps.webhooks.post(webhook, {
      type: `notification.${row.kind}`,
      deliveryId: row.id,
      body,
      signal,
    });
    if (error !== null) throw new Error(error);
    return statusCode === null ? null : `HTTP ${statusCode}`;
  }
}
