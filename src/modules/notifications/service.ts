import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB, NotificationChannel } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobContext, JobQueue } from "../../platform/jobs/queue.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { WebhookService } from "../webhooks/service.js";
import type { Flavour } from "./chat.js";
import { DELIVER_JOB, type DeliveryFailure, DeliveryLoop, type DeliveryOptions } from "./delivery.js";
import type { Mailer } from "./mailer.js";
import type { LogFilter, NotificationRepository, NotificationRow, NotificationValues } from "./repository.js";
import {
  templates as defaultTemplates,
  type Locale,
  localeOf,
  preferenceKinds,
  type Rendered,
  render,
  type Template,
} from "./templates.js";

export { DELIVER_JOB, type DeliveryFailure, MAX_ATTEMPTS } from "./delivery.js";
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

export interface NotificationOptions {
  publicUrl: string;
  templates?: Record<string, Template>;
  /** The plan's ticket tag (`email.ticketTag`) for subjects; read again at most every few seconds. */
  ticketTag?: () => Promise<string>;
  /** Batch delivery: send window, claim size and lease (see delivery.ts). */
  delivery: DeliveryOptions;
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

/**
 * Notifications through one durable outbox. `enqueue` writes one row per recipient and channel in the
 * caller's transaction, with one `notification.deliver` job for the call when a row is to be sent, so a message
 * exists exactly when the change it announces committed. Delivery (delivery.ts) claims due rows in batches,
 * each row by one node at a time, and retries with backoff until it is delivered or dead. In-app rows are
 * delivered by the commit itself and announced as `notification.created`.
 */
export class NotificationService implements Notifier {
  readonly #templates: Record<string, Template>;
  /** Domain of our Message-IDs: the sender's, so ids are unique to this installation. */
  readonly #domain: string;
  readonly #delivery: DeliveryLoop;
  readonly #failureListeners: ((failure: DeliveryFailure) => Promise<void>)[] = [];
  /** The ticket tag as last read, and when; rendering is synchronous, so a delivery round refreshes it first. */
  readonly #tag = { value: "#", at: Number.NEGATIVE_INFINITY };
  readonly #readTag: (() => Promise<string>) | undefined;
  /**
   * Transactions that queued a `notification.deliver` job already: one job sends everything they enqueued. A
   * savepoint is its own object, so messages enqueued under one rolled back still get a job of their own.
   */
  readonly #deliverQueued = new WeakSet<Kysely<DB>>();

  private readonly repo: NotificationRepository;
  private readonly jobs: JobQueue;
  private readonly events: EventBus;
  private readonly clock: Clock;
  private readonly audit: AuditService;

  constructor(deps: NotificationServiceDeps) {
    this.repo = deps.repo;
    this.jobs = deps.jobs;
    this.events = deps.events;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.#templates = deps.options.templates ?? defaultTemplates;
    this.#readTag = deps.options.ticketTag;
    this.#domain =
      deps.mailer.from
        .split("@")
        .at(-1)
        ?.replace(/[^A-Za-z0-9.-]/g, "") || "plantao.localhost";
    this.#delivery = new DeliveryLoop({
      repo: deps.repo,
      jobs: deps.jobs,
      clock: deps.clock,
      mailer: deps.mailer,
      webhooks: deps.webhooks,
      log: deps.log,
      templates: this.#templates,
      domain: this.#domain,
      publicUrl: deps.options.publicUrl,
      options: deps.options.delivery,
      ticketTag: () => this.#tag.value,
      onFailure: async (failure) => {
        for (const listener of this.#failureListeners) await listener(failure);
      },
    });
  }

