import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import { type Actor, forbidden, tenantOf } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { Notifier } from "../notifications/service.js";
import type { PlanService } from "../plan/service.js";
import type { TimerService } from "../timers/service.js";
import { type RequestInfo, TicketActivity } from "./activity.js";
import { type AttachmentRepository, type AttachmentStore, presentAttachment } from "./attachments.js";
import { TicketChanges } from "./bulk-writes.js";
import { ticketChange } from "./changes.js";
import type { TicketLinkRepository } from "./links-repository.js";
import { type LinkKind, TicketLinkService } from "./links-service.js";
import { checkMentions } from "./mentions.js";
import type { Channel, Severity, Status } from "./model.js";
import { presentMessage, presentTicket } from "./presenters.js";
import { QueueRepository } from "./queue-repository.js";
import type { MessageRow, TicketFilter, TicketRepository, TicketRow } from "./repository.js";
import { computeSla, slaColumns, TicketSlaService } from "./sla-service.js";
import { safeFilename, sniffContentType } from "./sniff.js";
import { noteLocaleOf, noteLocaleOfPreference, type SystemNote, storedNote } from "./system-notes.js";
import { withNames } from "./timeline-names.js";
import { TicketTriage } from "./triage.js";

export interface NewTicket {
  subject: string;
  description: string;
  organizationId?: string;
  requester?: { name: string; email?: string; phone?: string };
  /** A user of the organization who asked (staff pick them by contact search); they watch the ticket. */
  requesterId?: string;
  channel?: Channel;
  type: string;
  severity: Severity;
  tier?: "L1" | "L2" | "L3";
  assigneeId?: string | null;
  team?: string | null;
  tags?: string[];
}

export interface NewMessage {
  body: string;
  visibility: "public" | "internal";
  kind?: "reply" | "phone_call" | "chat";
  mentions?: string[];
  /** The channel of a contact made outside the ticket's own (a scheduled call logged by its engineer). */
  channel?: Channel;
}

/** Who a message that came through a channel is from: an account, or a bare address (null). */
export interface MessageOrigin {
  channel: Channel;
  authorUserId: string | null;
  authorKind: "customer" | "agent";
  /** Written by a machine (an auto-reply): stored as an internal note, reopens nothing, answered by nobody. */
  automatic: boolean;
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

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

export interface TicketAttachments {
  repo: AttachmentRepository;
  store: AttachmentStore;
  maxBytes: number;
}

export interface TicketServiceDeps {
  repo: TicketRepository;
  directory: DirectoryService;
  audit: AuditService;
  events: EventBus;
  clock: Clock;
  plan: PlanService;
  timers: TimerService;
  /** The notification outbox: mail to watchers and escalation recipients is queued and retried there. */
  notifier: Notifier;
  links: TicketLinkRepository;
  attachments: TicketAttachments;
}

/** The `sla.deadline` job of tickets armed before they moved onto timers; still run when such a job is due. */
export const DEADLINE_JOB = "sla.deadline";

/** Tickets: creation, changes with their history, messages and escalation between tiers. */
export class TicketService {
  private readonly repo: TicketRepository;
  private readonly identity: DirectoryService;
  private readonly clock: Clock;
  private readonly plan: PlanService;
  private readonly links: TicketLinkRepository;
  private readonly attachments: TicketAttachments;

  constructor(deps: TicketServiceDeps) {
    this.repo = deps.repo;
    this.identity = deps.directory;
    this.clock = deps.clock;
    this.plan = deps.plan;
    this.links = deps.links;
    this.attachments = deps.attachments;
    this.activity = new TicketActivity(deps.audit, deps.events);
    this.slaClocks = new TicketSlaService(
      deps.repo,
      deps.directory,
      deps.events,
      deps.clock,
      deps.plan,
      deps.timers,
      deps.notifier,
    );
    this.linkService = new TicketLinkService(deps.repo, deps.links, deps.directory, deps.clock, this.activity);
    this.triage = new TicketTriage(deps.repo.db, deps.directory, deps.plan, deps.audit, deps.clock);
    this.texts = new QueueRepository(deps.repo.db, deps.repo.dialect);
    this.changes = new TicketChanges(deps.repo, deps.clock, this.activity, this.slaClocks);
  }

