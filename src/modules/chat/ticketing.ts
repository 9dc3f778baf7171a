import type { Logger } from "pino";
import type { Actor } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { openStatuses } from "../tickets/model.js";
import type { TicketService } from "../tickets/service.js";
import { type ChatLocale, portalUserOf, transcriptOf } from "./model.js";
import type { ChatRepository, ConversationRow } from "./repository.js";
import type { ChatSites, Visitor } from "./sites.js";

const noRequest = { ip: "", headers: {} };

/**
 * Who acts for the chat channel when no person does (an offline form, a chat nobody answered): it writes as the
 * provider, with no user behind it, so the ticket's audit entry reads "chat" and its events name no actor.
 */
function channelActor(organizationId: string): Actor {
  return {
    userId: null as unknown as string,
    email: "chat",
    name: "Chat",
    role: "agent",
    organizationId,
    tier: null,
    teams: [],
    via: "session",
  };
}

export interface OfflineForm {
  name: string;
  email: string;
  subject: string;
  message: string;
  locale?: ChatLocale;
}

export interface ChatTicketingDeps {
  repo: ChatRepository;
  sites: ChatSites;
  tickets: TicketService;
  directory: DirectoryService;
  log: Logger;
}

/**
 * Where chats end up: a closed conversation becomes a ticket of channel `chat` with its transcript, or a chat
 * message on the visitor's open ticket (a contact session of its own for first-contact resolution); outside the
 * site's hours the offline form opens the ticket directly, and the requester's acknowledgement goes out through
 * the tickets' notifications (the outbox), so the conversation continues by email.
 */
export class ChatTicketing {
  constructor(private readonly deps: ChatTicketingDeps) {}

  async offline(v: Visitor, form: OfflineForm) {
    const actor = await this.#actorFor(v.visitorId, null, v.site.organization_id);
    const ticket = await this.deps.tickets.create(
      actor,
      {
        subject: form.subject,
        description: form.message,
        organizationId: actor.role.startsWith("customer") ? undefined : v.site.organization_id,
        requester: { name: form.name, email: form.email },
        channel: "chat",
        type: "usage_question",
        severity: "medium",
      },
      noRequest,
    );
    return { ticketId: ticket.id, number: ticket.number };
  }

  /** The `chat.ticket` job: once per closed conversation (a repeat finds the ticket already set). */
  async toTicket(conversationId: string): Promise<void> {
    const c = await this.deps.repo.find(conversationId);
    if (c?.status !== "closed" || c.ticket_id) return;
    const lines = [];
    for (let after = 0; ; ) {
      const batch = await this.deps.repo.since(c.id, after, 1000);
      lines.push(...batch);
      if (batch.length < 1000) break;
      after = Number(batch.at(-1)!.seq);
    }
    const transcript = transcriptOf(
      c.subject,
      lines.map((e) => ({
        seq: Number(e.seq),
        kind: e.kind,
        authorName: e.author_name,
        body: e.body,
        attachment: e.attachment === null ? null : JSON.parse(e.attachment),
        at: e.created_at,
      })),
      c.locale === "en" ? "en" : "pt-BR",
    );
    const actor = await this.#actorFor(c.visitor_id, c.assignee_user_id, c.organization_id);
    const open = await this.#openTicketOf(c, actor);
    let ticketId: string;
    if (open) {
      await this.deps.tickets.addMessage(
        actor,
        open,
        { body: transcript, visibility: "public", kind: "chat" },
        noRequest,
      );
      ticketId = open;
    } else {
      const ticket = await this.deps.tickets.create(
        actor,
        {
          subject: c.subject,
          description: transcript,
          organizationId: actor.role.startsWith("customer") ? undefined : c.organization_id,
          requester: { name: c.visitor_name, email: c.visitor_email },
          channel: "chat",
          type: "usage_question",
          severity: "medium",
          ...(c.assignee_user_id && !actor.role.startsWith("customer") ? { assigneeId: c.assignee_user_id } : {}),
        },
        noRequest,
      );
      ticketId = ticket.id;
    }
    await this.deps.repo.db.transaction().execute((trx) => this.deps.repo.update(c.id, { ticket_id: ticketId }, trx));
    this.deps.log.info({ conversation: c.id, ticket: ticketId, joined: Boolean(open) }, "chat transcript filed");
  }

  /** The visitor's most recent open ticket in the organization: theirs by portal user, else by email. */
  async #openTicketOf(c: ConversationRow, actor: Actor): Promise<string | undefined> {
    const userId = portalUserOf(c.visitor_id);
    const tickets = await this.deps.tickets.list(actor, {
      organization: c.organization_id,
      status: [...openStatuses],
      limit: 100,
    });
    const email = c.visitor_email.toLowerCase();
    return tickets.find(
      (t) =>
        !t.mergedIntoId && ((userId && t.requesterId === userId) || (t.requester.email ?? "").toLowerCase() === email),
    )?.id;
  }

  /** The agent who answered, else the portal user chatting, else the channel itself. */
  async #actorFor(visitorId: string, agentId: string | null, organizationId: string): Promise<Actor> {
    for (const id of [agentId, portalUserOf(visitorId)]) {
      if (!id) continue;
      const u = await this.deps.directory.getUser(id).catch(() => undefined);
      if (u && !u.disabled)
        return {
          userId: u.id,
          email: u.email,
          name: u.name,
          role: u.role,
          organizationId: u.organizationId,
          tier: u.tier,
          teams: u.teams,
          via: "session",
        };
    }
    return channelActor(organizationId);
  }
}
