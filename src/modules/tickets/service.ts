import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus, NewEvent } from "../../platform/events/bus.js";
import type { EventPayload, EventType } from "../../platform/events/catalogue.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import type { Mail } from "../../platform/mail.js";
import type { AuditService } from "../audit/service.js";
import { type Actor, forbidden, tenantOf } from "../identity/actor.js";
import { isStaff } from "../identity/roles.js";
import type { IdentityService } from "../identity/service.js";
import type { PlanDocument, SeverityId } from "../plan/document.js";
import type { PlanService, PlanVersion } from "../plan/service.js";
import { computeClocks, policyFromPlan, type SlaClock } from "../sla/clocks.js";
import { escalationSteps } from "../sla/escalation.js";
import { describePolicy, planUnderPolicy } from "../sla/policies.js";
import { type AttachmentRepository, type AttachmentStore, presentAttachment } from "./attachments.js";
import { customerEscalationMail } from "./escalation-mail.js";
import type { TicketLinkRepository } from "./links-repository.js";
import { type Channel, canTransition, customerMayChangeStatusTo, type Severity, type Status } from "./model.js";
import type { HistoryRow, MessageRow, SlaEventRow, TicketFilter, TicketRepository, TicketRow } from "./repository.js";
import { policyTimeline, slaPlanFor, ticketEvents, withCalendarChanges } from "./sla-events.js";
import { safeFilename, sniffContentType } from "./sniff.js";
import {
  DEFAULT_NOTE_LOCALE,
  type NoteLocale,
  noteLocaleOf,
  noteLocaleOfPreference,
  renderStored,
  type SkippedRecipient,
  type SystemNote,
  storedNote,
} from "./system-notes.js";

const severityRank: Record<SeverityId, number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** How a link reads from the ticket it is asked about. */
export type LinkKind = "related" | "duplicate_of" | "duplicated_by" | "parent_of" | "child_of";
const linkKinds = { related: "related", duplicate_of: "duplicate", parent_of: "parent" } as const;

type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;
type ClockMark = "started" | "paused" | "resumed" | "fulfilled";
type TicketEventType = Extract<EventType, `ticket.${string}`>;
/** What a ticket event's payload holds besides the ticket's id and number. */
type TicketEventDetails<T extends TicketEventType> = Omit<EventPayload<T>, "ticketId" | "number">;

export interface NewTicket {
  subject: string;
  description: string;
  organizationId?: string;
  requester?: { name: string; email?: string; phone?: string };
  channel?: Channel;
  type: string;
  severity: Severity;
  tier?: "L1" | "L2" | "L3";
  assigneeId?: string | null;
  team?: string | null;
  tags?: string[];
}

export interface TicketPatch {
  subject?: string;
  type?: string;
  severity?: Severity;
  tier?: "L1" | "L2" | "L3";
  status?: Status;
  assigneeId?: string | null;
  team?: string | null;
  tags?: string[];
}

export function presentTicket(t: TicketRow) {
  return {
    id: t.id,
    number: Number(t.number),
    organizationId: t.organization_id,
    requesterId: t.requester_user_id,
    requester: JSON.parse(t.requester_contact) as { name: string; email?: string; phone?: string },
    subject: t.subject,
    description: t.description,
    channel: t.channel,
    type: t.type,
    severity: t.severity,
    tier: t.tier,
    status: t.status,
    assigneeId: t.assignee_user_id,
    team: t.team,
    tags: JSON.parse(t.tags) as string[],
    mergedIntoId: t.merged_into_id,
    firstResponseAt: t.first_response_at,
    resolvedAt: t.resolved_at,
    closedAt: t.closed_at,
    slaDueAt: t.sla_due_at,
    slaBreached: Boolean(t.sla_breached),
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  };
}

/** A message as read in `locale`: system notes with a phrase key are written in it. */
export function presentMessage(m: MessageRow, locale: NoteLocale = DEFAULT_NOTE_LOCALE) {
  return {
    id: m.id,
    ticketId: m.ticket_id,
    authorId: m.author_user_id,
    authorKind: m.author_kind,
    visibility: m.visibility,
    kind: m.kind,
    body: renderStored(m, locale),
    bodyKey: m.body_key,
    bodyParams: m.body_params === null ? null : (JSON.parse(m.body_params) as Record<string, unknown>),
    createdAt: m.created_at,
  };
}

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

/** Fields whose changes land in the ticket history, with the row column each maps to. */
const tracked: Record<keyof TicketPatch, keyof TicketRow> = {
  subject: "subject",
  type: "type",
  severity: "severity",
  tier: "tier",
  status: "status",
  assigneeId: "assignee_user_id",
  team: "team",
  tags: "tags",
};

/** Tickets: creation, changes with their history, messages and escalation between tiers. */
export class TicketService {
  constructor(
    private readonly repo: TicketRepository,
    private readonly identity: IdentityService,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly plan: PlanService,
    private readonly jobs: JobQueue,
    private readonly notify: (mail: Mail) => Promise<void>,
    private readonly links: TicketLinkRepository,
    private readonly attachments: { repo: AttachmentRepository; store: AttachmentStore; maxBytes: number },
  ) {
    jobs.register<{ ticketId: string }>("sla.deadline", (job) => this.onDeadline(job.payload.ticketId));
  }