  /**
   * The subject (`{kind, id}`) a reply belongs to, from the Message-IDs it names: one of our sent messages, or a
   * thread root we set as their References (`<ticket.<id>@domain>`). Inbound mail threads with this.
   */
  async threadOfReply(messageIds: readonly string[]): Promise<{ kind: string; id: string } | null> {
    const sent = await this.repo.threadsOf(messageIds.slice(0, 200));
    for (const id of messageIds) {
      const thread =
        sent.get(id) ??
        new RegExp(`^<([a-z_]+)\\.([0-9a-f-]{36})@${this.#domain.replace(/\./g, "\\.")}>$`, "i").exec(id);
      if (typeof thread === "string") {
        const at = thread.indexOf(":");
        return { kind: thread.slice(0, at), id: thread.slice(at + 1) };
      }
      if (thread) return { kind: thread[1]!.toLowerCase(), id: thread[2]!.toLowerCase() };
    }
    return null;
  }

  // enqueue -------------------------------------------------------------------------------------------

  async enqueue(requests: readonly NotificationRequest[], trx?: Kysely<DB>): Promise<string[]> {
    if (!trx) return this.repo.transaction((t) => this.enqueue(requests, t));
    return (await this.enqueueGroups([requests], trx))[0]!;
  }

  /**
   * `enqueue` for several groups of requests at once (the messages of many pages' steps): one read of the users
   * and their preferences, one insert and one delivery job for them all; each group's row ids, in order.
   */
  async enqueueGroups(groups: readonly (readonly NotificationRequest[])[], trx: Kysely<DB>): Promise<string[][]> {
    const requests = groups.flat();
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
    const ids: string[][] = groups.map(() => []);
    let group = 0;
    const seen = new Set<string>();
    const add = (
      r: NotificationRequest,
      values: Pick<NotificationValues, "channel" | "recipient" | "locale" | "user_id" | "organization_id" | "flavour">,
    ) => {
      // The same message twice to one recipient in one group (a user reached as assignee and as team member).
      const key = `${group}|${r.template}|${values.channel}|${values.recipient}|${values.flavour}|${r.thread?.kind}:${r.thread?.id}`;
      if (seen.has(key)) return;
      seen.add(key);
      const id = uuidv7();
      ids[group]!.push(id);
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
        round_attempts: 0,
        due_at: inApp ? null : now,
        locked_by: null,
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
    for (const [g, r] of groups.flatMap((requests, g) => requests.map((r) => [g, r] as const))) {
      group = g;
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
    await this.events.publishMany(
      rows
        .filter((row) => row.channel === "in_app")
        .map((row) => ({
          type: "notification.created" as const,
          organizationId: row.organization_id,
          subjectId: row.user_id,
          payload: { id: row.id, kind: row.kind },
        })),
      trx,
    );
    if (rows.some((r) => r.channel !== "in_app") && !this.#deliverQueued.has(trx)) {
      if (trx.isTransaction) this.#deliverQueued.add(trx);
      await this.jobs.enqueue(DELIVER_JOB, null, { executor: trx });
    }
    return ids;
  }

  // delivery ------------------------------------------------------------------------------------------

  /** Calls `listener` after each failed attempt, so a module can act on it (an escalation moves on). */
  onDeliveryFailed(listener: (failure: DeliveryFailure) => Promise<void>): void {
    this.#failureListeners.push(listener);
  }

  /** Renders a stored row in its language (falling back to pt-BR when the template lacks it). */
  rendered(row: Pick<NotificationRow, "template" | "locale" | "params">): Rendered & { locale: Locale } {
    return render(this.#templates, row.template, localeOf(row.locale), {
      ...JSON.parse(row.params),
      ticketTag: this.#tag.value,
    });
  }

  /** Reads the plan's ticket tag again when the last read is older than 5 s (a failed read keeps the last). */
  async refreshTicketTag(): Promise<void> {
    // A cache age, not business time: the monotonic clock.
    const now = performance.now();
    if (!this.#readTag || now - this.#tag.at < 5_000) return;
    this.#tag.at = now;
    this.#tag.value = await this.#readTag().catch(() => this.#tag.value);
  }

  /** The `notification.deliver` job: sends what is due, in batches (delivery.ts). */
  async deliver(job: Pick<JobContext, "signal" | "stopping">): Promise<void> {
    await this.refreshTicketTag();
    return this.#delivery.run(job);
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
      await this.jobs.enqueue(DELIVER_JOB, null, { executor: trx });
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
