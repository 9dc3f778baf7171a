import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import { type Actor, forbidden, tenantOf } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { RequestInfo, TicketActivity } from "./activity.js";
import type { TicketLinkRepository } from "./links-repository.js";
import type { TicketRepository } from "./repository.js";

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

/** How a link reads from the ticket it is asked about. */
export type LinkKind = "related" | "duplicate_of" | "duplicated_by" | "parent_of" | "child_of";
const linkKinds = { related: "related", duplicate_of: "duplicate", parent_of: "parent" } as const;

/** Links between tickets and a ticket's watchers. */
export class TicketLinkService {
  constructor(
    private readonly repo: TicketRepository,
    private readonly links: TicketLinkRepository,
    private readonly identity: DirectoryService,
    private readonly clock: Clock,
    private readonly activity: TicketActivity,
  ) {}

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
      await this.activity.after(trx, actor, req, a, "ticket.linked", { other: b.id, kind: input.kind });
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
      await this.activity.after(trx, actor, req, t, "ticket.unlinked", { link: linkId });
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
      await this.activity.after(trx, actor, req, t, "ticket.watcher.added", { userId: who });
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
      await this.activity.after(trx, actor, req, t, "ticket.watcher.removed", { userId });
    });
  }

  async watchersOf(actor: Actor, id: string) {
    if (!(await this.repo.find(id, tenantOf(actor)))) throw Problem.notFound("Ticket");
    const users = await Promise.all((await this.links.watchers(id)).map((u) => this.identity.getUser(u)));
    return users.map((u) => ({ userId: u.id, name: u.name, email: u.email }));
  }
}