  /** A bulk action's chunks: checked in memory, written set-based. */
  readonly changes: TicketChanges;

  /** Routing rules that place new tickets. */
  readonly triage: TicketTriage;
  private readonly texts: QueueRepository;

  private readonly activity: TicketActivity;
  private readonly slaClocks: TicketSlaService;
  private readonly linkService: TicketLinkService;

  private async checkAssignee(id: string | null | undefined, pointer: string) {
    if (!id) return;
    const user = await this.identity.getUser(id).catch(() => undefined);
    if (!user || !isStaff(user.role) || user.disabled) throw invalid(pointer, "must be an active staff user");
  }

  async create(actor: Actor, input: NewTicket, req: RequestInfo) {
    const write = await this.prepareCreate(actor, input, req);
    return this.repo.db.transaction().execute(write);
  }

  /**
   * A new ticket in two steps: the checks and reads now, the writes in a transaction the caller may share with
   * its own writes (a call step and the ticket it opens commit together). The writes read nothing outside it.
   */
  async prepareCreate(
    actor: Actor,
    input: NewTicket,
    req: RequestInfo,
  ): Promise<(trx: Kysely<DB>) => Promise<ReturnType<typeof presentTicket>>> {
    const tenant = tenantOf(actor);
    if (tenant && input.organizationId && input.organizationId !== tenant) throw Problem.notFound("Organization");
    const organizationId = tenant ?? input.organizationId;
    if (!organizationId) throw invalid("/organizationId", "is required when staff open a ticket");
    const org = await this.identity.getOrganization(organizationId);
    if (tenant && (input.assigneeId || input.team || input.tier)) {
      throw forbidden("Customers cannot set the assignee, team or tier");
    }
    await this.checkAssignee(input.assigneeId, "/assigneeId");
    const requesterUser = await this.requesterOf(actor, input, org.id);
    const created = this.clock.now();
    const now = created.toISOString();
    const requester =
      input.requester ??
      (requesterUser
        ? { name: requesterUser.name, email: requesterUser.email }
        : { name: actor.name, email: actor.email });
    const channel = input.channel ?? (tenant ? "portal" : "api");
    const versions = await this.plan.timeline();
    const id = uuidv7();
    const routed = await this.triage.route({
      type: input.type,
      severity: input.severity,
      organizationId: org.id,
      channel,
    });
    return async (trx) => {
      const ticket: TicketRow = {
        id,
        number: await this.repo.nextNumber(trx),
        organization_id: org.id,
        requester_user_id: requesterUser?.id ?? (tenant || !input.requester ? actor.userId : null),
        requester_contact: JSON.stringify(requester),
        subject: input.subject,
        description: input.description,
        channel,
        type: input.type,
        severity: input.severity,
        tier: input.tier ?? routed.tier,
        status: "new",
        assignee_user_id: input.assigneeId !== undefined ? input.assigneeId : routed.assigneeId,
        team: input.team !== undefined ? input.team : routed.team,
        tags: JSON.stringify(input.tags ?? []),
        merged_into_id: null,
        first_response_at: null,
        resolved_at: null,
        closed_at: null,
        sla_due_at: null,
        sla_breached: false,
        created_at: now,
        updated_at: now,
        sla_calendar: routed.calendar,
      };
      // The clocks of a new ticket depend on the row alone, so its SLA columns go in with the insert.
      const computed = computeSla(ticket, { history: [], messages: [] }, versions, created);
      Object.assign(ticket, slaColumns(computed.clocks));
      await this.repo.insert(ticket, trx);
      // The requester hears of replies and status changes on their ticket.
      if (ticket.requester_user_id) await this.links.watch(id, ticket.requester_user_id, now, trx);
      await this.activity.publish(trx, ticket, "ticket.created", { actorId: actor.userId });
      await this.slaClocks.arm(trx, ticket, computed, created, new Set());
      // Last: the audit chain's append lock is then held only until the commit that follows.
      await this.activity.record(trx, actor, req, ticket, "ticket.created", { number: ticket.number });
      return presentTicket(ticket);
    };
  }