  private async checkAssignee(id: string | null | undefined, pointer: string) {
    if (!id) return;
    const user = await this.identity.getUser(id).catch(() => undefined);
    if (!user || !isStaff(user.role) || user.disabled) throw invalid(pointer, "must be an active staff user");
  }

  async create(actor: Actor, input: NewTicket, req: RequestInfo) {
    const tenant = tenantOf(actor);
    if (tenant && input.organizationId && input.organizationId !== tenant) throw Problem.notFound("Organization");
    const organizationId = tenant ?? input.organizationId;
    if (!organizationId) throw invalid("/organizationId", "is required when staff open a ticket");
    const org = await this.identity.getOrganization(organizationId);
    if (tenant && (input.assigneeId || input.team || input.tier)) {
      throw forbidden("Customers cannot set the assignee, team or tier");
    }
    await this.checkAssignee(input.assigneeId, "/assigneeId");
    const created = this.clock.now();
    const now = created.toISOString();
    const requester = input.requester ?? { name: actor.name, email: actor.email };
    const versions = await this.plan.timeline();
    const id = uuidv7();
    const row = await this.repo.db.transaction().execute(async (trx) => {
      const ticket: TicketRow = {
        id,
        number: await this.repo.nextNumber(trx),
        organization_id: org.id,
        requester_user_id: tenant || !input.requester ? actor.userId : null,
        requester_contact: JSON.stringify(requester),
        subject: input.subject,
        description: input.description,
        channel: input.channel ?? (tenant ? "portal" : "api"),
        type: input.type,
        severity: input.severity,
        tier: input.tier ?? "L1",
        status: "new",
        assignee_user_id: input.assigneeId ?? null,
        team: input.team ?? null,
        tags: JSON.stringify(input.tags ?? []),
        merged_into_id: null,
        first_response_at: null,
        resolved_at: null,
        closed_at: null,
        sla_due_at: null,
        sla_breached: false,
        created_at: now,
        updated_at: now,
      };
      // The clocks of a new ticket depend on the row alone, so its SLA columns go in with the insert.
      const computed = await this.clocksOf(trx, ticket, versions, created, { fresh: true });
      Object.assign(ticket, slaColumns(computed.clocks));
      await this.repo.insert(ticket, trx);
      await this.publish(trx, ticket, "ticket.created", { number: ticket.number });
      await this.afterClocks(trx, ticket, computed, created, new Set());
      // Last: the audit chain's append lock is then held only until the commit that follows.
      await this.record(trx, actor, req, ticket, "ticket.created", { number: ticket.number });
      return ticket;
    });
    return presentTicket(row);
  }

  private async after<T extends TicketEventType>(
    trx: Kysely<DB>,
    actor: Actor,
    req: RequestInfo,
    t: TicketRow,
    type: T,
    details: TicketEventDetails<T>,
  ) {
    await this.record(trx, actor, req, t, type, details);
    await this.publish(trx, t, type, details);
  }

  private async record(
    trx: Kysely<DB>,
    actor: Actor,
    req: RequestInfo,
    t: TicketRow,
    type: string,
    details: Record<string, unknown>,
  ) {
    await this.audit.record(
      {
        action: type,
        actor,
        organizationId: t.organization_id,
        target: { type: "ticket", id: t.id },
        request: req,
        details,
      },
      trx,
    );
  }

  /** An internal system note on the timeline, stored as its phrase key so each reader gets it in their language. */
  private insertSystemNote(
    trx: Kysely<DB>,
    ticketId: string,
    authorUserId: string | null,
    note: SystemNote,
    at: string,
  ): Promise<void> {
    return this.repo.insertMessage(
      {
        id: uuidv7(),
        ticket_id: ticketId,
        author_user_id: authorUserId,
        author_kind: "system",
        visibility: "internal",
        kind: "system",
        ...storedNote(note),
        created_at: at,
      },
      trx,
    );
  }

  private async publish<T extends TicketEventType>(
    trx: Kysely<DB>,
    t: TicketRow,
    type: T,
    details: TicketEventDetails<T>,
  ) {
    await this.events.publish(
      {
        type,
        organizationId: t.organization_id,
        subjectId: t.id,
        payload: { ticketId: t.id, number: Number(t.number), ...details },
      } as NewEvent,
      trx,
    );
  }

  async get(actor: Actor, id: string) {
    const t = await this.repo.find(id, tenantOf(actor));
    if (!t) throw Problem.notFound("Ticket");
    return presentTicket(t);
  }

  async list(actor: Actor, filter: Omit<TicketFilter, "tenant">) {
    return (await this.repo.list({ ...filter, tenant: tenantOf(actor) })).map(presentTicket);
  }

