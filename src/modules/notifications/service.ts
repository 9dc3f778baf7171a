import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB, NotificationChannel, NotificationStatus } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobContext, JobQueue } from "../../platform/jobs/queue.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { WebhookService } from "../webhooks/service.js";
import { chatPayload, type Flavour } from "./chat.js";
import type { Mailer } from "./mailer.js";
import type { LogFilter, NotificationRepository, NotificationRow, NotificationValues } from "./repository.js";
import {
  templates as defaultTemplates,
  type Locale,
  localeOf,
  mailBodies,
  preferenceKinds,
  type Rendered,
  render,
  type Template,
} from "./templates.js";

export const DELIVER_JOB = "notification.deliver";
/** Waits before the 2nd, 3rd… attempts: 30 s doubling up to 1 h, then hourly; about 6 h of tries before a message is dead. */
export const RETRY_DELAYS_MS = [
  30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000,
];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** Channels a user chooses per event kind (webhooks are configured by administrators). */
export const userChannels = ["email", "in_app"] as const satisfies readonly NotificationChannel[];

export type Recipient =
  | { userId: string }
  | { email: string; locale?: Locale }
  | { webhookId: string; flavour?: Flavour };

export interface NotificationRequest {
  to: Recipient;
  /** For a user: only this channel; by default every channel the user's preferences allow. */
  channel?: NotificationChannel;
  template: string;
  params: Record<string, unknown>;
  /** The subject the message belongs to (a ticket, an incident): mail of one thread share its root id. */
  thread?: { kind: string; id: string };
}

/** What other modules hold to notify: the outbox insert runs in their transaction when they pass it. */
export interface Notifier {
  enqueue(requests: readonly NotificationRequest[], trx?: Kysely<DB>): Promise<string[]>;
}

export interface NotificationServiceDeps {
  repo: NotificationRepository;
  jobs: JobQueue;
  events: EventBus;
  clock: Clock;
  mailer: Mailer;
  webhooks: Pick<WebhookService, "post" | "findWebhook">;
  audit: AuditService;
  log: Logger;
  options: NotificationOptions;
}

/** Backoff of a notification's delivery job after attempt `attempt` failed. */
export const deliveryRetryMs = (attempt: number) => RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1]!;