  /** The requester picked by staff: an active user of the ticket's organization. */
  private async requesterOf(actor: Actor, input: NewTicket, organizationId: string) {
    if (!input.requesterId) return undefined;
    if (tenantOf(actor)) throw forbidden("Customers open tickets as themselves");
    const user = await this.identity.getUser(input.requesterId).catch(() => undefined);
    if (!user || user.disabled || user.organizationId !== organizationId)
      throw invalid("/requesterId", "must be an active user of the ticket's organization");
    return user;
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

  /** `executor`: read inside the caller's transaction (which may hold a lock the answer depends on). */
  async get(actor: Actor, id: string, executor?: Kysely<DB>) {
    const t = await this.repo.find(id, tenantOf(actor), executor);
    if (!t) throw Problem.notFound("Ticket");
    return presentTicket(t);
  }

  /** The ticket of that number, if the actor may see it. */
  async getByNumber(actor: Actor, number: number) {
    const t = await this.repo.findByNumber(number, tenantOf(actor));
    return t ? presentTicket(t) : undefined;
  }

  async list(actor: Actor, filter: Omit<TicketFilter, "tenant">) {
    return (await this.repo.list({ ...filter, tenant: tenantOf(actor) })).map(presentTicket);
  }

  async update(actor: Actor, id: string, patch: TicketPatch, req: RequestInfo, systemNote?: SystemNote) {
    const prepared = await this.prepareUpdate(patch);
    const result = await this.repo.db
      .transaction()
      .execute((trx) => this.applyUpdate(trx, actor, id, () => patch, req, prepared, systemNote));
    return presentTicket(result);
  }

  /** What every change of a patch needs checked or read before its transaction: once for a bulk change. */
  async prepareUpdate(patch: Pick<TicketPatch, "assigneeId">) {
    await this.checkAssignee(patch.assigneeId, "/assigneeId");
    return { versions: await this.plan.timeline() };
  }

  /**
   * One ticket's change inside the caller's transaction, reading only through it (bulk changes run many in one
   * transaction, each under a savepoint). `patchOf` sees the ticket as it is, for changes relative to it (tags).
   */
  async applyUpdate(
    trx: Kysely<DB>,
    actor: Actor,
    id: string,
    patchOf: (before: TicketRow) => TicketPatch,
    req: RequestInfo,
    { versions }: Awaited<ReturnType<TicketService["prepareUpdate"]>>,
    systemNote?: SystemNote,
  ): Promise<TicketRow> {
    const tenant = tenantOf(actor);
    const now = this.clock.now().toISOString();
    const before = await this.repo.find(id, tenant, trx);
    if (!before) throw Problem.notFound("Ticket");
    const { after, history } = ticketChange(actor, before, patchOf(before), now);
    if (!history.length) return before;
    await this.repo.updateChanged(before, after, trx);
    await this.repo.insertHistory(history, trx);
    if (systemNote) await this.insertSystemNote(trx, id, actor.userId, systemNote, now);
    await this.activity.after(trx, actor, req, after, "ticket.updated", {
      changes: history.map((h) => ({ field: h.field, before: h.before_value, after: h.after_value })),
      actorId: actor.userId,
    });
    return { ...after, ...(await this.slaClocks.refresh(trx, after, versions)) };
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

  /**
   * Adds a message. `origin` is for a message that arrived through a channel (an email) on behalf of its author,
   * who may have no account: an automatic one (an auto-reply) is kept as an internal note and changes nothing.
   */
  async addMessage(actor: Actor, id: string, input: NewMessage, req: RequestInfo, origin?: MessageOrigin) {
    const write = await this.prepareMessage(actor, input, req, origin);
    return this.repo.db.transaction().execute((trx) => write(trx, id));
  }

  /** A message in two steps, like `prepareCreate`: the checks now, the writes on ticket `id` in the caller's transaction. */
  async prepareMessage(
    actor: Actor,
    input: NewMessage,
    req: RequestInfo,
    origin?: MessageOrigin,
  ): Promise<(trx: Kysely<DB>, id: string) => Promise<ReturnType<typeof presentMessage>>> {
    const tenant = tenantOf(actor);
    if (tenant && input.visibility === "internal") throw forbidden("Customers cannot write internal notes");
    const mentions = await checkMentions(this.identity, actor, input.mentions);
    const now = this.clock.now().toISOString();
    const staff = origin ? origin.authorKind === "agent" && !origin.automatic : isStaff(actor.role);
    const versions = await this.plan.timeline();
    return async (trx, id) => {
      const t = await this.repo.find(id, tenant, trx);
      if (!t) throw Problem.notFound("Ticket");
      if (t.merged_into_id) throw Problem.conflict("Ticket was merged into another ticket; reply there");
      if (t.status === "closed") throw Problem.conflict("Ticket is closed; reopen it first");
      const message: MessageRow = {
        id: uuidv7(),
        ticket_id: id,
        author_user_id: origin ? origin.authorUserId : actor.userId,
        author_kind: staff ? "agent" : "customer",
        visibility: input.visibility,
        kind: input.visibility === "internal" ? "note" : (input.kind ?? "reply"),
        body: input.body,
        body_key: null,
        body_params: null,
        created_at: now,
      };
      await this.repo.insertMessage(message, trx);
      await this.texts.appendText(trx, Number(t.number), message.visibility, message.body);
      const patch: Partial<TicketRow> = { updated_at: now };
      // First response is a public agent reply (or a logged answered call), never an internal note.
      if (staff && input.visibility === "public" && !t.first_response_at) patch.first_response_at = now;
      if (staff && input.visibility === "public" && t.status === "new") patch.status = "open";
      if (!staff && !origin?.automatic && (t.status === "pending_customer" || t.status === "resolved"))
        patch.status = "open";
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
      await this.activity.after(trx, actor, req, t, "ticket.message.created", {
        messageId: message.id,
        visibility: message.visibility,
        kind: message.kind,
        ...(mentions.length ? { mentions } : {}),
        ...(origin ? { channel: origin.channel } : input.channel ? { channel: input.channel } : {}),
      });
      await this.slaClocks.refresh(trx, { ...t, ...patch }, versions);
      return presentMessage(message);
    };
  }

  link(actor: Actor, id: string, input: { ticketId: string; kind: LinkKind }, req: RequestInfo) {
    return this.linkService.link(actor, id, input, req);
  }

  unlink(actor: Actor, id: string, linkId: string, req: RequestInfo) {
    return this.linkService.unlink(actor, id, linkId, req);
  }

  linksOf(actor: Actor, id: string) {
    return this.linkService.linksOf(actor, id);
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
      await this.repo.updateChanged(source, after, trx);
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
      await this.activity.after(trx, actor, req, after, "ticket.merged", {
        into: target.id,
        intoNumber: Number(target.number),
      });
      return { ...after, ...(await this.slaClocks.refresh(trx, after, versions)) };
    });
    return presentTicket(merged);
  }

  watch(actor: Actor, id: string, userId: string | undefined, req: RequestInfo) {
    return this.linkService.watch(actor, id, userId, req);
  }

  unwatch(actor: Actor, id: string, userId: string, req: RequestInfo) {
    return this.linkService.unwatch(actor, id, userId, req);
  }

  watchersOf(actor: Actor, id: string) {
    return this.linkService.watchersOf(actor, id);
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
      await this.activity.after(trx, actor, req, t, "ticket.attachment.added", {
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
    return this.slaClocks.view(t);
  }

  /** A ticket's clocks for a reader that is not a request (the notifications' promised due time). */
  slaOf(t: TicketRow) {
    return this.slaClocks.view(t);
  }

  /** Runs a ticket's deadline now, as its timer does when it fires: announces nothing twice. */
  onDeadline(ticketId: string): Promise<void> {
    return this.slaClocks.onDeadline(ticketId);
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
    return withNames(this.identity, {
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
    });
  }
}