  async update(actor: Actor, id: string, patch: TicketPatch, req: RequestInfo, systemNote?: SystemNote) {
    const tenant = tenantOf(actor);
    const now = this.clock.now().toISOString();
    await this.checkAssignee(patch.assigneeId, "/assigneeId");
    const versions = await this.plan.timeline();
    let statusChange: string | null = null;
    const result = await this.repo.db.transaction().execute(async (trx) => {
      const before = await this.repo.find(id, tenant, trx);
      if (!before) throw Problem.notFound("Ticket");
      if (before.merged_into_id) throw Problem.conflict(`Ticket was merged into another ticket and cannot change`);
      if (tenant) {
        const allowed = Object.keys(patch).every((k) => k === "status");
        if (!allowed || (patch.status && !customerMayChangeStatusTo(patch.status))) {
          throw forbidden("Customers may only reopen, resolve or close their tickets");
        }
      }
      if (patch.status && patch.status !== before.status && !canTransition(before.status as Status, patch.status)) {
        throw new Problem(
          409,
          "invalid-transition",
          "Status change not allowed",
          `A ${before.status} ticket cannot become ${patch.status}`,
        );
      }
      if (patch.status === before.status && (patch.status === "closed" || patch.status === "resolved")) {
        throw new Problem(
          409,
          "invalid-transition",
          "Status change not allowed",
          `The ticket is already ${patch.status}`,
        );
      }
      const after: TicketRow = { ...before, updated_at: now };
      const history: HistoryRow[] = [];
      for (const [key, column] of Object.entries(tracked) as [keyof TicketPatch, keyof TicketRow][]) {
        const value = patch[key];
        if (value === undefined) continue;
        const stored = key === "tags" ? JSON.stringify(value) : value;
        if (stored === before[column]) continue;
        (after as Record<string, unknown>)[column] = stored;
        history.push({
          id: uuidv7(),
          ticket_id: id,
          at: now,
          actor_user_id: actor.userId,
          field: key,
          before_value: before[column] === null ? null : String(before[column]),
          after_value: stored === null ? null : String(stored),
        });
      }
      if (after.status !== before.status) {
        if (after.status === "resolved") after.resolved_at = now;
        if (after.status === "closed") after.closed_at = now;
        if (after.status === "open" && (before.status === "resolved" || before.status === "closed")) {
          after.resolved_at = null;
          after.closed_at = null;
        }
      }
      if (!history.length) return before;
      await this.repo.update(id, after, trx);
      await this.repo.insertHistory(history, trx);
      if (systemNote) await this.insertSystemNote(trx, id, actor.userId, systemNote, now);
      await this.after(trx, actor, req, after, "ticket.updated", {
        changes: history.map((h) => ({ field: h.field, before: h.before_value, after: h.after_value })),
      });
      if (after.status !== before.status) statusChange = `${before.status} → ${after.status}`;
      return { ...after, ...(await this.refreshSla(trx, after, versions)) };
    });
    if (statusChange) {
      await this.mailWatchers(
        id,
        actor.userId,
        `[Plantão] #${result.number} ${result.subject}`,
        `${actor.name}: ${statusChange}`,
      );
    }
    return presentTicket(result);
  }

  async escalate(actor: Actor, id: string, tier: "L1" | "L2" | "L3", reason: string, req: RequestInfo) {
    if (!isStaff(actor.role)) throw forbidden("Only staff escalate tickets");
    const current = await this.get(actor, id);
    if (current.tier === tier)
      throw new Problem(409, "invalid-transition", "Already in that tier", `The ticket is already in ${tier}`);
    return this.update(actor, id, { tier }, req, {
      key: "ticket.escalated",
      params: { from: current.tier, to: tier, reason },
    });
  }

  async addMessage(
    actor: Actor,
    id: string,
    input: { body: string; visibility: "public" | "internal"; kind?: "reply" | "phone_call" },
    req: RequestInfo,
  ) {
    const tenant = tenantOf(actor);
    if (tenant && input.visibility === "internal") throw forbidden("Customers cannot write internal notes");
    const now = this.clock.now().toISOString();
    const staff = isStaff(actor.role);
    const versions = await this.plan.timeline();
    return this.repo.db
      .transaction()
      .execute(async (trx) => {
        const t = await this.repo.find(id, tenant, trx);
        if (!t) throw Problem.notFound("Ticket");
        if (t.merged_into_id) throw Problem.conflict("Ticket was merged into another ticket; reply there");
        if (t.status === "closed") throw Problem.conflict("Ticket is closed; reopen it first");
        const message: MessageRow = {
          id: uuidv7(),
          ticket_id: id,
          author_user_id: actor.userId,
          author_kind: staff ? "agent" : "customer",
          visibility: input.visibility,
          kind: input.visibility === "internal" ? "note" : (input.kind ?? "reply"),
          body: input.body,
          body_key: null,
          body_params: null,
          created_at: now,
        };
        await this.repo.insertMessage(message, trx);
        const patch: Partial<TicketRow> = { updated_at: now };
        // First response is a public agent reply (or a logged answered call), never an internal note.
        if (staff && input.visibility === "public" && !t.first_response_at) patch.first_response_at = now;
        if (staff && input.visibility === "public" && t.status === "new") patch.status = "open";
        if (!staff && (t.status === "pending_customer" || t.status === "resolved")) patch.status = "open";
        await this.repo.update(id, patch, trx);
        if (patch.status) {
          await this.repo.insertHistory(
            [
              {
                id: uuidv7(),
                ticket_id: id,
                at: now,
                actor_user_id: actor.userId,
                field: "status",
                before_value: t.status,
                after_value: patch.status,
              },
            ],
            trx,
          );
        }
        await this.after(trx, actor, req, t, "ticket.message.created", {
          messageId: message.id,
          visibility: message.visibility,
          kind: message.kind,
        });
        await this.refreshSla(trx, { ...t, ...patch }, versions);
        return { message, ticket: t };
      })
      .then(async ({ message, ticket }) => {
        if (message.visibility === "public") {
          await this.mailWatchers(
            id,
            actor.userId,
            `[Plantão] #${ticket.number} ${ticket.subject}`,
            `${actor.name}:\n\n${message.body}`,
          );
        }
        return presentMessage(message);
      });
  }

