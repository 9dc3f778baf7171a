import type { Kysely } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import type { DeliveryFailure, NotificationRequest, NotificationService } from "../notifications/service.js";
import type { PlanService } from "../plan/service.js";
import type { TimerService } from "../timers/service.js";
import { signLink } from "./links.js";
import {
  delivery,
  type EscalatePayload,
  escalated,
  type FirstStep,
  newPage,
  nextStep,
  type PageInput,
  type PageSubject,
  type Position,
  type Reason,
  stepsOf,
  TIMER,
  triggered,
} from "./page-model.js";
import type { EscalationPolicyService } from "./policies.js";
import { PageRecipients, type Recipients } from "./recipients.js";
import type { OncallRepository, PageRow } from "./repository.js";
import type { RotationService } from "./rotations.js";
import type { Step } from "./schemas.js";

/** How long a mailed acknowledgement link works. */
export const LINK_TTL_MS = 24 * 60 * 60 * 1000;
const severityNames: Record<string, { "pt-BR": string; en: string }> = {
  critical: { "pt-BR": "Crítico", en: "Critical" },
  high: { "pt-BR": "Alto", en: "High" },
  medium: { "pt-BR": "Médio", en: "Medium" },
  low: { "pt-BR": "Baixo", en: "Low" },
};

const parse = <T>(text: string) => JSON.parse(text) as T;

/**
 * Escalation policies and pages. A page follows its policy's steps: each tells its targets (through the
 * notifications outbox, with a signed acknowledgement link by mail) and waits through a timer; the timer's firing
 * runs the next step whose condition still holds, through the repeats. Acknowledging stops the steps that wait
 * for it, resolving stops everything, and a channel that fails (or a step with nobody to tell) moves the page to
 * its next step at once. Every move is a compare-and-set on the page's position, so across nodes each runs once.
 */
export class EscalationService {
  private readonly repo: OncallRepository;
  private readonly recipients: PageRecipients;
  private readonly policies: EscalationPolicyService;
  private readonly directory: DirectoryService;
  private readonly notifications: NotificationService;
  private readonly timers: TimerService;
  private readonly plan: PlanService;
  private readonly events: EventBus;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly publicUrl: string;
  readonly #key: Buffer;

  constructor(deps: {
    repo: OncallRepository;
    rotations: RotationService;
    policies: EscalationPolicyService;
    directory: DirectoryService;
    notifications: NotificationService;
    timers: TimerService;
    plan: PlanService;
    events: EventBus;
    audit: AuditService;
    clock: Clock;
    log: Logger;
    publicUrl: string;
    signingKey: Buffer;
  }) {
    this.repo = deps.repo;
    this.recipients = new PageRecipients({ rotations: deps.rotations, directory: deps.directory, clock: deps.clock });
    this.policies = deps.policies;
    this.directory = deps.directory;
    this.notifications = deps.notifications;
    this.timers = deps.timers;
    this.plan = deps.plan;
    this.events = deps.events;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.log = deps.log;
    this.publicUrl = deps.publicUrl;
    this.#key = deps.signingKey;
    this.timers.handle<Recipients | null>("page", {
      prepare: (timer) => this.prepare(timer.subject.id, timer.payload as EscalatePayload),
      fire: ({ timer, trx }, prepared) =>
        this.escalate(trx, timer.subject.id, timer.payload as EscalatePayload, prepared),
    });
    this.notifications.onDeliveryFailed((failure) => this.onDeliveryFailed(failure));
  }

  // the interface other modules call ------------------------------------------------------------------

