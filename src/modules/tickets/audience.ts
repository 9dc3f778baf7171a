import { Problem, ProblemType } from "../../platform/http/problems.js";
import { type Actor, tenantOf } from "../identity/actor.js";
import type { RequestInfo } from "./activity.js";
import type { PortalService } from "./portal-service.js";
import type { TicketFilter } from "./repository.js";
import type { NewTicket, TicketPatch, TicketService } from "./service.js";

/** Where customers go for what the staff routes keep to staff. */
export const PORTAL_PATH = "/api/v1/portal/tickets";

/** A staff-only ticket operation refused to a customer, pointing them to the portal API. */
export const customersUsePortal = (what: string) =>
  new Problem(
    403,
    ProblemType.forbidden,
    "Forbidden",
    `${what} is for the provider's staff; customers read and work on their tickets through ${PORTAL_PATH}`,
  );

const isCustomer = (actor: Actor) => tenantOf(actor) !== undefined;

/** Filters of the ticket list that would tell a customer the tier, team, assignee or internal SLA state. */
const staffFilters = ["tier", "team", "assignee", "breached", "dueBefore"] as const;

/**
 * Who gets what on the staff ticket routes (`/api/v1/tickets*`). Staff get the staff ticket. A customer (or
 * customer-admin) gets exactly the portal's shapes for what a customer tool may use (list, one ticket, its
 * public messages and files, opening, replying, status, attaching) over the portal's tickets (a customer-admin
 * the organization's, a customer theirs and those shared with them), and is refused everything else: SLA
 * clocks (tier clocks among them), links, watchers, merge, escalation.
 */
export class TicketAudience {
  constructor(
    private readonly tickets: TicketService,
    private readonly portal: PortalService,
  ) {}

  private staffOnly(actor: Actor, what: string) {
    if (isCustomer(actor)) throw customersUsePortal(what);
  }

  create(actor: Actor, input: NewTicket, req: RequestInfo) {
    return isCustomer(actor) ? this.portal.openById(actor, input, req) : this.tickets.create(actor, input, req);
  }

  async list(actor: Actor, filter: Omit<TicketFilter, "tenant">): Promise<Array<{ id: string }>> {
    if (!isCustomer(actor)) return this.tickets.list(actor, filter);
    const used = staffFilters.filter((f) => {
      const v = filter[f];
      return v !== undefined && !(Array.isArray(v) && v.length === 0);
    });
    if (used.length) throw customersUsePortal(`Filtering by ${used.join(", ")}`);
    return this.portal.listById(actor, filter);
  }

  get(actor: Actor, id: string) {
    return isCustomer(actor) ? this.portal.ticketById(actor, id) : this.tickets.get(actor, id);
  }

  update(actor: Actor, id: string, patch: TicketPatch, req: RequestInfo) {
    return isCustomer(actor)
      ? this.portal.updateById(actor, id, patch, req)
      : this.tickets.update(actor, id, patch, req);
  }

  addMessage(actor: Actor, id: string, input: Parameters<TicketService["addMessage"]>[2], req: RequestInfo) {
    return isCustomer(actor)
      ? this.portal.replyById(actor, id, input, req)
      : this.tickets.addMessage(actor, id, input, req);
  }

  timeline(actor: Actor, id: string, acceptLanguage: string | undefined) {
    return isCustomer(actor) ? this.portal.messagesById(actor, id) : this.tickets.timeline(actor, id, acceptLanguage);
  }

  attach(actor: Actor, id: string, input: { filename: string; data: string; messageId?: string }, req: RequestInfo) {
    return isCustomer(actor)
      ? this.portal.attachById(actor, id, input, req)
      : this.tickets.attach(actor, id, input, req);
  }

  attachmentsOf(actor: Actor, id: string) {
    return isCustomer(actor) ? this.portal.attachmentsById(actor, id) : this.tickets.attachmentsOf(actor, id);
  }

  download(actor: Actor, id: string, attachmentId: string) {
    return isCustomer(actor)
      ? this.portal.downloadById(actor, id, attachmentId)
      : this.tickets.download(actor, id, attachmentId);
  }

  sla(actor: Actor, id: string) {
    this.staffOnly(actor, "The ticket's SLA clocks (tier clocks included)");
    return this.tickets.sla(actor, id);
  }

  linksOf(actor: Actor, id: string) {
    this.staffOnly(actor, "Ticket links");
    return this.tickets.linksOf(actor, id);
  }

  link(actor: Actor, id: string, input: Parameters<TicketService["link"]>[2], req: RequestInfo) {
    this.staffOnly(actor, "Linking tickets");
    return this.tickets.link(actor, id, input, req);
  }

  unlink(actor: Actor, id: string, linkId: string, req: RequestInfo) {
    this.staffOnly(actor, "Unlinking tickets");
    return this.tickets.unlink(actor, id, linkId, req);
  }

  watchersOf(actor: Actor, id: string) {
    this.staffOnly(actor, "The watcher list");
    return this.tickets.watchersOf(actor, id);
  }

  watch(actor: Actor, id: string, userId: string | undefined, req: RequestInfo) {
    this.staffOnly(actor, "Watching through the staff routes");
    return this.tickets.watch(actor, id, userId, req);
  }

  unwatch(actor: Actor, id: string, userId: string, req: RequestInfo) {
    this.staffOnly(actor, "Unwatching through the staff routes");
    return this.tickets.unwatch(actor, id, userId, req);
  }

  merge(actor: Actor, id: string, intoId: string, req: RequestInfo) {
    this.staffOnly(actor, "Merging tickets");
    return this.tickets.merge(actor, id, intoId, req);
  }

  escalate(actor: Actor, id: string, tier: "L1" | "L2" | "L3", reason: string, req: RequestInfo) {
    this.staffOnly(actor, "Escalating tickets");
    return this.tickets.escalate(actor, id, tier, reason, req);
  }
}
