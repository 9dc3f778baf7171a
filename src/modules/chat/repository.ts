import { type Insertable, type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import type { ChatConversationTable, ChatEventTable, ChatSiteTable, DB } from "../../platform/db/schema.js";

export type SiteRow = Selectable<ChatSiteTable>;
export type ConversationRow = Selectable<ChatConversationTable>;
export type ChatEventRow = Selectable<ChatEventTable>;
export type NewChatEvent = Omit<Insertable<ChatEventTable>, "seq" | "conversation_id" | "attachment"> & {
  attachment: unknown;
};

export interface ConversationFilter {
  organizationId?: string;
  status?: string;
  /** Keyset: conversations with an id below this one. */
  before?: string;
  limit: number;
}

/** The only SQL of live chat: sites, conversations and their numbered events. */
export class ChatRepository {
  constructor(
    readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  // rate limits ---------------------------------------------------------------------------------------------

  /**
   * Takes a token from the bucket `key` (created full), refilled at `perSecond` up to `capacity` since its last
   * request, in one statement on the shared row: nodes taking at once queue on it and none double-spends. Answers
   * the tokens left and whether one was taken. Plain SQL on both engines (CASE rather than LEAST/min).
   */
  async takeToken(key: string, capacity: number, perSecond: number, now: number) {
    const cap = sql.lit(capacity);
    const elapsed = sql`(CASE WHEN excluded.at > chat_rate_buckets.at THEN excluded.at - chat_rate_buckets.at ELSE 0 END)`;
    const refill = sql`(chat_rate_buckets.tokens + ${elapsed} * ${sql.lit(perSecond)} / 1000.0)`;
    const r = sql`(CASE WHEN ${refill} > ${cap} THEN ${cap} ELSE ${refill} END)`;
    const row = await this.db
      .insertInto("chat_rate_buckets")
      .values({ key, tokens: capacity - 1, at: now, taken: true })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet({
          tokens: sql`CASE WHEN ${r} >= 1 THEN ${r} - 1 ELSE ${r} END`,
          at: sql`CASE WHEN excluded.at > chat_rate_buckets.at THEN excluded.at ELSE chat_rate_buckets.at END`,
          taken: sql`(${r} >= 1)`,
        }),
      )
      .returning(["tokens", "taken"])
      .executeTakeFirstOrThrow();
    return { tokens: Number(row.tokens), taken: Boolean(Number(row.taken)) };
  }

  /** Deletes buckets idle since `before`: full again by then, they mean the same as no row. */
  async pruneBuckets(before: number): Promise<void> {
    await this.db.deleteFrom("chat_rate_buckets").where("at", "<", before).execute();
  }

  // sites ---------------------------------------------------------------------------------------------------
  async insertSite(row: SiteRow): Promise<void> {
    await this.db
      .insertInto("chat_sites")
      .values({ ...row, origins: this.dialect.json(JSON.parse(row.origins)) })
      .execute();
  }

  async updateSite(id: string, patch: Partial<SiteRow>): Promise<void> {
    const { origins, ...rest } = patch;
    await this.db
      .updateTable("chat_sites")
      .set({ ...rest, ...(origins !== undefined ? { origins: this.dialect.json(JSON.parse(origins)) } : {}) })
      .where("id", "=", id)
      .execute();
  }

  findSite(id: string): Promise<SiteRow | undefined> {
    return this.db.selectFrom("chat_sites").selectAll().where("id", "=", id).executeTakeFirst();
  }

  sites(): Promise<SiteRow[]> {
    return this.db.selectFrom("chat_sites").selectAll().orderBy("name").orderBy("id").execute();
  }

  // conversations -------------------------------------------------------------------------------------------
  async insertConversation(row: ConversationRow, trx: Kysely<DB>): Promise<void> {
    await trx.insertInto("chat_conversations").values(row).execute();
  }

  find(id: string, executor: Kysely<DB> = this.db): Promise<ConversationRow | undefined> {
    return executor.selectFrom("chat_conversations").selectAll().where("id", "=", id).executeTakeFirst();
  }

  /** The visitor's conversation on a site that is not closed yet: a returning visitor resumes it. */
  openOf(siteId: string, visitorId: string, executor: Kysely<DB> = this.db): Promise<ConversationRow | undefined> {
    return executor
      .selectFrom("chat_conversations")
      .selectAll()
      .where("site_id", "=", siteId)
      .where("visitor_id", "=", visitorId)
      .where("status", "!=", "closed")
      .orderBy("id", "desc")
      .executeTakeFirst();
  }

  list(filter: ConversationFilter): Promise<ConversationRow[]> {
    let q = this.db.selectFrom("chat_conversations").selectAll();
    if (filter.organizationId) q = q.where("organization_id", "=", filter.organizationId);
    if (filter.status) q = q.where("status", "=", filter.status as ConversationRow["status"]);
    if (filter.before) q = q.where("id", "<", filter.before);
    return q.orderBy("id", "desc").limit(filter.limit).execute();
  }

  /**
   * Reads the conversation under a row lock (PostgreSQL: the no-op update holds it to the commit; SQLite's
   * writer is already alone), so two writers to one conversation number their events one after the other.
   */
  lock(id: string, trx: Kysely<DB>): Promise<ConversationRow | undefined> {
    return trx
      .updateTable("chat_conversations")
      .set((eb) => ({ last_seq: eb.ref("last_seq") }))
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  }

  async update(id: string, patch: Partial<ConversationRow>, trx: Kysely<DB>): Promise<void> {
    await trx.updateTable("chat_conversations").set(patch).where("id", "=", id).execute();
  }

  // events --------------------------------------------------------------------------------------------------
  byClientId(
    conversationId: string,
    authorKind: string,
    clientId: string,
    executor: Kysely<DB>,
  ): Promise<ChatEventRow | undefined> {
    return executor
      .selectFrom("chat_events")
      .selectAll()
      .where("conversation_id", "=", conversationId)
      .where("author_kind", "=", authorKind as ChatEventRow["author_kind"])
      .where("client_id", "=", clientId)
      .executeTakeFirst();
  }

  /** Appends the event under the conversation's next cursor; the caller holds the conversation's lock. */
  async append(conversation: ConversationRow, event: NewChatEvent, trx: Kysely<DB>): Promise<ChatEventRow> {
    const seq = Number(conversation.last_seq) + 1;
    const row = {
      ...event,
      conversation_id: conversation.id,
      seq,
      attachment: event.attachment === null ? null : this.dialect.json(event.attachment),
    };
    await trx.insertInto("chat_events").values(row).execute();
    await trx
      .updateTable("chat_conversations")
      .set({ last_seq: seq, updated_at: event.created_at })
      .where("id", "=", conversation.id)
      .execute();
    conversation.last_seq = seq;
    return {
      ...event,
      conversation_id: conversation.id,
      seq,
      attachment: event.attachment === null ? null : JSON.stringify(event.attachment),
    } as ChatEventRow;
  }

  /** Events after the cursor, in order. */
  since(conversationId: string, after: number, limit = 500): Promise<ChatEventRow[]> {
    return this.db
      .selectFrom("chat_events")
      .selectAll()
      .where("conversation_id", "=", conversationId)
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(limit)
      .execute();
  }

  event(conversationId: string, seq: number): Promise<ChatEventRow | undefined> {
    return this.db
      .selectFrom("chat_events")
      .selectAll()
      .where("conversation_id", "=", conversationId)
      .where("seq", "=", seq)
      .executeTakeFirst();
  }
}