  /**
   * Starts paging about a subject with a policy (the plan's default for the severity when none is named). A
   * subject with an open page keeps it: its id is returned and nothing starts twice. The first step runs in the
   * caller's transaction when `first` was prepared for the same policy (`FirstStepPaging.prepareFirstStep`), else
   * through the page's timer at once, after the caller's transaction commits.
   */
  async page(input: PageInput, trx?: Kysely<DB>, first?: FirstStep | null): Promise<{ pageId: string }> {
    if (!trx) {
      await this.policies.ensureSeeded();
      return this.repo.transaction((t) => this.page(input, t, first));
    }
    const policy = input.policyId
      ? await this.repo.findPolicy(input.policyId, trx)
      : await this.repo.defaultPolicy(input.severity, trx);
    if (!policy) {
      throw input.policyId
        ? Problem.notFound("Escalation policy")
        : Problem.conflict(`No escalation policy is the default for severity ${input.severity}`);
    }
    const key = `${input.subject.type}:${input.subject.id}`;
    const open = await this.repo.openPage(key, trx);
    if (open) return { pageId: open.id };
    const now = this.clock.now();
    const row = newPage(input, policy, now);
    if (!(await this.repo.insertPage(row, trx))) {
      const raced = await this.repo.openPage(key, trx);
      if (raced) return { pageId: raced.id };
      throw new Error(`page of ${key} could not be inserted`);
    }
    await this.events.publishMany([triggered(row)], trx);
    if (first && first.policyId === policy.id && first.steps === policy.steps) {
      await this.runStep(trx, row, first.recipients, "start", now);
    } else {
      await this.arm(trx, row.id, { from: { step: -1, round: 0 }, reason: "start" }, now);
    }
    return { pageId: row.id };
  }

  /** Stops the steps that wait for an acknowledgement. Idempotent: `already` when it was acknowledged before. */
  async acknowledge(
    input: { subject: PageSubject; by: Actor | { userId: string } },
    trx?: Kysely<DB>,
  ): Promise<{ pageId: string | null; already: boolean }> {
    if (!trx) return this.repo.transaction((t) => this.acknowledge(input, t));
    const page = await this.repo.pageOf(input.subject.type, input.subject.id, trx);
    if (!page) return { pageId: null, already: false };
    const done = await this.markAcknowledged(trx, page, input.by.userId);
    return { pageId: page.id, already: !done };
  }