  /**
   * Recomputes the ticket's clocks after a change, stores the earliest breach still ahead (indexed, for the
   * queue's `dueBefore` and `breached` filters) and schedules the deadline job for the next instant a clock
   * reaches its target or breach, so warnings and breaches are announced on time without polling.
   */
  private async refreshSla(
    trx: Kysely<DB>,
    ticket: TicketRow,
    versions: PlanVersion[],
  ): Promise<Pick<TicketRow, "sla_due_at" | "sla_breached">> {
    const now = this.clock.now();
    const computed = await this.clocksOf(trx, ticket, versions, now);
    const sla = slaColumns(computed.clocks);
    await this.repo.update(ticket.id, sla, trx);
    const recorded = new Set((await this.repo.slaEvents(ticket.id, trx)).map((e) => e.dedupe_key));
    await this.afterClocks(trx, ticket, computed, now, recorded);
    return sla;
  }

  /** Records the clocks' new events and arms the deadline job for the next instant that matters. */
  private async afterClocks(
    trx: Kysely<DB>,
    ticket: TicketRow,
    { clocks, plan }: { clocks: SlaClock[]; plan: PlanDocument },
    now: Date,
    recorded: ReadonlySet<string>,
  ) {
    await this.recordClockEvents(trx, ticket, clocks, now.toISOString(), recorded);
    // Paused clocks move; the job recomputes when it fires, so a stale time only costs one early wake-up.
    const upcoming = [
      ...clocks.filter((c) => c.status === "running").flatMap((c) => [c.targetAt, c.breachAt]),
      ...escalationSteps(plan, ticket.severity as SeverityId, clocks, now.getTime()).map((s) => s.at),
    ].filter((t) => t > now.getTime());
    if (upcoming.length) {
      const at = new Date(Math.min(...upcoming));
      await this.jobs.enqueue(
        "sla.deadline",
        { ticketId: ticket.id },
        { runAt: at, dedupeKey: `sla:${ticket.id}:${at.toISOString()}`, executor: trx },
      );
    }
  }

  /**
   * Stores each clock's start, pauses, resumptions and fulfilment once (time-driven warnings and breaches are
   * the deadline job's), and publishes each new one as `ticket.sla.<kind>`.
   */
  private async recordClockEvents(
    trx: Kysely<DB>,
    ticket: TicketRow,
    clocks: SlaClock[],
    now: string,
    recorded: ReadonlySet<string>,
  ) {
    const rows: (Omit<SlaEventRow, "created_at" | "kind"> & { kind: ClockMark })[] = [];
    for (const c of clocks) {
      const marks: { kind: ClockMark; at: number; n?: number }[] = [{ kind: "started", at: c.startedAt }];
      c.pauses.forEach((p, n) => {
        marks.push({ kind: "paused", at: p.from, n });
        if (p.to !== null) marks.push({ kind: "resumed", at: p.to, n });
      });
      if (c.fulfilledAt !== null) marks.push({ kind: "fulfilled", at: c.fulfilledAt });
      for (const m of marks) {
        const key = `${ticket.id}:${c.kind}:${c.tier ?? "-"}:${c.startedAt}:${m.kind}${m.n === undefined ? "" : `:${m.n}`}`;
        if (recorded.has(key)) continue;
        const at = new Date(m.at).toISOString();
        rows.push({
          id: uuidv7(),
          ticket_id: ticket.id,
          clock: c.kind,
          tier: c.tier,
          kind: m.kind,
          at,
          dedupe_key: key,
        });
      }
    }
    const inserted = await this.repo.insertSlaEvents(rows, now, trx);
    await this.events.publishMany(
      rows
        .filter((r) => inserted.has(r.dedupe_key))
        .map((r) => ({
          type: `ticket.sla.${r.kind}`,
          organizationId: ticket.organization_id,
          subjectId: ticket.id,
          payload: { ticketId: ticket.id, number: Number(ticket.number), clock: r.clock, tier: r.tier, at: r.at },
        })),
      trx,
    );
  }

  /** The ticket's clocks at `now` under the plan it runs on (see `slaPlanFor`), read inside `executor`. */
  private async clocksOf(
    executor: Kysely<DB>,
    ticket: TicketRow,
    versions: PlanVersion[],
    now: Date,
    opts: { fresh?: boolean } = {},
  ) {
    // A ticket being created has no history or messages yet: no need to ask.
    const [history, messages] = opts.fresh
      ? [[], []]
      : await Promise.all([this.repo.history(ticket.id, executor), this.repo.messages(ticket.id, true, executor)]);
    const sla = slaPlanFor(ticket.created_at, versions);
    const policies = policyTimeline(ticket, history, sla.plan);
    const clocks = computeClocks({
      events: withCalendarChanges(ticketEvents(ticket, history, messages), [
        ...sla.calendarChanges,
        ...policies.changes,
      ]),
      policy: policyFromPlan(planUnderPolicy(sla.plan, policies.opening)),
      now,
    });
    // Escalation instants are counted on the calendars in force now, under the policy that applies now.
    const plan: PlanDocument = {
      ...planUnderPolicy(sla.plan, policies.current),
      calendars: versions.at(-1)!.document.calendars,
    };
    return {
      clocks,
      plan,
      version: sla.version,
      calendarVersions: sla.calendarVersions,
      policy: describePolicy(policies.current),
      policyHistory: policies.applied,
    };
  }