export interface NotificationOptions {
  publicUrl: string;
  templates?: Record<string, Template>;
}

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export function notificationView(row: NotificationRow) {
  return {
    id: row.id,
    channel: row.channel,
    template: row.template,
    kind: row.kind,
    locale: row.locale,
    userId: row.user_id,
    recipient: row.recipient,
    flavour: row.flavour,
    thread: row.thread,
    messageId: row.message_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    providerMessageId: row.provider_message_id,
    sentAt: row.sent_at,
    readAt: row.read_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 1000);

/**
 * Notifications through one durable outbox. `enqueue` writes one row per recipient and channel in the
 * caller's transaction; email and webhook rows get a `notification.deliver` job there too, so a message exists
 * exactly when the change it announces committed and is sent by one node, retried with backoff until it is
 * delivered or dead. In-app rows are delivered by the commit itself and announced as `notification.created`.
 */
export class NotificationService implements Notifier {
  readonly #templates: Record<string, Template>;
  /** Domain of our Message-IDs: the sender's, so ids are unique to this installation. */
  readonly #domain: string;

  private readonly repo: NotificationRepository;
  private readonly jobs: JobQueue;
  private readonly events: EventBus;
  private readonly clock: Clock;
  private readonly mailer: Mailer;
  private readonly webhooks: Pick<WebhookService, "post" | "findWebhook">;
  private readonly audit: AuditService;
  private readonly log: Logger;
  private readonly options: NotificationOptions;

  constructor(deps: NotificationServiceDeps) {
    this.repo = deps.repo;
    this.jobs = deps.jobs;
    this.events = deps.events;
    this.clock = deps.clock;
    this.mailer = deps.mailer;
    this.webhooks = deps.webhooks;
    this.audit = deps.audit;
    this.log = deps.log;
    this.options = deps.options;
    this.#templates = deps.options.templates ?? defaultTemplates;
    this.#domain =
      deps.mailer.from
        .split("@")
        .at(-1)
        ?.replace(/[^A-Za-z0-9.-]/g, "") || "plantao.localhost";
  }

  // enqueue -------------------------------------------------------------------------------------------

  async enqueue(requests: readonly NotificationRequest[], trx?: Kysely<DB>): Promise<string[]> {
    if (!trx) return this.repo.transaction((t) => this.enqueue(requests, t));
    for (const r of requests)
      if (!this.#templates[r.template]) throw new Error(`unknown notification template ${r.template}`);
    const userIds = [...new Set(requests.flatMap((r) => ("userId" in r.to ? [r.to.userId] : [])))];
    const users = new Map((await this.repo.users(userIds, trx)).map((u) => [u.id, u]));
    const off = new Set(
      (await this.repo.preferences(userIds, trx))
        .filter((p) => !p.enabled)
        .map((p) => `${p.user_id}|${p.kind}|${p.channel}`),
    );
    const now = this.clock.now().toISOString();
    const rows: NotificationValues[] = [];
    const seen = new Set<string>();
    const add = (
      r: NotificationRequest,
      values: Pick<NotificationValues, "channel" | "recipient" | "locale" | "user_id" | "organization_id" | "flavour">,
    ) => {
      // The same message twice to one recipient in one call (a user reached as assignee and as team member).
      const key = `${r.template}|${values.channel}|${values.recipient}|${values.flavour}|${r.thread?.kind}:${r.thread?.id}`;
      if (seen.has(key)) return;
      seen.add(key);
      const id = uuidv7();
      const inApp = values.channel === "in_app";
      rows.push({
        id,
        template: r.template,
        kind: this.#templates[r.template]!.kind,
        params: r.params,
        thread: r.thread ? `${r.thread.kind}:${r.thread.id}` : null,
        message_id: `<${id}@${this.#domain}>`,
        status: inApp ? "sent" : "pending",
        attempts: 0,
        next_attempt_at: null,
        last_error: null,
        provider_message_id: null,
        sent_at: inApp ? now : null,
        read_at: null,
        created_at: now,
        updated_at: now,
        ...values,
      });
    };
    for (const r of requests) {
      const template = this.#templates[r.template]!;
      if ("userId" in r.to) {
        const user = users.get(r.to.userId);
        if (!user || user.disabled) continue;
        for (const channel of r.channel ? [r.channel] : userChannels) {
          if (channel === "webhook") throw new Error("a user is not a webhook recipient");
          if (template.optOut && off.has(`${user.id}|${template.kind}|${channel}`)) continue;
          add(r, {
            channel,
            recipient: channel === "email" ? user.email : user.id,
            locale: localeOf(user.locale),
            user_id: user.id,
            organization_id: user.organization_id,
            flavour: null,
          });
        }
      } else if ("email" in r.to) {
        if (r.channel && r.channel !== "email") throw new Error("an address is only an email recipient");
        add(r, {
          channel: "email",
          recipient: r.to.email.trim().toLowerCase(),
          locale: localeOf(r.to.locale),
          user_id: null,
          organization_id: null,
          flavour: null,
        });
      } else {
        add(r, {
          channel: "webhook",
          recipient: r.to.webhookId,
          locale: "pt-BR",
          user_id: null,
          organization_id: null,
          flavour: r.to.flavour ?? "plantao",
        });
      }
    }
    await this.repo.insert(rows, trx);
    for (const row of rows) {
      if (row.channel === "in_app") {
        await this.events.publish(
          {
            type: "notification.created",
            organizationId: row.organization_id,
            subjectId: row.user_id,
            payload: { id: row.id, kind: row.kind },
          },
          trx,
        );
      } else {
        await this.jobs.enqueue(DELIVER_JOB, { id: row.id }, { dedupeKey: `notification:${row.id}`, executor: trx });
      }
    }
    return rows.map((r) => r.id);
  }

  // delivery ------------------------------------------------------------------------------------------

  /** Renders a stored row in its language (falling back to pt-BR when the template lacks it). */
  rendered(row: Pick<NotificationRow, "template" | "locale" | "params">): Rendered & { locale: Locale } {
    return render(this.#templates, row.template, localeOf(row.locale), JSON.parse(row.params));
  }

  /** The `notification.deliver` job: sends one outbox row and records the outcome. */
  async deliver(job: JobContext<{ id: string }>): Promise<void> {
    const row = await this.repo.find(job.payload.id);
    // Already delivered: a resend's job raced the original one, or a node died after recording success.
    if (!row || row.status === "sent") return;
    let providerMessageId: string | null = null;
    let error: string | null = null;
    try {
      providerMessageId =
        row.channel === "webhook" ? await this.#sendWebhook(row, job.signal) : await this.#sendMail(row);
    } catch (err) {
      // The node is giving the job back: this attempt is not over, the next holder makes it.
      if (job.signal.aborted) throw err;
      error = errorText(err);
    }
    const now = this.clock.now();
    const status: NotificationStatus = error === null ? "sent" : job.attempt >= MAX_ATTEMPTS ? "dead" : "failed";
    const retryIn = RETRY_DELAYS_MS[job.attempt - 1];
    await this.repo.recordOutcome(row.id, {
      status,
      last_error: error,
      next_attempt_at: status === "failed" && retryIn ? new Date(now.getTime() + retryIn).toISOString() : null,
      updated_at: now.toISOString(),
      ...(status === "sent" ? { provider_message_id: providerMessageId, sent_at: now.toISOString() } : {}),
    });
    if (error !== null) {
      this.log.warn(
        { notification: row.id, attempt: job.attempt, err: error, dead: status === "dead" },
        "notification not delivered",
      );
      throw new Error(error);
    }
  }

  async #sendMail(row: NotificationRow): Promise<string | null> {
    const r = this.rendered(row);
    const template = this.#templates[row.template]!;
    // Where the recipient may opt out: the preferences page (a user), or nothing to point at (a bare address).
    const unsubscribe =
      template.optOut && row.user_id ? `${this.options.publicUrl}/notifications/preferences` : undefined;
    const { text, html } = mailBodies(r, r.locale, unsubscribe);
    const root = row.thread
      ? `<${row.thread.replace(/[^A-Za-z0-9.:-]/g, "-").replace(":", ".")}@${this.#domain}>`
      : undefined;
    const receipt = await this.mailer.send({
      to: row.recipient,
      subject: r.subject,
      text,
      html,
      messageId: row.message_id,
      inReplyTo: root,
      references: root,
      headers: {
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
        ...(unsubscribe ? { "List-Unsubscribe": `<${unsubscribe}>` } : {}),
      },
    });
    return receipt.response;
  }

  async #sendWebhook(row: NotificationRow, signal: AbortSignal): Promise<string | null> {
    const webhook = await this.webhooks.findWebhook(row.recipient);
    if (!webhook) throw new Error("the webhook was deleted");
    const r = this.rendered(row);
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
    const { statusCode, error } = await this.webhooks.post(webhook, {
      type: `notification.${row.kind}`,
      deliveryId: row.id,
      body,
      signal,
    });
    if (error !== null) throw new Error(error);
    return statusCode === null ? null : `HTTP ${statusCode}`;
  }

  // delivery log ----------------------------------------------------------------------------------------

  async deliveryLog(filter: LogFilter) {
    return (await this.repo.log(filter)).map(notificationView);
  }

  /** Sends a sent or dead notification again, with a fresh round of attempts and the same Message-ID. */
  async resend(actor: Actor, id: string, req: RequestInfo) {
    const row = await this.repo.find(id);
    if (!row) throw Problem.notFound("Notification");
    if (row.channel === "in_app")
      throw Problem.conflict("An in-app notification is delivered by being stored; nothing to resend");
    await this.repo.transaction(async (trx) => {
      if (!(await this.repo.requeue(id, this.clock.now().toISOString(), trx))) {
        throw Problem.conflict("The notification is pending or failed: an attempt is already scheduled");
      }
      await this.jobs.enqueue(DELIVER_JOB, { id }, { executor: trx });
      await this.audit.record(
        {
          action: "notification.resent",
          actor,
          target: { type: "notification", id },
          request: req,
          details: { channel: row.channel, recipient: row.recipient, previousStatus: row.status },
        },
        trx,
      );
    });
    return notificationView((await this.repo.find(id))!);
  }

  // the user's own: notification centre and preferences ---------------------------------------------------

  async inbox(actor: Actor, page: { before?: string; limit: number; unread?: boolean }) {
    const rows = await this.repo.inbox(actor.userId, page);
    return rows.map((row) => {
      const r = this.rendered(row);
      return {
        id: row.id,
        kind: row.kind,
        template: row.template,
        title: r.subject,
        body: r.paragraphs.join("\n"),
        link: r.action?.url ?? null,
        createdAt: row.created_at,
        readAt: row.read_at,
      };
    });
  }

  unreadCount(actor: Actor): Promise<number> {
    return this.repo.unreadCount(actor.userId);
  }

  /** Marks one notification read (404 when it is not the actor's) or, without `id`, all of them. */
  async markRead(actor: Actor, id?: string): Promise<number> {
    if (id && !(await this.repo.exists(actor.userId, id))) throw Problem.notFound("Notification");
    return this.repo.transaction(async (trx) => {
      const now = this.clock.now().toISOString();
      await this.repo.markRead(actor.userId, id, now, trx);
      const unread = await this.repo.unreadCount(actor.userId, trx);
      await this.events.publish(
        {
          type: "notification.read",
          organizationId: actor.organizationId,
          subjectId: actor.userId,
          payload: { id: id ?? null, unread },
        },
        trx,
      );
      return unread;
    });
  }

  async preferences(actor: Actor) {
    const stored = await this.repo.preferences([actor.userId]);
    const off = new Set(stored.filter((p) => !p.enabled).map((p) => `${p.kind}|${p.channel}`));
    return preferenceKinds.flatMap((kind) =>
      userChannels.map((channel) => ({ kind, channel, enabled: !off.has(`${kind}|${channel}`) })),
    );
  }

  async savePreferences(actor: Actor, items: { kind: string; channel: string; enabled: boolean }[]) {
    for (const [i, item] of items.entries()) {
      if (!(preferenceKinds as readonly string[]).includes(item.kind)) {
        throw Problem.invalid({
          in: "body",
          pointer: `/items/${i}/kind`,
          message: `must be one of ${preferenceKinds.join(", ")}`,
        });
      }
    }
    const now = this.clock.now().toISOString();
    await this.repo.transaction((trx) =>
      this.repo.savePreferences(
        items.map((p) => ({
          user_id: actor.userId,
          kind: p.kind,
          channel: p.channel as (typeof userChannels)[number],
          enabled: p.enabled,
          updated_at: now,
        })),
        trx,
      ),
    );
    return this.preferences(actor);
  }
}