  /** Stops everything for the subject's open page. */
  async resolve(input: { subject: PageSubject }, trx?: Kysely<DB>): Promise<{ pageId: string | null }> {
    if (!trx) return this.repo.transaction((t) => this.resolve(input, t));
    const page = await this.repo.openPage(`${input.subject.type}:${input.subject.id}`, trx);
    if (!page) return { pageId: null };
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = (await this.repo.findPage(page.id, trx))!;
      if (current.status === "resolved") return { pageId: page.id };
      const now = this.clock.now().toISOString();
      const moved = await this.repo.movePage(
        page.id,
        current,
        { status: "resolved", open_key: null, resolved_at: now, updated_at: now },
        trx,
      );
      if (!moved) continue;
      await this.timers.cancel(trx, { type: "page", id: page.id }, TIMER);
      await this.events.publish(
        {
          type: "page.resolved",
          organizationId: null,
          subjectId: page.id,
          payload: { pageId: page.id, subjectType: page.subject_type, subjectId: page.subject_id },
        },
        trx,
      );
      return { pageId: page.id };
    }
    throw new Error(`page ${page.id} kept changing while resolving`);
  }

  /** Marks the page acknowledged by `userId` in the caller's transaction; false when it was not `triggered` any more. */
  async markAcknowledged(trx: Kysely<DB>, page: PageRow, userId: string): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = (await this.repo.findPage(page.id, trx))!;
      if (current.status !== "triggered") return false;
      const now = this.clock.now().toISOString();
      const moved = await this.repo.movePage(
        page.id,
        current,
        { status: "acknowledged", acknowledged_at: now, acknowledged_by: userId, updated_at: now },
        trx,
      );
      if (!moved) continue;
      // Steps that run until the subject resolves keep the timer; otherwise nothing is left to fire.
      if (nextStep(stepsOf(current), current.repeat, current, "acknowledged") === null) {
        await this.timers.cancel(trx, { type: "page", id: page.id }, TIMER);
      }
      await this.events.publish(
        {
          type: "page.acknowledged",
          organizationId: null,
          subjectId: page.id,
          payload: { pageId: page.id, subjectType: page.subject_type, subjectId: page.subject_id, userId },
        },
        trx,
      );
      return true;
    }
    throw new Error(`page ${page.id} kept changing while acknowledging`);
  }

  // steps ------------------------------------------------------------------------------------------------

  private async arm(trx: Kysely<DB>, pageId: string, payload: EscalatePayload, at: Date): Promise<void> {
    await this.timers.start(trx, { subject: { type: "page", id: pageId }, name: TIMER, at, payload });
  }

  /** Before the firing transaction: which step runs next and who it reaches now. */
  private async prepare(pageId: string, payload: EscalatePayload): Promise<Recipients | null> {
    const page = await this.repo.findPage(pageId);
    if (!page || page.step !== payload.from.step || page.round !== payload.from.round) return null;
    const target = nextStep(stepsOf(page), page.repeat, payload.from, page.status);
    if (!target) return { target: { step: -1, round: -1 }, users: [], addresses: [], webhooks: [] };
    return { target, ...(await this.recipients.of(page, stepsOf(page)[target.step]!, target.round)) };
  }

  /**
   * The timer fired: in its transaction, move the page from where the timer found it to the next step and tell
   * that step's people, or mark it exhausted when no step is left. Stale firings (the page moved) do nothing.
   */
  private async escalate(
    trx: Kysely<DB>,
    pageId: string,
    payload: EscalatePayload,
    prepared: Recipients | null,
  ): Promise<void> {
    const page = await this.repo.findPage(pageId, trx);
    if (!page || !prepared || page.status === "resolved") return;
    if (page.step !== payload.from.step || page.round !== payload.from.round) return;
    const steps = stepsOf(page);
    const target = nextStep(steps, page.repeat, payload.from, page.status);
    const now = this.clock.now();
    if (!target) {
      await this.repo.movePage(page.id, page, { exhausted_at: now.toISOString(), updated_at: now.toISOString() }, trx);
      return;
    }
    // The page was acknowledged between the read and now: read again (the job is retried).
    if (target.step !== prepared.target.step || target.round !== prepared.target.round) {
      throw new Error(`page ${page.id} changed while its next step was prepared`);
    }
    await this.runStep(trx, page, prepared, payload.reason, now);
  }

  /**
   * Moves the page to `prepared.target`, tells that step's people and arms the timer of the step after it (at
   * once when nobody was told). Nothing happens when the page moved meanwhile (compare-and-set).
   */
  private async runStep(
    trx: Kysely<DB>,
    page: PageRow,
    prepared: Recipients,
    reason: Reason,
    now: Date,
  ): Promise<void> {
    const target = prepared.target;
    const moved = await this.repo.movePage(
      page.id,
      page,
      { step: target.step, round: target.round, escalated_at: now.toISOString(), updated_at: now.toISOString() },
      trx,
    );
    if (!moved) return;
    const step = stepsOf(page)[target.step]!;
    const told = await this.tell(trx, page, step, target, prepared, now);
    if (reason !== "start" || target.step > 0 || target.round > 0) {
      await this.events.publishMany([escalated(page, target, reason)], trx);
    }
    // Nobody to tell: the next step at once, instead of waiting on no one.
    const wait = told > 0 ? step.waitMinutes * 60_000 : 0;
    await this.arm(
      trx,
      page.id,
      { from: target, reason: told > 0 ? "timeout" : "nobody" },
      new Date(now.getTime() + wait),
    );
  }

  /** Enqueues the step's messages in the firing transaction; returns how many people or places were told. */
  private async tell(
    trx: Kysely<DB>,
    page: PageRow,
    step: Step,
    at: Position,
    r: Recipients,
    now: Date,
  ): Promise<number> {
    return (await this.tellAll(trx, [{ page, step, at, recipients: r }], now))[0]!;
  }

  /**
   * The steps' messages of several pages, in one enqueue and one insert of their deliveries; how many people or
   * places each page told. The first-step paging tells a burst of new pages with it (first-steps.ts).
   */
  async tellAll(
    trx: Kysely<DB>,
    steps: readonly { page: PageRow; step: Step; at: Position; recipients: Recipients }[],
    now: Date,
  ): Promise<number[]> {
    const messages = steps.flatMap(({ page, step, at, recipients }, i) =>
      this.messages(page, step, at, recipients, now).map((m) => ({ ...m, page: i })),
    );
    const ids = await this.notifications.enqueueGroups(
      messages.map((m) => m.requests),
      trx,
    );
    const deliveries = messages.map((m, i) => ({
      page: m.page,
      row: delivery(m.id, steps[m.page]!.page.id, steps[m.page]!.at, m.userId, m.target, ids[i]!, now),
    }));
    await this.repo.insertDeliveries(
      deliveries.map((d) => d.row),
      trx,
    );
    const told = steps.map(() => 0);
    for (const d of deliveries) if (parse<string[]>(d.row.notification_ids).length > 0) told[d.page]!++;
    return told;
  }

  /** What a step tells each of its recipients: the delivery's id, who, and the notification requests. */
  private messages(
    page: PageRow,
    step: Step,
    at: Position,
    r: Recipients,
    now: Date,
  ): { id: string; userId: string | null; target: string; requests: NotificationRequest[] }[] {
    const thread = { kind: "page", id: page.id };
    const channels = step.channels ?? ["email", "in_app"];
    const base = {
      title: page.title,
      summary: page.summary,
      url: page.url,
      severity: page.severity,
      step: at.step,
      round: at.round,
    };
    const out: { id: string; userId: string | null; target: string; requests: NotificationRequest[] }[] = [];
    const contacts = r.addresses.filter((a) => !a.customer).map((a) => a.label);
    for (const user of r.users) {
      const id = uuidv7();
      const ackUrl = `${this.publicUrl}/oncall/acknowledge?token=${signLink(this.#key, id, now.getTime() + LINK_TTL_MS)}`;
      const requests: NotificationRequest[] = channels.map((channel) => ({
        to: { userId: user.id },
        channel,
        template: "page.staff",
        params: {
          ...base,
          severityName: severityNames[page.severity]?.["pt-BR"] ?? page.severity,
          ackUrl: channel === "email" ? ackUrl : `${this.publicUrl}/oncall/pages`,
          contacts: contacts.join(", ") || undefined,
        },
        thread,
      }));
      out.push({ id, userId: user.id, target: user.id, requests });
    }
    for (const a of r.addresses) {
      out.push({
        id: uuidv7(),
        userId: null,
        target: a.email,
        requests: [
          {
            to: { email: a.email, locale: a.locale },
            template: a.customer ? "page.customer" : "page.staff",
            params: a.customer
              ? { title: page.title }
              : { ...base, severityName: severityNames[page.severity]?.[a.locale] ?? page.severity },
            thread,
          },
        ],
      });
    }
    for (const w of r.webhooks) {
      out.push({
        id: uuidv7(),
        userId: null,
        target: `webhook:${w.webhookId}`,
        requests: [
          {
            to: { webhookId: w.webhookId, flavour: w.flavour },
            template: "page.staff",
            params: { ...base, severityName: severityNames[page.severity]?.["pt-BR"] ?? page.severity },
            thread,
          },
        ],
      });
    }
    return out;
  }

  /** A message of the page's current step could not be delivered: the next step runs now instead of waiting. */
  private async onDeliveryFailed(failure: DeliveryFailure): Promise<void> {
    if (!failure.thread?.startsWith("page:")) return;
    const pageId = failure.thread.slice("page:".length);
    const page = await this.repo.findPage(pageId);
    if (!page || page.status === "resolved" || page.step < 0) return;
    const current = await this.repo.deliveriesAt(page.id, page.round, page.step);
    if (!current.some((d) => parse<string[]>(d.notification_ids).includes(failure.id))) return;
    await this.repo.transaction(async (trx) => {
      const again = await this.repo.findPage(pageId, trx);
      if (!again || again.step !== page.step || again.round !== page.round || again.status === "resolved") return;
      if (nextStep(stepsOf(again), again.repeat, again, again.status) === null) return;
      await this.arm(
        trx,
        pageId,
        { from: { step: page.step, round: page.round }, reason: "channel-failed" },
        this.clock.now(),
      );
    });
  }
}
