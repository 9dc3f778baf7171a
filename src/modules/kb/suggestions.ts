import type { Clock } from "../../platform/clock.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import { type Actor, tenantOf } from "../identity/actor.js";
import { isStaff, type Role } from "../identity/roles.js";
import type { ArticleBrief, ArticlesPort } from "./articles-port.js";
import type { KbExtrasRepository } from "./extras-repository.js";

/** The ticket as suggestions read it (through the tickets service, with the caller's tenancy). */
export interface TicketText {
  id: string;
  number: number;
  subject: string;
  description: string;
  organizationId: string;
  requesterId: string | null;
}

export interface SuggestionDeps {
  repo: KbExtrasRepository;
  articles: ArticlesPort;
  clock: Clock;
  ticket: (actor: Actor, id: string) => Promise<TicketText>;
  /** Whether the actor may see the ticket of this number (a customer: their organization's). */
  ticketExists: (actor: Actor, number: number) => Promise<boolean>;
  /** The requester of a ticket as a reader (role and organization), to check what a reply may link to. */
  requester: (userId: string) => Promise<{ role: Role; organizationId: string; locale: string | null } | null>;
  publicUrl: string;
}

export const outcomes = ["deflected", "solved", "submitted"] as const;
export type Outcome = (typeof outcomes)[number];

/** Until a word of three letters or digits is typed there is nothing to suggest ("de", "a o"). */
const WORD = /[\p{L}\p{N}]{3,}/u;
/** Suggestions read at most this much of what was typed (a long description still ranks by its start). */
const MAX_QUERY_CHARS = 300;
/**
 * How long a list of suggestions is reused for the same words and visibility: people typing a ticket send
 * the same prefixes ("não con…", "cham…") over and over, and each costs a ranked full-text search. Any article
 * write in this process drops them all; another instance's write shows within this time.
 */
const CACHE_MS = 10_000;
/** Lists kept at most; past it the oldest goes first. */
const CACHE_ENTRIES = 2_000;

export interface Suggestion {
  id: string;
  title: string;
  snippet: string;
  summary: string;
  purpose: string;
  score: number;
}

/**
 * Articles suggested while a customer types a new ticket's subject (and to agents on a ticket page), through the
 * core's search for the reader's audience; the deflection log of the new-ticket form; an article as a reply.
 */
export class SuggestionService {
  #cache = new Map<string, { at: number; items: Promise<Suggestion[]> }>();

  constructor(private readonly d: SuggestionDeps) {
    d.articles.watch(() => this.#cache.clear());
  }

  async suggest(reader: Actor, q: string, limit: number): Promise<Suggestion[]> {
    const text = q.slice(0, MAX_QUERY_CHARS);
    if (!WORD.test(text)) return [];
    const key = `${limit} ${this.d.articles.searchKey(reader, text)}`;
    const now = Date.now();
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < CACHE_MS) return hit.items;
    // The promise is kept, so typists asking the same at once share one search; a failure is not kept.
    const items = this.#suggest(reader, text, limit);
    this.#cache.delete(key);
    this.#cache.set(key, { at: now, items });
    if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    items.catch(() => {
      if (this.#cache.get(key)?.items === items) this.#cache.delete(key);
    });
    return items;
  }

  async #suggest(reader: Actor, text: string, limit: number): Promise<Suggestion[]> {
    const hits = await this.d.articles.search(reader, text, limit);
    if (!hits.length) return [];
    const briefs = await this.d.articles.readable(
      reader,
      hits.map((h) => h.id),
    );
    return hits
      .filter((h) => briefs.has(h.id))
      .map((h) => {
        const a = briefs.get(h.id)!;
        return {
          id: h.id,
          title: a.title,
          snippet: h.snippet || a.summary,
          summary: a.summary,
          purpose: a.purpose,
          score: h.score,
        };
      });
  }

  /** Suggestions for an agent on a ticket: its subject and description as the query. */
  async forTicket(actor: Actor, ticketId: string, limit: number) {
    const t = await this.d.ticket(actor, ticketId);
    return this.suggest(actor, `${t.subject} ${t.description}`, limit);
  }

