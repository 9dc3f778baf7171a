import type { Kysely } from "kysely";
import type { Clock } from "../../platform/clock.js";
import type { DB } from "../../platform/db/schema.js";
import type { EventBus } from "../../platform/events/bus.js";
import type { EventPayload } from "../../platform/events/catalogue.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { JobQueue } from "../../platform/jobs/queue.js";
import { type Actor, tenantOf } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { isStaff } from "../identity/roles.js";
import type { AttachmentStore } from "../tickets/attachments.js";
import { safeFilename, sniffContentType } from "../tickets/sniff.js";
import type { AuthorKind, ChatEventKind, ChatLocale } from "./model.js";
import type { ChatEventRow, ChatRepository, ConversationRow } from "./repository.js";
import type { ChatSites, Visitor } from "./sites.js";

/** The job that turns a closed conversation into a ticket (or a message on the visitor's open ticket). */
export const CHAT_TICKET_JOB = "chat.ticket";

export type ChatEventPayload = EventPayload<"chat.event">;

export interface PreChatForm {
  name: string;
  email: string;
  subject: string;
  locale?: ChatLocale;
}

export interface ChatServiceDeps {
  repo: ChatRepository;
  sites: ChatSites;
  events: EventBus;
  jobs: JobQueue;
  clock: Clock;
  directory: DirectoryService;
  attachments: { store: AttachmentStore; maxBytes: number };
}

/** Who writes an event: the visitor (verified) or a staff member. */
type Author = { kind: "visitor"; name: string } | { kind: "agent"; actor: Actor };

const invalid = (pointer: string, message: string) => Problem.invalid({ in: "body", pointer, message });

export function presentConversation(c: ConversationRow) {
  return {
    id: c.id,
    siteId: c.site_id,
    organizationId: c.organization_id,
    visitor: { id: c.visitor_id, name: c.visitor_name, email: c.visitor_email },
    subject: c.subject,
    locale: c.locale,
    status: c.status,
    assigneeId: c.assignee_user_id,
    ticketId: c.ticket_id,
    lastSeq: Number(c.last_seq),
    createdAt: c.created_at,
    updatedAt: c.updated_at,
    closedAt: c.closed_at,
  };
}

/** The public shape of one event, the same on the visitor's stream, the console and the bus. */
export function presentChatEvent(e: ChatEventRow, c: Pick<ConversationRow, "status" | "assignee_user_id">) {
  return {
    conversationId: e.conversation_id,
    seq: Number(e.seq),
    kind: e.kind,
    authorKind: e.author_kind,
    authorName: e.author_name,
    clientId: e.client_id,
    body: e.body,
    attachment: e.attachment === null ? null : (JSON.parse(e.attachment) as ChatEventPayload["attachment"]),
    status: c.status,
    assigneeId: c.assignee_user_id,
    at: e.created_at,
  } satisfies ChatEventPayload;
}

/**
 * Live chat conversations: a visitor opens one from the pre-chat form, agents accept, transfer and close it,
 * both sides post messages and files. Every event is numbered under its conversation's lock and announced on the
 * event bus in the same transaction, so any node's streams hear it once committed; a repeated client message id
 * returns the first event instead of a second one.
 */
export class ChatService {
  constructor(private readonly deps: ChatServiceDeps) {}

  // the visitor's side --------------------------------------------------------------------------------------

