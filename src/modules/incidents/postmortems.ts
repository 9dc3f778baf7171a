import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import { type Actor, forbidden } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { TicketService } from "../tickets/service.js";
import { maySecurityWrite, presentActionItem, presentPostmortem } from "./model.js";
import type { ActionItemRow, IncidentRepository } from "./repository.js";
import type { IncidentService, RequestInfo } from "./service.js";

export interface PostmortemInput {
  summary: string;
  impact: string;
  timeline: string;
  rootCause: string;
  wentWell: string;
  wentBadly: string;
}

/** An incident's postmortem and its action items, tracked to done; an item can become a ticket. */
export class PostmortemService {
  private readonly repo: IncidentRepository;
  private readonly incidents: IncidentService;
  private readonly tickets: TicketService;
  private readonly directory: DirectoryService;
  private readonly audit: AuditService;
  private readonly clock: Clock;

  constructor(deps: {
    incidents: IncidentService;
    tickets: TicketService;
    directory: DirectoryService;
    audit: AuditService;
    clock: Clock;
  }) {
    this.incidents = deps.incidents;
    this.repo = deps.incidents.repo;
    this.tickets = deps.tickets;
    this.directory = deps.directory;
    this.audit = deps.audit;
    this.clock = deps.clock;
  }

  private async writable(actor: Actor, id: string) {
    const row = await this.incidents.row(actor, id);
    if (row.kind === "security" && !maySecurityWrite(actor)) throw forbidden();
    return row;
  }

  /** An owner is an active staff user: the work is the provider's. */
  private async checkOwner(ownerId: string | null | undefined) {
    if (!ownerId) return;
    const user = await this.directory.getUser(ownerId).catch(() => undefined);
    if (!user || !isStaff(user.role) || user.disabled) {
      throw Problem.invalid({ in: "body", pointer: "/ownerId", message: "must be an active staff user" });
    }
  }

  async get(actor: Actor, id: string) {
    await this.incidents.row(actor, id);
    const [pm, items] = await Promise.all([this.repo.postmortemOf(id), this.repo.actionItemsOf(id)]);
    return presentPostmortem(pm, items);
  }

  async save(actor: Actor, id: string, input: PostmortemInput, req: RequestInfo) {
    await this.writable(actor, id);
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.savePostmortem(
        {
          incident_id: id,
          summary: input.summary,
          impact: input.impact,
          timeline: input.timeline,
          root_cause: input.rootCause,
          went_well: input.wentWell,
          went_badly: input.wentBadly,
          updated_by: actor.userId,
          updated_at: this.clock.now().toISOString(),
        },
        trx,
      );
      await this.audit.record(
        { action: "incident.postmortem.saved", actor, target: { type: "incident", id }, request: req },
        trx,
      );
    });
    return this.get(actor, id);
  }

  async addItem(
    actor: Actor,
    id: string,
    input: { title: string; ownerId?: string | null; dueAt?: string | null },
    req: RequestInfo,
  ) {
    await this.writable(actor, id);
    await this.checkOwner(input.ownerId);
    const now = this.clock.now().toISOString();
    const row: ActionItemRow = {
      id: uuidv7(),
      incident_id: id,
      title: input.title,
      owner_user_id: input.ownerId ?? null,
      due_at: input.dueAt ? new Date(input.dueAt).toISOString() : null,
      done_at: null,
      ticket_id: null,
      created_at: now,
      updated_at: now,
    };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.insertActionItem(row, trx);
      await this.audit.record(
        {
          action: "incident.action_item.added",
          actor,
          target: { type: "incident", id },
          request: req,
          details: { itemId: row.id },
        },
        trx,
      );
    });
    return presentActionItem(row);
  }

  async updateItem(
    actor: Actor,
    id: string,
    itemId: string,
    patch: { title?: string; ownerId?: string | null; dueAt?: string | null; done?: boolean },
    req: RequestInfo,
  ) {
    await this.writable(actor, id);
    await this.checkOwner(patch.ownerId);
    const before = await this.repo.findActionItem(id, itemId);
    if (!before) throw Problem.notFound("Action item");
    const now = this.clock.now().toISOString();
    const after: ActionItemRow = {
      ...before,
      title: patch.title ?? before.title,
      owner_user_id: patch.ownerId === undefined ? before.owner_user_id : patch.ownerId,
      due_at:
        patch.dueAt === undefined ? before.due_at : patch.dueAt === null ? null : new Date(patch.dueAt).toISOString(),
      done_at: patch.done === undefined ? before.done_at : patch.done ? (before.done_at ?? now) : null,
      updated_at: now,
    };
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.updateActionItem(itemId, after, trx);
      await this.audit.record(
        {
          action: "incident.action_item.updated",
          actor,
          target: { type: "incident", id },
          request: req,
          details: { itemId, fields: Object.keys(patch) },
        },
        trx,
      );
    });
    return presentActionItem(after);
  }

  /** The item becomes a ticket of the provider's own organization (the fix is the provider's work). */
  async toTicket(actor: Actor, id: string, itemId: string, req: RequestInfo) {
    const incident = await this.writable(actor, id);
    const item = await this.repo.findActionItem(id, itemId);
    if (!item) throw Problem.notFound("Action item");
    if (item.ticket_id) throw Problem.conflict("The action item is already a ticket");
    const ticket = await this.tickets.create(
      actor,
      {
        subject: item.title,
        description: `Action item of the incident "${incident.title}" (${incident.id}).`,
        organizationId: actor.organizationId,
        type: "bug",
        severity: "medium",
        assigneeId: item.owner_user_id,
      },
      req,
    );
    const now = this.clock.now().toISOString();
    await this.repo.db.transaction().execute(async (trx) => {
      await this.repo.updateActionItem(itemId, { ticket_id: ticket.id, updated_at: now }, trx);
    });
    return presentActionItem({ ...item, ticket_id: ticket.id, updated_at: now });
  }
}