  /**
   * The deadline job: announces each clock's warning (target reached) and breach once, fires the escalation
   * matrix's steps that were reached (each once), then re-arms. Mail goes out after the commit.
   */
  async onDeadline(ticketId: string): Promise<void> {
    const versions = await this.plan.timeline();
    const mail: {
      notify: string[];
      subject: string;
      text: string;
      assignee: string | null;
      team: string | null;
      customer: { email: string; userId: string | null; number: number; subject: string; name: string } | null;
    }[] = [];
    await this.repo.db.transaction().execute(async (trx) => {
      const t = await this.repo.find(ticketId, undefined, trx);
      if (!t) return;
      const now = this.clock.now();
      const { clocks, plan } = await this.clocksOf(trx, t, versions, now);
      const iso = now.toISOString();
      for (const c of clocks) {
        const marks: { kind: "warning" | "breached"; at: number }[] = [];
        if (c.breachedAt !== null) marks.push({ kind: "breached", at: c.breachedAt });
        else if (
          (c.status === "running" || c.status === "paused") &&
          c.targetAt < c.breachAt &&
          c.targetAt <= now.getTime()
        ) {
          marks.push({ kind: "warning", at: c.targetAt });
        }
        for (const mark of marks) {
          const key = `${ticketId}:${c.kind}:${c.tier ?? "-"}:${c.startedAt}:${mark.kind}`;
          const at = new Date(mark.at).toISOString();
          const fresh = await this.repo.insertSlaEvent(
            { id: uuidv7(), ticket_id: ticketId, clock: c.kind, tier: c.tier, kind: mark.kind, at, dedupe_key: key },
            iso,
            trx,
          );
          if (!fresh) continue;
          await this.insertSystemNote(
            trx,
            ticketId,
            null,
            mark.kind === "breached"
              ? { key: "sla.breached", params: { clock: c.kind, tier: c.tier, at } }
              : {
                  key: "sla.warning",
                  params: { clock: c.kind, tier: c.tier, at, breachAt: new Date(c.breachAt).toISOString() },
                },
            iso,
          );
          await this.events.publish(
            {
              type: `ticket.sla.${mark.kind}`,
              organizationId: t.organization_id,
              subjectId: ticketId,
              payload: {
                ticketId,
                number: Number(t.number),
                clock: c.kind,
                tier: c.tier,
                at,
                breachAt: new Date(c.breachAt).toISOString(),
              },
            },
            trx,
          );
        }
      }
      for (const step of escalationSteps(plan, t.severity as SeverityId, clocks, now.getTime())) {
        if (step.at > now.getTime()) continue;
        const c = step.clock;
        const fresh = await this.repo.insertSlaEvent(
          {
            id: uuidv7(),
            ticket_id: ticketId,
            clock: c.kind,
            tier: c.tier,
            kind: "escalation",
            at: iso,
            dedupe_key: `${ticketId}:${c.kind}:-:${c.startedAt}:escalation:${step.step}`,
          },
          iso,
          trx,
        );
        if (!fresh) continue;
        // The step's actions: move the ticket to a tier, raise its severity (never lower it).
        const changes: HistoryRow[] = [];
        const change = (field: "tier" | "severity", value: string) => {
          changes.push({
            id: uuidv7(),
            ticket_id: ticketId,
            at: iso,
            actor_user_id: null,
            field,
            before_value: t[field],
            after_value: value,
          });
          t[field] = value;
        };
        if (step.reassignTo && step.reassignTo !== t.tier) change("tier", step.reassignTo);
        if (step.raiseSeverityTo && severityRank[step.raiseSeverityTo] > severityRank[t.severity as SeverityId]) {
          change("severity", step.raiseSeverityTo);
        }
        if (changes.length) {
          await this.repo.update(ticketId, { tier: t.tier, severity: t.severity, updated_at: iso }, trx);
          await this.repo.insertHistory(changes, trx);
        }
        const actions = changes.map((h) => `${h.field} ${h.before_value} → ${h.after_value}`);
        const requester = JSON.parse(t.requester_contact) as { name: string; email?: string };
        const skipped: SkippedRecipient[] = [];
        if (step.notify.includes("team") && !t.team) skipped.push({ who: "team", reason: "no_team" });
        if (step.notify.includes("customerContact") && !requester.email) {
          skipped.push({ who: "customerContact", reason: "no_contact_email" });
        }
        await this.insertSystemNote(
          trx,
          ticketId,
          null,
          {
            key: "sla.escalation",
            params: {
              step: step.step + 1,
              clock: c.kind,
              notified: step.notify.filter((n) => !skipped.some((x) => x.who === n)),
              changes: changes.map((h) => ({ field: h.field, before: h.before_value, after: h.after_value })),
              skipped,
            },
          },
          iso,
        );
        await this.events.publish(
          {
            type: "ticket.escalation",
            organizationId: t.organization_id,
            subjectId: ticketId,
            payload: {
              ticketId,
              number: Number(t.number),
              step: step.step + 1,
              clock: c.kind,
              notify: step.notify,
              actions,
            },
          },
          trx,
        );
        mail.push({
          notify: step.notify,
          assignee: t.assignee_user_id,
          team: step.notify.includes("team") ? t.team : null,
          customer:
            step.notify.includes("customerContact") && requester.email
              ? {
                  email: requester.email,
                  userId: t.requester_user_id,
                  number: Number(t.number),
                  subject: t.subject,
                  name: requester.name,
                }
              : null,
          subject: `[Plantão] #${t.number} ${t.subject}`,
          text: `#${t.number} ${t.subject}\n${t.severity} · ${t.tier} · ${t.status}\n${c.kind}: breach at ${new Date(c.breachAt).toISOString()}`,
        });
      }
      await this.refreshSla(trx, t, versions);
    });
    // Sent after the commit: a step is recorded once; a mail that fails is logged by `notify`, not retried.
    for (const m of mail) {
      const staff = new Map<string, { email: string; locale: string }>();
      const roles = m.notify.filter((n) => n !== "team" && n !== "customerContact");
      for (const r of await this.identity.escalationRecipients(roles, m.assignee)) staff.set(r.email, r);
      if (m.team) for (const r of await this.teamMembers(m.team)) staff.set(r.email, r);
      for (const r of staff.values()) {
        const pt = r.locale !== "en";
        await this.notify({
          to: r.email,
          subject: `${pt ? "Escalonamento" : "Escalation"}: ${m.subject}`,
          text: `${pt ? "O SLA deste chamado pede atenção." : "This ticket's SLA needs attention."}\n\n${m.text}`,
        });
      }
      if (m.customer) {
        const c = m.customer;
        // The requester's language when they are a user; a contact without an account reads the default.
        const user = c.userId ? await this.identity.getUser(c.userId).catch(() => undefined) : undefined;
        await this.notify(
          customerEscalationMail(
            c.email,
            { number: c.number, subject: c.subject, requesterName: c.name },
            noteLocaleOfPreference(user?.locale),
          ),
        );
      }
    }
  }