  /** Opens the visitor's conversation, or resumes the one not closed yet (a reload, a second tab). */
  async start(v: Visitor, form: PreChatForm) {
    const existing = await this.deps.repo.openOf(v.site.id, v.visitorId);
    if (existing) return presentConversation(existing);
    const hours = await this.deps.sites.hours(v.site);
    if (!hours.open)
      throw new Problem(
        409,
        "chat-offline",
        "Chat is offline",
        `Nobody attends the chat now${hours.nextOpening ? `; it opens at ${hours.nextOpening}` : ""}: send the offline form`,
      );
    const organizationId = (await this.#portalUser(v))?.organizationId ?? v.site.organization_id;
    const now = this.deps.clock.now().toISOString();
    const row: ConversationRow = {
      id: uuidv7(),
      site_id: v.site.id,
      organization_id: organizationId,
      visitor_id: v.visitorId,
      visitor_name: form.name,
      visitor_email: form.email,
      subject: form.subject,
      locale: form.locale ?? "pt-BR",
      status: "waiting",
      assignee_user_id: null,
      ticket_id: null,
      last_seq: 0,
      created_at: now,
      updated_at: now,
      closed_at: null,
    };
    await this.deps.repo.db.transaction().execute((trx) => this.deps.repo.insertConversation(row, trx));
    return presentConversation(row);
  }

  /** The visitor's own conversation; any other is not found, whatever its id. */
  async visitorConversation(v: Visitor, id: string): Promise<ConversationRow> {
    const c = await this.deps.repo.find(id);
    if (!c || c.site_id !== v.site.id || c.visitor_id !== v.visitorId) throw Problem.notFound("Conversation");
    return c;
  }

  async visitorPost(v: Visitor, id: string, input: { clientId: string; body: string }) {
    const c = await this.visitorConversation(v, id);
    return this.#post(c.id, { kind: "visitor", name: c.visitor_name }, "message", input.clientId, input.body, null);
  }

  async visitorAttach(v: Visitor, id: string, input: { clientId: string; filename: string; data: string }) {
    const c = await this.visitorConversation(v, id);
    return this.#attach(c, { kind: "visitor", name: c.visitor_name }, input);
  }

  async visitorTyping(v: Visitor, id: string, typing: boolean) {
    const c = await this.visitorConversation(v, id);
    await this.#typing(c, "visitor", c.visitor_name, typing);
  }

  async visitorClose(v: Visitor, id: string) {
    const c = await this.visitorConversation(v, id);
    return this.#close(c.id, { kind: "visitor", name: c.visitor_name });
  }

  /** Events after the cursor, for a replay (the stream does the same before going live). */
  async eventsOf(c: ConversationRow, after: number, limit = 500) {
    const rows = await this.deps.repo.since(c.id, after, limit);
    const now = (await this.deps.repo.find(c.id)) ?? c;
    return rows.map((e) => presentChatEvent(e, now));
  }

  /** A file sent in the conversation, from the ticket attachment store. */
  async file(c: ConversationRow, seq: number) {
    const e = await this.deps.repo.event(c.id, seq);
    if (!e || e.attachment === null) throw Problem.notFound("File");
    const a = JSON.parse(e.attachment) as { filename: string; contentType: string; size: number; sha256: string };
    return { ...a, stream: this.deps.attachments.store.open(a.sha256) };
  }

  // the agents' side ----------------------------------------------------------------------------------------

  async list(actor: Actor, filter: { status?: string; cursor?: string; limit: number }) {
    const rows = await this.deps.repo.list({
      organizationId: tenantOf(actor),
      status: filter.status,
      before: filter.cursor,
      limit: filter.limit,
    });
    return rows.map(presentConversation);
  }

  /** A conversation the actor may see: staff any, a customer user only their organization's. */
  async conversation(actor: Actor, id: string): Promise<ConversationRow> {
    const c = await this.deps.repo.find(id);
    const tenant = tenantOf(actor);
    if (!c || (tenant !== undefined && c.organization_id !== tenant)) throw Problem.notFound("Conversation");
    return c;
  }

  async accept(actor: Actor, id: string) {
    return this.#write(id, async (c, trx) => {
      if (c.status === "closed") throw Problem.conflict("The conversation is closed");
      if (c.status === "active" && c.assignee_user_id !== actor.userId)
        throw Problem.conflict("Another agent already answers this conversation; ask them to transfer it");
      if (c.status === "active") return undefined;
      c.status = "active";
      c.assignee_user_id = actor.userId;
      await this.deps.repo.update(id, { status: "active", assignee_user_id: actor.userId }, trx);
      return { kind: "accepted", author: { kind: "agent", actor }, body: actor.name };
    });
  }

  async transfer(actor: Actor, id: string, userId: string) {
    const target = await this.deps.directory.getUser(userId).catch(() => undefined);
    if (!target || !isStaff(target.role) || target.disabled) throw invalid("/userId", "must be an active staff user");
    return this.#write(id, async (c, trx) => {
      if (c.status === "closed") throw Problem.conflict("The conversation is closed");
      c.status = "active";
      c.assignee_user_id = target.id;
      await this.deps.repo.update(id, { status: "active", assignee_user_id: target.id }, trx);
      return { kind: "transferred", author: { kind: "agent", actor }, body: target.name };
    });
  }

  async agentPost(actor: Actor, id: string, input: { clientId: string; body: string }) {
    await this.#acceptIfWaiting(actor, id);
    return this.#post(id, { kind: "agent", actor }, "message", input.clientId, input.body, null);
  }

  async agentAttach(actor: Actor, id: string, input: { clientId: string; filename: string; data: string }) {
    await this.#acceptIfWaiting(actor, id);
    return this.#attach(await this.conversation(actor, id), { kind: "agent", actor }, input);
  }

  async agentTyping(actor: Actor, id: string, typing: boolean) {
    const c = await this.conversation(actor, id);
    await this.#typing(c, "agent", actor.name, typing);
  }

  async agentClose(actor: Actor, id: string) {
    return this.#close(id, { kind: "agent", actor });
  }

  // shared ----------------------------------------------------------------------------------------------------

  async #acceptIfWaiting(actor: Actor, id: string) {
    const c = await this.conversation(actor, id);
    if (c.status === "waiting") await this.accept(actor, id);
  }

  async #typing(c: ConversationRow, side: "visitor" | "agent", name: string, typing: boolean) {
    if (c.status === "closed") return;
    // Not numbered and not replayed: a typing indicator is stale by the time a client reconnects.
    await this.deps.events.publish({
      type: "chat.typing",
      organizationId: c.organization_id,
      subjectId: c.id,
      payload: { conversationId: c.id, side, typing, name },
    });
  }

  async #attach(c: ConversationRow, author: Author, input: { clientId: string; filename: string; data: string }) {
    const data = Buffer.from(input.data, "base64");
    if (data.length === 0) throw invalid("/data", "is empty or not base64");
    if (data.length > this.deps.attachments.maxBytes)
      throw invalid("/data", `is larger than ${this.deps.attachments.maxBytes} bytes`);
    const attachment = {
      filename: safeFilename(input.filename),
      contentType: sniffContentType(data),
      size: data.length,
      sha256: await this.deps.attachments.store.put(data),
    };
    return this.#post(c.id, author, "attachment", input.clientId, null, attachment);
  }

  async #post(
    id: string,
    author: Author,
    kind: "message" | "attachment",
    clientId: string,
    body: string | null,
    attachment: ChatEventPayload["attachment"],
  ) {
    const r = await this.#write(id, async (c) => {
      if (c.status === "closed") throw Problem.conflict("The conversation is closed");
      return { kind, author, body, attachment, clientId };
    });
    // A post always yields its event: a new one, or the first one posted under its client id.
    return { event: r.event!, created: r.created };
  }

  async #close(id: string, author: Author) {
    const done = await this.#write(id, async (c, trx) => {
      if (c.status === "closed") return undefined;
      const now = this.deps.clock.now().toISOString();
      c.status = "closed";
      c.closed_at = now;
      await this.deps.repo.update(id, { status: "closed", closed_at: now }, trx);
      // The ticket is made by a job committed with the close: it happens once, on some node, even if this one dies.
      await this.deps.jobs.enqueue(
        CHAT_TICKET_JOB,
        { conversationId: id },
        { dedupeKey: `chat-ticket:${id}`, executor: trx },
      );
      return { kind: "closed", author };
    });
    return done;
  }

  /**
   * One numbered event in one transaction: lock the conversation, let `change` decide (and update the row), append
   * the event under the next cursor and announce it on the bus. A client id seen before returns its first event.
   */
  async #write(
    id: string,
    change: (
      c: ConversationRow,
      trx: Kysely<DB>,
    ) => Promise<
      | {
          kind: ChatEventKind;
          author: Author;
          body?: string | null;
          attachment?: ChatEventPayload["attachment"];
          clientId?: string;
        }
      | undefined
    >,
  ): Promise<{ event: ReturnType<typeof presentChatEvent> | null; created: boolean }> {
    return this.deps.repo.db.transaction().execute(async (trx) => {
      const c = await this.deps.repo.lock(id, trx);
      if (!c) throw Problem.notFound("Conversation");
      const next = await change(c, trx);
      if (!next) return { event: null, created: false };
      const authorKind: AuthorKind = next.author.kind;
      if (next.clientId) {
        const seen = await this.deps.repo.byClientId(id, authorKind, next.clientId, trx);
        if (seen) return { event: presentChatEvent(seen, c), created: false };
      }
      const row = await this.deps.repo.append(
        c,
        {
          kind: next.kind,
          author_kind: authorKind,
          author_user_id: next.author.kind === "agent" ? next.author.actor.userId : null,
          author_name: next.author.kind === "agent" ? next.author.actor.name : next.author.name,
          client_id: next.clientId ?? null,
          body: next.body ?? null,
          attachment: next.attachment ?? null,
          created_at: this.deps.clock.now().toISOString(),
        },
        trx,
      );
      const event = presentChatEvent(row, c);
      await this.deps.events.publish(
        { type: "chat.event", organizationId: c.organization_id, subjectId: c.id, payload: event },
        trx,
      );
      return { event, created: true };
    });
  }

  async #portalUser(v: Visitor) {
    if (!v.userId) return undefined;
    const user = await this.deps.directory.getUser(v.userId).catch(() => undefined);
    return user && !user.disabled ? user : undefined;
  }
}
