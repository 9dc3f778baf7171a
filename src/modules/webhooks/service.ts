import { randomBytes } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { DomainEvent, EventBus } from "../../platform/events/bus.js";
import { eventTypes as catalogued, eventSpec, selects, unknownSelection } from "../../platform/events/catalogue.js";
import type { EventFanOut } from "../../platform/events/fanout.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobContext, JobQueue } from "../../platform/jobs/queue.js";
import type { SecretBox } from "../../platform/secrets.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { beyondWebhooks, eventAsSeenByOrganization } from "../identity/event-visibility.js";
import type { DeliveryRow, DeliveryStatus, WebhookRepository, WebhookRow } from "./repository.js";
import { signature } from "./signature.js";

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export const DELIVER_JOB = "webhook.deliver";
/** Sent by the test endpoint to one webhook only; the fan-out never sends it to the others. */
export const TEST_EVENT = "webhook.test";
/** Waits before the 2nd to 6th attempts; a 6th failure leaves the delivery dead. */
export const RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 3_600_000, 21_600_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** Delay before retry number `attempt` + 1 of a delivery. */
export const deliveryBackoffMs = (attempt: number) => RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length) - 1]!;

export interface DeliverPayload {
  deliveryId: string;
}

export interface WebhookServiceDeps {
  repo: WebhookRepository;
  jobs: JobQueue;
  events: EventBus;
  fanOut: EventFanOut;
  clock: Clock;
  secrets: SecretBox;
  audit: AuditService;
  log: Logger;
}
const TIMEOUT_MS = 10_000;
/** How much of a failed answer's body the delivery log keeps. */
const ANSWER_EXCERPT = 200;

export interface WebhookInput {
  name: string;
  url: string;
  eventTypes: string[];
  organizationId?: string | null;
  enabled?: boolean;
}
export type WebhookPatch = Partial<WebhookInput>;

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

export function webhookView(row: WebhookRow) {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as string[],
    organizationId: row.organization_id,
    enabled: Boolean(row.enabled),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: Number(row.event_id),
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    responseMs: row.response_ms,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Whether a webhook's filters take an event: each type exact, a `prefix.*` or `*`; the organization if set. */
function wants(filter: { eventTypes: string[]; organizationId: string | null }, event: DomainEvent): boolean {
  if (beyondWebhooks(event)) return false;
  if (filter.organizationId && filter.organizationId !== event.organizationId) return false;
  // A webhook scoped to one organization is that customer's feed: only what its users may see goes into it.
  if (filter.organizationId && !eventAsSeenByOrganization(filter.organizationId, event)) return false;
  return filter.eventTypes.some((t) => selects(t, event.type));
}

/** Every entry must select a catalogued event type a webhook carries: it would otherwise subscribe to nothing, silently. */
function checkEventTypes(eventTypes: string[] | undefined): void {
  const errors = (eventTypes ?? []).flatMap((entry, i) => {
    const message =
      unknownSelection(entry) ??
      (entry !== "*" && catalogued.filter((t) => selects(entry, t)).every((t) => eventSpec(t)?.area === "security")
        ? "security incident events are not sent to webhooks (only the security role and admins see them, in the app)"
        : undefined);
    return message ? [{ in: "body" as const, pointer: `/eventTypes/${i}`, message }] : [];
  });
  if (errors.length) throw new Problem(400, ProblemType.validation, "Request is not valid", errors[0]!.message, errors);
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid("/url", "is not a URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw invalid("/url", "must be an http or https URL");
  // fetch refuses URLs with credentials; the secret's signature is how a receiver authenticates us.
  if (parsed.username || parsed.password) throw invalid("/url", "must not contain a user name or password");
  return parsed.href;
}

const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

/** The first characters of an answer's body, reading no more of it than needed. */
async function answerExcerpt(res: Response): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < ANSWER_EXCERPT) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, ANSWER_EXCERPT).trim();
}

function failureOf(err: unknown): string {
  if ((err as { name?: string } | null)?.name === "TimeoutError") return `no answer within ${TIMEOUT_MS / 1000} s`;
  // fetch reports network errors as "fetch failed" with the socket error as the cause.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
  return (cause ?? (err instanceof Error ? err.message : String(err))).slice(0, 500);
}