  /** Active staff users of a team (a ticket's `team` is one of their `teams`). */
  private async teamMembers(team: string): Promise<{ email: string; locale: string }[]> {
    const members: { email: string; locale: string }[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.identity.listUsers({ limit: 500, after }, {});
      for (const u of page) if (!u.disabled && isStaff(u.role) && u.teams.includes(team)) members.push(u);
      if (page.length < 500) return members;
      after = page.at(-1)!.id;
    }
  }

  /**
   * Links a ticket to another one the actor can see. `kind` is read from this ticket: it is related to,
   * a duplicate of, the parent of or a child of the other. A link to itself, or across organizations, is refused.
   */
  async link(actor: Actor, id: string, input: { ticketId: string; kind: LinkKind }, req: RequestInfo) {
    if (!isStaff(actor.role)) throw forbidden("Only staff link tickets");
    if (input.ticketId === id) throw invalid("/ticketId", "a ticket cannot be linked to itself");
    const [a, b] = await Promise.all([
      this.repo.find(id, tenantOf(actor)),
      this.repo.find(input.ticketId, tenantOf(actor)),
    ]);
    if (!a) throw Problem.notFound("Ticket");
    if (!b) throw invalid("/ticketId", "no such ticket");
    if (a.organization_id !== b.organization_id && input.kind !== "related") {
      throw invalid("/kind", "only `related` links join tickets of different organizations");
    }
    // "child of" and "duplicated by" are stored as the other ticket's parent and duplicate links, so each
    // pair has one row whichever side made it.
    const [from, to, kind] =
      input.kind === "child_of"
        ? [b, a, "parent" as const]
        : input.kind === "duplicated_by"
          ? [b, a, "duplicate" as const]
          : [a, b, linkKinds[input.kind]];
    const now = this.clock.now().toISOString();
    const row = {
      id: uuidv7(),
      ticket_id: from.id,
      other_ticket_id: to.id,
      kind,
      created_by: actor.userId,
      created_at: now,
    };
    await this.repo.db.transaction().execute(async (trx) => {
      if (!(await this.links.insert(row, trx))) throw Problem.conflict("These tickets are already linked that way");
      await this.after(trx, actor, req, a, "ticket.linked", { other: b.id, kind: input.kind });
    });
    return this.linksOf(actor, id);
  }

  async unlink(actor: Actor, id: string, linkId: string, req: RequestInfo) {
    if (!isStaff(actor.role)) throw forbidden("Only staff unlink tickets");
    const t = await this.repo.find(id, tenantOf(actor));
    const link = await this.links.find(linkId);
    if (!t || !link || (link.ticket_id !== id && link.other_ticket_id !== id)) throw Problem.notFound("Link");
    await this.repo.db.transaction().execute(async (trx) => {
      await this.links.delete(linkId, trx);
      await this.after(trx, actor, req, t, "ticket.unlinked", { link: linkId });
    });
  }

  /** A ticket's links as seen from it; customers see links to their own organization's tickets only. */
  async linksOf(actor: Actor, id: string) {
    const tenant = tenantOf(actor);
    if (!(await this.repo.find(id, tenant))) throw Problem.notFound("Ticket");
    const { out, into } = await this.links.of(id);
    const seen = (r: { organization_id: string }) => !tenant || r.organization_id === tenant;
    const present = (r: (typeof out)[number], kind: LinkKind) => ({
      id: r.id,
      kind,
      ticketId: r.other_id,
      number: Number(r.number),
      subject: r.subject,
      status: r.status,
      createdAt: r.created_at,
    });
    const outward: Record<string, LinkKind> = { related: "related", duplicate: "duplicate_of", parent: "parent_of" };
    const inward: Record<string, LinkKind> = { related: "related", duplicate: "duplicated_by", parent: "child_of" };
    return [
      ...out.filter(seen).map((r) => present(r, outward[r.kind]!)),
      ...into.filter(seen).map((r) => present(r, inward[r.kind]!)),
    ];
  }

