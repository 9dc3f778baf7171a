import { Problem } from "../../platform/http/problems.js";
import { type Actor, forbidden } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import type { PlanService } from "../plan/service.js";
import type { RequestInfo } from "./activity.js";
import type { CsatService } from "./csat-service.js";
import {
  customerSla,
  presentCustomerAttachment,
  presentCustomerMessage,
  presentCustomerTicket,
} from "./customer-presenters.js";
import { openStatuses, type Severity, ticketTypes } from "./model.js";
import type { PortalReader, PortalRepository } from "./portal-repository.js";
import type { TicketRepository } from "./repository.js";
import type { TicketService } from "./service.js";

export interface PortalServiceDeps {
  repo: PortalRepository;
  tickets: TicketService;
  ticketRows: TicketRepository;
  directory: DirectoryService;
  csat: CsatService;
  plan: PlanService;
}

export const portalViews = ["open", "closed", "all", "shared"] as const;
export type PortalView = (typeof portalViews)[number];

/**
 * The customer portal over the ticket service: customer-admins read every ticket of their organization,
 * customers the ones they requested or that were shared with them (they watch). Every answer goes through the
 * customer presenters.
 */
export class PortalService {
  private readonly deps: PortalServiceDeps;

  constructor(deps: PortalServiceDeps) {
    this.deps = deps;
  }

  private reader(actor: Actor): PortalReader {
    if (actor.role === "customer-admin") return { organizationId: actor.organizationId };
    if (actor.role === "customer") return { organizationId: actor.organizationId, userId: actor.userId };
    throw forbidden("The portal is for customers");
  }

  private async row(actor: Actor, number: number) {
    const t = await this.deps.repo.byNumber(this.reader(actor), number);
    if (!t) throw Problem.notFound("Ticket");
    return t;
  }

  private async present(actor: Actor, t: Awaited<ReturnType<PortalService["row"]>>) {
    const sla = await this.deps.tickets.sla(actor, t.id).catch(() => null);
    return presentCustomerTicket(t, sla ? customerSla(sla.clocks) : null, t.requester_user_id === actor.userId);
  }

  /**
   * The customer's view of the staff routes (`/api/v1/tickets/:id...`): the same tickets and shapes as the
   * portal, with the ticket's own id those routes address it by.
   */
  async byId(actor: Actor, id: string) {
    const t = await this.deps.repo.byId(this.reader(actor), id);
    if (!t) throw Problem.notFound("Ticket");
    return t;
  }

  async ticketById(actor: Actor, id: string) {
    const t = await this.byId(actor, id);
    return { id: t.id, ...(await this.present(actor, t)) };
  }

  /** `GET /api/v1/tickets` for a customer: newest first by id, as the staff list pages. */
  async listById(
    actor: Actor,
    f: { status?: string[]; severity?: string[]; q?: string; organization?: string; before?: string; limit: number },
  ) {
    const reader = this.reader(actor);
    if (f.organization && f.organization !== reader.organizationId) return [];
    const rows = await this.deps.repo.list(reader, {
      statuses: f.status,
      severities: f.severity,
      q: f.q,
      byId: true,
      beforeId: f.before,
      limit: f.limit,
    });
    return Promise.all(rows.map(async (t) => ({ id: t.id, ...(await this.present(actor, t)) })));
  }

  /** The public conversation with its authors' names; never notes, field history or SLA clock events. */
  async messagesById(actor: Actor, id: string) {
    const t = await this.byId(actor, id);
    return { messages: await this.publicMessages(t.id) };
  }

  private async publicMessages(ticketId: string) {
    const messages = await this.deps.ticketRows.messages(ticketId, false);
    const names = new Map<string, string>();
    for (const id of new Set(messages.flatMap((m) => (m.author_user_id ? [m.author_user_id] : [])))) {
      names.set(id, (await this.deps.directory.getUser(id).catch(() => undefined))?.name ?? "");
    }
    return messages.map((m) => presentCustomerMessage(m, names.get(m.author_user_id ?? "") ?? ""));
  }

  /** Files on the ticket itself or on a public message: a file attached to an internal note stays internal. */
  async attachmentsById(actor: Actor, id: string) {
    const t = await this.byId(actor, id);
    return this.publicAttachments(actor, t.id);
  }

  private async publicAttachments(actor: Actor, ticketId: string) {
    const [messages, attachments] = await Promise.all([
      this.deps.ticketRows.messages(ticketId, false),
      this.deps.tickets.attachmentsOf(actor, ticketId),
    ]);
    const publicIds = new Set(messages.map((m) => m.id));
    return attachments.filter((a) => a.messageId === null || publicIds.has(a.messageId)).map(presentCustomerAttachment);
  }

  async downloadById(actor: Actor, id: string, attachmentId: string) {
    const t = await this.byId(actor, id);
    if (!(await this.publicAttachments(actor, t.id)).some((a) => a.id === attachmentId))
      throw Problem.notFound("Attachment");
    return this.deps.tickets.download(actor, t.id, attachmentId);
  }

  async openById(actor: Actor, input: Parameters<TicketService["create"]>[1], req: RequestInfo) {
    this.reader(actor);
    const created = await this.deps.tickets.create(actor, input, req);
    return this.ticketById(actor, created.id);
  }

  async updateById(actor: Actor, id: string, patch: Parameters<TicketService["update"]>[2], req: RequestInfo) {
    const t = await this.byId(actor, id);
    await this.deps.tickets.update(actor, t.id, patch, req);
    return this.ticketById(actor, t.id);
  }