/**
 * Outgoing webhooks. The event fan-out hands each committed event to `#fanOut` once across all nodes, in the
 * transaction that claims it, which queues one `webhook.deliver` job per matching webhook (the delivery row's
 * unique key and the job's dedupe key guard the test endpoint's own delivery). The job signs and POSTs the
 * event, records each attempt in the delivery log and fails so the queue retries it with RETRY_DELAYS_MS.
 */
export class WebhookService {
  private readonly repo: WebhookRepository;
  private readonly jobs: JobQueue;
  private readonly events: EventBus;
  private readonly clock: Clock;
  private readonly secrets: SecretBox;
  private readonly audit: AuditService;
  private readonly log: Logger;

  constructor(deps: WebhookServiceDeps) {
    this.repo = deps.repo;
    this.jobs = deps.jobs;
    this.events = deps.events;
    this.clock = deps.clock;
    this.secrets = deps.secrets;
    this.audit = deps.audit;
    this.log = deps.log;
    deps.fanOut.register("webhooks", (events, trx) => this.#fanOut(events, trx));
  }

  async #fanOut(events: readonly DomainEvent[], trx: Kysely<DB>): Promise<void> {
    const wanted = events.filter((e) => e.type !== TEST_EVENT);
    if (!wanted.length) return;
    const webhooks = (await this.repo.enabled(trx)).map((w) => ({
      id: w.id,
      createdAt: w.created_at,
      filter: { eventTypes: JSON.parse(w.event_types) as string[], organizationId: w.organization_id },
    }));
    let queued = 0;
    for (const event of wanted) {
      // A webhook receives what happened after it was created, never older history.
      for (const w of webhooks) {
        if (w.createdAt <= event.createdAt && wants(w.filter, event) && (await this.#queueDelivery(w.id, event, trx)))
          queued++;
      }
    }
    if (queued) this.log.debug({ events: wanted.length, deliveries: queued }, "webhook deliveries queued");
  }

  /** The new delivery, or undefined when this webhook already had one for this event. */
  async #queueDelivery(
    webhookId: string,
    event: Pick<DomainEvent, "id" | "type">,
    trx: Kysely<DB>,
  ): Promise<DeliveryRow | undefined> {
    const now = this.clock.now().toISOString();
    const row: DeliveryRow = {
      id: uuidv7(),
      webhook_id: webhookId,
      event_id: event.id,
      event_type: event.type,
      status: "pending",
      attempts: 0,
      last_status_code: null,
      last_error: null,
      response_ms: null,
      next_attempt_at: null,
      created_at: now,
      updated_at: now,
    };
    if (!(await this.repo.insertDelivery(row, trx))) return undefined;
    await this.jobs.enqueue(
      DELIVER_JOB,
      { deliveryId: row.id },
      { dedupeKey: `webhook:${webhookId}:${event.id}`, executor: trx },
    );
    return row;
  }

  /** The `webhook.deliver` job: signs and POSTs one delivery; throws so the queue retries a failed attempt. */
  async deliver(job: JobContext<DeliverPayload>): Promise<void> {
    const delivery = await this.repo.findDelivery(job.payload.deliveryId);
    // Gone with its webhook, deleted after this job was queued.
    if (!delivery) return;
    const webhook = await this.repo.find(delivery.webhook_id);
    const event = await this.repo.findEvent(delivery.event_id);
    if (!webhook || !event) return;
    const stored = {
      type: event.type,
      organizationId: event.organization_id,
      subjectId: event.subject_id,
      payload: JSON.parse(event.payload) as unknown,
    };
    // Scoped to an organization: the payload as its users see it (no acting agent, mentions or visibility); the
    // test event, asked for this webhook alone, goes as it is.
    const shown =
      webhook.organization_id && event.type !== TEST_EVENT
        ? eventAsSeenByOrganization(webhook.organization_id, stored)
        : stored;
    // Queued when it was visible; hidden now only if the catalogue changed since: nothing to send.
    if (!shown) return;
    const body = JSON.stringify({
      id: Number(event.id),
      type: event.type,
      organizationId: event.organization_id,
      subjectId: event.subject_id,
      createdAt: event.created_at,
      payload: shown.payload,
    });
    const started = performance.now();
    const { statusCode, error } = await this.post(webhook, {
      type: event.type,
      deliveryId: delivery.id,
      body,
      signal: job.signal,
    });
    const now = this.clock.now();
    const status: DeliveryStatus = error === null ? "succeeded" : job.attempt >= MAX_ATTEMPTS ? "dead" : "failed";
    const retryIn = RETRY_DELAYS_MS[job.attempt - 1];
    await this.repo.recordAttempt(delivery.id, {
      status,
      last_status_code: statusCode,
      last_error: error,
      response_ms: Math.round(performance.now() - started),
      next_attempt_at: status === "failed" && retryIn ? new Date(now.getTime() + retryIn).toISOString() : null,
      updated_at: now.toISOString(),
    });
    if (error !== null) throw new Error(error);
  }

  /**
   * Signs and POSTs one body to a webhook; the answer's status, or why it failed. Throws only when `signal`
   * aborted (the node is giving the job back). Used by deliveries and by the notifications' webhook channel.
   */
  async post(
    webhook: Pick<WebhookRow, "url" | "secret">,
    message: { type: string; deliveryId: string; body: string; signal: AbortSignal },
  ): Promise<{ statusCode: number | null; error: string | null }> {
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const timestamp = String(Math.floor(this.clock.now().getTime() / 1000));
      const res = await fetch(webhook.url, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/json",
          "user-agent": "Plantao-Webhooks/1",
          "x-plantao-event": message.type,
          "x-plantao-delivery": message.deliveryId,
          "x-plantao-timestamp": timestamp,
          "x-plantao-signature": signature(this.secrets.open(webhook.secret), timestamp, message.body),
        },
        body: message.body,
        signal: AbortSignal.any([message.signal, AbortSignal.timeout(TIMEOUT_MS)]),
      });
      statusCode = res.status;
      if (res.ok) await res.body?.cancel().catch(() => {});
      else {
        const excerpt = await answerExcerpt(res);
        error = `HTTP ${res.status}${excerpt ? `: ${excerpt}` : ""}`;
      }
    } catch (err) {
      if (message.signal.aborted) throw err;
      error = failureOf(err);
    }
    return { statusCode, error };
  }

  /** A webhook by id, for the notifications' webhook channel; undefined once deleted. */
  findWebhook(id: string): Promise<WebhookRow | undefined> {
    return this.repo.find(id);
  }

  // administration ------------------------------------------------------------------------------
  async list() {
    return (await this.repo.list()).map(webhookView);
  }

  async get(id: string) {
    return webhookView(await this.#find(id));
  }

  async #find(id: string): Promise<WebhookRow> {
    const row = await this.repo.find(id);
    if (!row) throw Problem.notFound("Webhook");
    return row;
  }

  async #checkOrganization(id: string | null | undefined): Promise<void> {
    if (id && !(await this.repo.organizationExists(id))) throw invalid("/organizationId", "is not an organization");
  }

  async create(actor: Actor, input: WebhookInput, req: RequestInfo) {
    const url = checkUrl(input.url);
    checkEventTypes(input.eventTypes);
    await this.#checkOrganization(input.organizationId);
    const now = this.clock.now().toISOString();
    const secret = newSecret();
    const values = {
      id: uuidv7(),
      name: input.name,
      url,
      event_types: input.eventTypes,
      organization_id: input.organizationId ?? null,
      secret: this.secrets.seal(secret),
      enabled: input.enabled ?? true,
      created_at: now,
      updated_at: now,
    };
    await this.repo.transaction(async (trx) => {
      await this.repo.insert(values, trx);
      await this.audit.record(
        {
          action: "webhook.created",
          actor,
          target: { type: "webhook", id: values.id },
          request: req,
          details: { name: values.name, url, eventTypes: values.event_types, organizationId: values.organization_id },
        },
        trx,
      );
    });
    return { ...(await this.get(values.id)), secret };
  }

  async update(actor: Actor, id: string, patch: WebhookPatch, req: RequestInfo) {
    const before = await this.#find(id);
    const url = patch.url === undefined ? undefined : checkUrl(patch.url);
    checkEventTypes(patch.eventTypes);
    await this.#checkOrganization(patch.organizationId);
    await this.repo.transaction(async (trx) => {
      await this.repo.update(
        id,
        {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(url !== undefined ? { url } : {}),
          ...(patch.eventTypes !== undefined ? { event_types: patch.eventTypes } : {}),
          ...(patch.organizationId !== undefined ? { organization_id: patch.organizationId } : {}),
          ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
          updated_at: this.clock.now().toISOString(),
        },
        trx,
      );
      const after = await this.repo.find(id, trx);
      await this.audit.record(
        {
          action: "webhook.updated",
          actor,
          target: { type: "webhook", id },
          request: req,
          change: { before: webhookView(before), after: webhookView(after!) },
        },
        trx,
      );
    });
    return this.get(id);
  }

  async remove(actor: Actor, id: string, req: RequestInfo): Promise<void> {
    const row = await this.#find(id);
    await this.repo.transaction(async (trx) => {
      await this.repo.delete(id, trx);
      await this.audit.record(
        {
          action: "webhook.deleted",
          actor,
          target: { type: "webhook", id },
          request: req,
          details: { name: row.name, url: row.url },
        },
        trx,
      );
    });
  }

  /** A new secret at once: deliveries still queued or retried are signed with it. */
  async rotateSecret(actor: Actor, id: string, req: RequestInfo) {
    await this.#find(id);
    const secret = newSecret();
    await this.repo.transaction(async (trx) => {
      await this.repo.update(
        id,
        { secret: this.secrets.seal(secret), updated_at: this.clock.now().toISOString() },
        trx,
      );
      await this.audit.record(
        { action: "webhook.secret_rotated", actor, target: { type: "webhook", id }, request: req },
        trx,
      );
    });
    return { ...(await this.get(id)), secret };
  }

  /** Publishes a `webhook.test` event and queues its delivery to this webhook alone, enabled or not. */
  async sendTest(actor: Actor, id: string, req: RequestInfo) {
    const webhook = await this.#find(id);
    const delivery = await this.repo.transaction(async (trx) => {
      const eventId = await this.events.publish(
        {
          type: TEST_EVENT,
          subjectId: id,
          payload: { webhookId: id, name: webhook.name, message: "Test delivery from Plantão" },
        },
        trx,
      );
      await this.audit.record(
        { action: "webhook.tested", actor, target: { type: "webhook", id }, request: req, details: { eventId } },
        trx,
      );
      return this.#queueDelivery(id, { id: eventId, type: TEST_EVENT }, trx);
    });
    return deliveryView(delivery!);
  }

  async deliveries(id: string, page: { limit: number; before?: string; status?: DeliveryStatus }) {
    await this.#find(id);
    return (await this.repo.listDeliveries(id, page)).map(deliveryView);
  }

  /** Sends a succeeded or dead delivery again, with a fresh round of attempts. */
  async retry(actor: Actor, id: string, deliveryId: string, req: RequestInfo) {
    const delivery = await this.repo.findDelivery(deliveryId, id);
    if (!delivery) throw Problem.notFound("Delivery");
    await this.repo.transaction(async (trx) => {
      if (!(await this.repo.requeue(deliveryId, this.clock.now().toISOString(), trx))) {
        throw Problem.conflict("The delivery is pending or failed: an attempt is already scheduled");
      }
      await this.jobs.enqueue(DELIVER_JOB, { deliveryId }, { executor: trx });
      await this.audit.record(
        {
          action: "webhook.delivery_retried",
          actor,
          target: { type: "webhook", id },
          request: req,
          details: { deliveryId, eventId: Number(delivery.event_id), previousStatus: delivery.status },
        },
        trx,
      );
    });
    return deliveryView((await this.repo.findDelivery(deliveryId))!);
  }
}