  /**
   * Merges a ticket into another of the same organization: the source is closed, points to the target and
   * takes no more replies or changes; both timelines say so and a duplicate link joins them.
   */
  async merge(actor: Actor, id: string, intoId: string, req: RequestInfo) {
    if (!isStaff(actor.role)) throw forbidden("Only staff merge tickets");
    if (intoId === id) throw invalid("/intoTicketId", "a ticket cannot be merged into itself");
    const versions = await this.plan.timeline();
    const now = this.clock.now().toISOString();
    const merged = await this.repo.db.transaction().execute(async (trx) => {
      const [source, target] = await Promise.all([
        this.repo.find(id, tenantOf(actor), trx),
        this.repo.find(intoId, tenantOf(actor), trx),
      ]);
      if (!source) throw Problem.notFound("Ticket");
      if (!target) throw invalid("/intoTicketId", "no such ticket");
      if (source.merged_into_id) throw Problem.conflict("This ticket was already merged");
      if (target.merged_into_id)
        throw invalid("/intoTicketId", "that ticket was merged into another one; merge into that one");
      if (target.organization_id !== source.organization_id)
        throw invalid("/intoTicketId", "tickets of different organizations cannot be merged");
      const after: TicketRow = {
        ...source,
        merged_into_id: target.id,
        status: "closed",
        closed_at: source.closed_at ?? now,
        updated_at: now,
      };
      await this.repo.update(id, after, trx);
      await this.repo.insertHistory(
        [
          {
            id: uuidv7(),
            ticket_id: id,
            at: now,
            actor_user_id: actor.userId,
            field: "mergedInto",
            before_value: null,
            after_value: target.id,
          },
          ...(source.status !== "closed"
            ? [
                {
                  id: uuidv7(),
                  ticket_id: id,
                  at: now,
                  actor_user_id: actor.userId,
                  field: "status",
                  before_value: source.status,
                  after_value: "closed",
                },
              ]
            : []),
        ],
        trx,
      );
      const note = (ticketId: string, systemNote: SystemNote) =>
        this.insertSystemNote(trx, ticketId, actor.userId, systemNote, now);
      await note(id, { key: "ticket.merged_into", params: { number: Number(target.number) } });
      await note(target.id, { key: "ticket.merged_from", params: { number: Number(source.number) } });
      await this.links.insert(
        {
          id: uuidv7(),
          ticket_id: id,
          other_ticket_id: target.id,
          kind: "duplicate",
          created_by: actor.userId,
          created_at: now,
        },
        trx,
      );
      await this.after(trx, actor, req, after, "ticket.merged", { into: target.id, intoNumber: Number(target.number) });
      return { ...after, ...(await this.refreshSla(trx, after, versions)) };
    });
    return presentTicket(merged);
  }

  /** Adds a watcher (the actor by default). A customer's organization users may watch its tickets; staff any. */
  async watch(actor: Actor, id: string, userId: string | undefined, req: RequestInfo) {
    const t = await this.repo.find(id, tenantOf(actor));
    if (!t) throw Problem.notFound("Ticket");
    const who = userId ?? actor.userId;
    if (who !== actor.userId && !isStaff(actor.role) && actor.role !== "customer-admin") {
      throw forbidden("Customers add only themselves as watchers");
    }
    const user = await this.identity.getUser(who).catch(() => undefined);
    if (!user || user.disabled || (!isStaff(user.role) && user.organizationId !== t.organization_id)) {
      throw invalid("/userId", "must be an active user who can see this ticket");
    }
    await this.repo.db.transaction().execute(async (trx) => {
      await this.links.watch(id, who, this.clock.now().toISOString(), trx);
      await this.after(trx, actor, req, t, "ticket.watcher.added", { userId: who });
    });
    return this.watchersOf(actor, id);
  }

  async unwatch(actor: Actor, id: string, userId: string, req: RequestInfo) {
    const t = await this.repo.find(id, tenantOf(actor));
    if (!t) throw Problem.notFound("Ticket");
    if (userId !== actor.userId && !isStaff(actor.role) && actor.role !== "customer-admin") {
      throw forbidden("Customers remove only themselves as watchers");
    }
    await this.repo.db.transaction().execute(async (trx) => {
      if (!(await this.links.unwatch(id, userId, trx))) throw Problem.notFound("Watcher");
      await this.after(trx, actor, req, t, "ticket.watcher.removed", { userId });
    });
  }

  async watchersOf(actor: Actor, id: string) {
    if (!(await this.repo.find(id, tenantOf(actor)))) throw Problem.notFound("Ticket");
    const users = await Promise.all((await this.links.watchers(id)).map((u) => this.identity.getUser(u)));
    return users.map((u) => ({ userId: u.id, name: u.name, email: u.email }));
  }

  /** Mails a ticket's watchers (not the actor) after a public reply or a status change. */
  private async mailWatchers(ticketId: string, actorId: string, subject: string, text: string) {
    for (const userId of await this.links.watchers(ticketId)) {
      if (userId === actorId) continue;
      const u = await this.identity.getUser(userId).catch(() => undefined);
      if (u && !u.disabled) await this.notify({ to: u.email, subject, text });
    }
  }