  async replyById(actor: Actor, id: string, input: Parameters<TicketService["addMessage"]>[2], req: RequestInfo) {
    const t = await this.byId(actor, id);
    const m = await this.deps.tickets.addMessage(actor, t.id, input, req);
    return presentCustomerMessage(
      { author_kind: m.authorKind, kind: m.kind, body: m.body, created_at: m.createdAt },
      actor.name,
    );
  }

  async attachById(
    actor: Actor,
    id: string,
    input: { filename: string; data: string; messageId?: string },
    req: RequestInfo,
  ) {
    const t = await this.byId(actor, id);
    return presentCustomerAttachment(await this.deps.tickets.attach(actor, t.id, input, req));
  }

  async list(actor: Actor, f: { view?: PortalView; q?: string; cursor?: string; limit: number }) {
    const view = f.view ?? "all";
    const statuses = view === "open" ? openStatuses : view === "closed" ? (["resolved", "closed"] as const) : undefined;
    const beforeNumber = f.cursor && /^\d{1,15}$/.test(f.cursor) ? Number(f.cursor) : undefined;
    const rows = await this.deps.repo.list(this.reader(actor), {
      statuses,
      sharedOnly: view === "shared",
      q: f.q,
      beforeNumber,
      limit: f.limit + 1,
    });
    const page = rows.slice(0, f.limit);
    return {
      items: await Promise.all(page.map((t) => this.present(actor, t))),
      nextCursor: rows.length > f.limit ? String(Number(page.at(-1)!.number)) : null,
    };
  }

  async open(
    actor: Actor,
    input: { subject: string; description: string; type: string; severity: Severity },
    req: RequestInfo,
  ) {
    this.reader(actor);
    const created = await this.deps.tickets.create(actor, input, req);
    return this.present(actor, await this.row(actor, created.number));
  }

  /** One ticket with its public conversation, attachments and survey. */
  async get(actor: Actor, number: number) {
    const t = await this.row(actor, number);
    const [messages, attachments, surveys] = await Promise.all([
      this.publicMessages(t.id),
      this.publicAttachments(actor, t.id),
      this.deps.csat.ofTicket(t.id),
    ]);
    const survey = surveys.at(-1);
    return {
      ticket: await this.present(actor, t),
      messages,
      attachments,
      watching: (await this.deps.tickets.watchersOf(actor, t.id)).some((w) => w.userId === actor.userId),
      links: await this.visibleLinks(actor, t.id),
      survey: survey
        ? { status: survey.status, rating: survey.rating, comment: survey.comment, ratedAt: survey.ratedAt }
        : null,
    };
  }

  /** Links to tickets this reader may see too (a customer: theirs and those shared with them), by number. */
  private async visibleLinks(actor: Actor, ticketId: string) {
    const links = await this.deps.tickets.linksOf(actor, ticketId);
    const reader = this.reader(actor);
    const seen = await Promise.all(links.map((l) => this.deps.repo.byNumber(reader, l.number)));
    return links
      .filter((_, i) => seen[i] !== undefined)
      .map((l) => ({ kind: l.kind, number: l.number, subject: l.subject, status: l.status }));
  }

  /** Watch (be mailed about replies and status changes) or stop watching a ticket the reader sees. */
  async setWatching(actor: Actor, number: number, watching: boolean, req: RequestInfo) {
    const t = await this.row(actor, number);
    const now = (await this.deps.tickets.watchersOf(actor, t.id)).some((w) => w.userId === actor.userId);
    if (watching && !now) await this.deps.tickets.watch(actor, t.id, undefined, req);
    if (!watching && now) await this.deps.tickets.unwatch(actor, t.id, actor.userId, req);
    return { watching };
  }

  async reply(actor: Actor, number: number, body: string, req: RequestInfo) {
    const t = await this.row(actor, number);
    const m = await this.deps.tickets.addMessage(actor, t.id, { body, visibility: "public" }, req);
    return presentCustomerMessage(
      { author_kind: m.authorKind, kind: m.kind, body: m.body, created_at: m.createdAt },
      actor.name,
    );
  }

  /** Reopen, resolve or close: the statuses a customer may set. */
  async setStatus(actor: Actor, number: number, status: "open" | "resolved" | "closed", req: RequestInfo) {
    const t = await this.row(actor, number);
    await this.deps.tickets.update(actor, t.id, { status }, req);
    return this.present(actor, await this.row(actor, number));
  }

  async attach(actor: Actor, number: number, input: { filename: string; data: string }, req: RequestInfo) {
    const t = await this.row(actor, number);
    return presentCustomerAttachment(await this.deps.tickets.attach(actor, t.id, input, req));
  }

  async download(actor: Actor, number: number, attachmentId: string) {
    const t = await this.row(actor, number);
    const visible = (await this.get(actor, number)).attachments.some((a) => a.id === attachmentId);
    if (!visible) throw Problem.notFound("Attachment");
    return this.deps.tickets.download(actor, t.id, attachmentId);
  }

  async rate(actor: Actor, number: number, input: { rating: number; comment?: string }) {
    const t = await this.row(actor, number);
    const s = await this.deps.csat.rateTicket(t.id, input);
    return { status: s.status, rating: s.rating, comment: s.comment, ratedAt: s.ratedAt };
  }

  /** What the new-ticket form explains: the plan's severities with their promised times, and the types. */
  async guide() {
    const plan = (await this.deps.plan.current()).document;
    return {
      severities: (["critical", "high", "medium", "low"] as const).map((id) => {
        const s = plan.severities[id];
        return {
          id,
          name: s.name,
          description: s.description,
          response: s.response,
          resolution: s.resolution,
          calendarName: plan.calendars[s.calendar]?.name ?? s.calendar,
          alwaysOpen: Boolean(plan.calendars[s.calendar]?.alwaysOpen),
        };
      }),
      types: [...ticketTypes],
    };
  }
}
