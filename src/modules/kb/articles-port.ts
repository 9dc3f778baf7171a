import type { FastifyRequest } from "fastify";
import type { Actor } from "../identity/actor.js";

export type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

/** What the parts around articles need to know of one: enough to check visibility, list and link it. */
export interface ArticleBrief {
  id: string;
  title: string;
  /** Plain-text summary (the first paragraph of the body, Markdown removed), for suggestions and replies. */
  summary: string;
  audience: string;
  purpose: string;
  status: string;
  /** Whether readers see a published version (the working copy may be a newer draft). */
  published: boolean;
  categoryId: string | null;
  locale: string;
  ownerId: string | null;
  createdBy: string | null;
  publishedAt: string | null;
  updatedAt: string;
}

export interface SearchHit {
  id: string;
  title: string;
  snippet: string;
  score: number;
}

/**
 * The article core as the knowledge base's other parts use it (videos, suggestions, drafts, feedback, upkeep,
 * tracks): they never read article tables themselves, so visibility has one rule, the core's.
 */
export interface ArticlesPort {
  /** The articles among `ids` the reader may read (null: an anonymous visitor of the help centre). */
  readable(reader: Actor | null, ids: readonly string[]): Promise<Map<string, ArticleBrief>>;
  /** The articles among `ids` whatever their audience: for background work (reminders), never shown to a reader. */
  any(ids: readonly string[]): Promise<Map<string, ArticleBrief>>;
  /** The article if `actor` may edit it; 404 when not readable, 403 when readable and not editable. */
  editable(actor: Actor, id: string): Promise<ArticleBrief>;
  /** Ranked published articles for the reader's audience suggested for a text being typed (the core's search). */
  search(reader: Actor | null, q: string, limit: number): Promise<SearchHit[]>;
  /**
   * What decides `search` and `readable` for this reader and query: the reader's visibility and the query's
   * words. Equal keys, equal answers, until an article is written (see `watch`).
   */
  searchKey(reader: Actor | null, q: string): string;
  /** Calls `listener` after any article is created, edited or moves in its workflow (in this process). */
  watch(listener: () => void): void;
  /** Published articles of a category, newest first. */
  publishedInCategory(reader: Actor | null, categoryId: string, limit: number): Promise<ArticleBrief[]>;
  /** A new draft article (through the core's workflow: draft, review, published). */
  createDraft(
    actor: Actor,
    input: { title: string; body: string; audience: string; purpose: string; locale: string; tags: string[] },
    req: RequestInfo,
  ): Promise<ArticleBrief>;
  /** Whether a user (the requester of a ticket) may read the article, by their role and organization. */
  readableBy(user: { role: string; organizationId: string }, id: string): Promise<boolean>;
  /** The article's address for its readers: the help centre for public ones, else the portal or console. */
  linkOf(article: ArticleBrief, forCustomer: boolean): string;
}