  /**
   * Attaches a file to a ticket the actor can see (and may write to). The type is detected from the content;
   * the size limit is checked on the decoded bytes.
   */
  async attach(
    actor: Actor,
    id: string,
    input: { filename: string; data: string; messageId?: string },
    req: RequestInfo,
  ) {
    const t = await this.repo.find(id, tenantOf(actor));
    if (!t) throw Problem.notFound("Ticket");
    if (t.merged_into_id || t.status === "closed")
      throw Problem.conflict("Ticket is closed or merged; attach to an open ticket");
    const data = Buffer.from(input.data, "base64");
    if (data.length === 0) throw invalid("/data", "is empty or not base64");
    if (data.length > this.attachments.maxBytes)
      throw invalid("/data", `is larger than ${this.attachments.maxBytes} bytes`);
    if (input.messageId) {
      const messages = await this.repo.messages(id, isStaff(actor.role));
      if (!messages.some((m) => m.id === input.messageId))
        throw invalid("/messageId", "is not a message of this ticket");
    }
    const row = {
      id: uuidv7(),
      ticket_id: id,
      message_id: input.messageId ?? null,
      filename: safeFilename(input.filename),
      content_type: sniffContentType(data),
      size: data.length,
      sha256: await this.attachments.store.put(data),
      uploaded_by: actor.userId,
      created_at: this.clock.now().toISOString(),
    };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.attachments.repo.insert(row, trx);
      await this.after(trx, actor, req, t, "ticket.attachment.added", {
        attachmentId: row.id,
        filename: row.filename,
        size: row.size,
      });
    });
    return presentAttachment(row);
  }

  async attachmentsOf(actor: Actor, id: string) {
    if (!(await this.repo.find(id, tenantOf(actor)))) throw Problem.notFound("Ticket");
    return (await this.attachments.repo.of(id)).map(presentAttachment);
  }

  /** An attachment's metadata and a stream of its bytes, for a ticket the actor can see. */
  async download(actor: Actor, id: string, attachmentId: string) {
    if (!(await this.repo.find(id, tenantOf(actor)))) throw Problem.notFound("Ticket");
    const a = await this.attachments.repo.find(id, attachmentId);
    if (!a) throw Problem.notFound("Attachment");
    return { attachment: presentAttachment(a), stream: this.attachments.store.open(a.sha256) };
  }

  /** The ticket's SLA clocks now, computed from its events under the current plan, each explained. */
  async sla(actor: Actor, id: string) {
    const t = await this.repo.find(id, tenantOf(actor));
    if (!t) throw Problem.notFound("Ticket");
    const now = this.clock.now();
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const { clocks, plan, version, calendarVersions, policy, policyHistory } = await this.clocksOf(
      this.repo.db,
      t,
      await this.plan.timeline(),
      now,
    );
    return {
      ticketId: id,
      computedAt: now.toISOString(),
      planVersion: version,
      calendarVersions,
      policy,
      policyHistory,
      clocks: clocks.map((c) => ({
        kind: c.kind,
        tier: c.tier,
        calendar: c.calendar,
        calendarName: plan.calendars[c.calendar]?.name ?? c.calendar,
        status: c.status,
        startedAt: iso(c.startedAt)!,
        targetAt: iso(c.targetAt)!,
        breachAt: iso(c.breachAt)!,
        fulfilledAt: iso(c.fulfilledAt),
        breachedAt: iso(c.breachedAt),
        stoppedAt: iso(c.stoppedAt),
        targetBusinessMinutes: c.targetBusinessMinutes,
        breachBusinessMinutes: c.breachBusinessMinutes,
        elapsedBusinessMinutes: c.elapsedBusinessMinutes,
        remainingBusinessMinutes: c.remainingBusinessMinutes,
        pauses: c.pauses.map((p) => ({ from: iso(p.from)!, to: iso(p.to), reason: p.reason })),
      })),
    };
  }

  /**
   * Messages, SLA events and field history. System notes are written in the reader's language: the one
   * `Accept-Language` asks for when it names Portuguese or English, else the user's preference (pt-BR by default).
   */
  async timeline(actor: Actor, id: string, acceptLanguage?: string) {
    const t = await this.repo.find(id, tenantOf(actor));
    if (!t) throw Problem.notFound("Ticket");
    const locale =
      noteLocaleOf(acceptLanguage) ??
      noteLocaleOfPreference((await this.identity.getUser(actor.userId).catch(() => undefined))?.locale);
    const [messages, history, sla] = await Promise.all([
      this.repo.messages(id, isStaff(actor.role)),
      this.repo.history(id),
      this.repo.slaEvents(id),
    ]);
    return {
      messages: messages.map((m) => presentMessage(m, locale)),
      sla: sla.map((e) => ({ id: e.id, at: e.at, clock: e.clock, tier: e.tier, kind: e.kind })),
      history: history.map((h) => ({
        id: h.id,
        at: h.at,
        actorId: h.actor_user_id,
        field: h.field,
        before: h.before_value,
        after: h.after_value,
      })),
    };
  }
}

/** The ticket's SLA columns: the earliest breach among clocks still counting, and whether any clock breached. */
function slaColumns(clocks: SlaClock[]): Pick<TicketRow, "sla_due_at" | "sla_breached"> {
  const counting = clocks.filter((c) => c.status === "running" || c.status === "paused");
  const due = counting.length ? Math.min(...counting.map((c) => c.breachAt)) : null;
  return {
    sla_due_at: due === null ? null : new Date(due).toISOString(),
    sla_breached: clocks.some((c) => c.breachedAt !== null),
  };
}