  /**
   * A suggestion session of the new-ticket form, recorded when the customer leaves it (deflected), says an
   * article solved it, or opens the ticket anyway. Only article ids the user may read are kept.
   */
  async recordDeflection(
    actor: Actor,
    input: {
      query: string;
      shownArticleIds: string[];
      openedArticleIds?: string[];
      outcome?: Outcome;
      ticketNumber?: number;
    },
  ) {
    const outcome = input.outcome ?? "deflected";
    if (outcome === "submitted" && !input.ticketNumber)
      throw Problem.invalid({ in: "body", pointer: "/ticketNumber", message: "a submitted session names its ticket" });
    if (outcome !== "submitted" && input.ticketNumber)
      throw Problem.invalid({ in: "body", pointer: "/ticketNumber", message: "only a submitted session has a ticket" });
    if (input.ticketNumber && !(await this.d.ticketExists(actor, input.ticketNumber)))
      throw Problem.invalid({ in: "body", pointer: "/ticketNumber", message: `no ticket #${input.ticketNumber}` });
    const opened = [...new Set(input.openedArticleIds ?? [])];
    const shown = [...new Set([...input.shownArticleIds, ...opened])];
    const visible = await this.d.articles.readable(actor, shown);
    const stranger = shown.find((id) => !visible.has(id));
    if (stranger)
      throw Problem.invalid({
        in: "body",
        pointer: opened.includes(stranger) ? "/openedArticleIds" : "/shownArticleIds",
        message: `no article ${stranger} you may read`,
      });
    const id = uuidv7();
    await this.d.repo.insertDeflection({
      id,
      user_id: actor.userId,
      organization_id: actor.organizationId,
      query: input.query.trim(),
      shown_article_ids: shown,
      opened_article_ids: opened,
      outcome,
      ticket_number: input.ticketNumber ?? null,
      created_at: this.d.clock.now().toISOString(),
    });
    return { id, outcome };
  }

  /**
   * Deflection over a period: sessions that showed suggestions, and how they ended. The rate counts sessions that
   * ended without a ticket (deflected or solved) among all sessions; a customer admin sees their organization.
   */
  async summary(actor: Actor, since?: Date, until?: Date) {
    // By default the last 30 days, up to and including now.
    const to = until ?? new Date(this.d.clock.now().getTime() + 1);
    const from = since ?? new Date(to.getTime() - 30 * 86_400_000);
    if (to <= from) throw Problem.invalid({ in: "querystring", pointer: "/to", message: "must be after from" });
    const rows = await this.d.repo.deflectionCounts(from.toISOString(), to.toISOString(), tenantOf(actor));
    const n = (o: Outcome) => rows.find((r) => r.outcome === o)?.n ?? 0;
    const sessions = rows.reduce((s, r) => s + r.n, 0);
    const avoided = n("deflected") + n("solved");
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      sessions,
      deflected: n("deflected"),
      solved: n("solved"),
      submitted: n("submitted"),
      deflectionRate: sessions ? Math.round((avoided / sessions) * 1000) / 1000 : null,
    };
  }

  /**
   * An article as a reply on a ticket: a link and its summary, in Markdown. Refused when the ticket's requester
   * may not read the article (a customer is never sent a link to support-team content).
   */
  async replyInsert(actor: Actor, ticketId: string, articleId: string) {
    if (!isStaff(actor.role)) throw Problem.notFound("Ticket");
    const ticket = await this.d.ticket(actor, ticketId);
    const article = (await this.d.articles.readable(actor, [articleId])).get(articleId);
    if (!article) throw Problem.notFound("Article");
    const requester = ticket.requesterId ? await this.d.requester(ticket.requesterId) : null;
    const forCustomer = !!requester && !isStaff(requester.role);
    if (requester && forCustomer && !(await this.d.articles.readableBy(requester, articleId)))
      throw Problem.conflict("The ticket's requester may not read this article: it cannot go into a reply to them");
    return {
      articleId,
      ticketId,
      markdown: replyMarkdown(article, `${this.d.publicUrl}${this.d.articles.linkOf(article, forCustomer)}`),
    };
  }
}

/** The text an article inserts into a reply: its title as a link, then its summary. */
export function replyMarkdown(article: Pick<ArticleBrief, "title" | "summary">, url: string): string {
  const title = article.title.replace(/([[\]\\])/g, "\\$1");
  return `[${title}](${url})${article.summary ? `\n\n${article.summary}` : ""}\n`;
}
