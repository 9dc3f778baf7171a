import { Problem } from "../../platform/http/problems.js";
import type { Actor } from "../identity/actor.js";
import { forbidden } from "../identity/actor.js";
import type { Role } from "../identity/roles.js";
import type { ArticleBrief, ArticlesPort, SearchHit } from "./articles-port.js";
import { withoutArticleLinks } from "./links.js";
import { mayEdit, mayRead, type Reader } from "./policy.js";
import type { ArticleRow, KbRepository } from "./repository.js";
import { queryKey } from "./search.js";
import { type ArticleService, readerOf, visibilityOf } from "./service.js";

const SUMMARY_CHARS = 280;

/** Markdown inline markup removed, keeping the words and the characters that are content (`*97`). */
function plainText(markdown: string): string {
  return withoutArticleLinks(markdown)
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]*>/g, " ")
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "$2")
    .replace(/(\*|_)(?=\S)([\s\S]*?\S)\1/g, "$2")
    .replace(/`+/g, "")
    .replace(/^\s*(?:[-*+]|\d+[.)]|>)\s+/gm, "")
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, "$1");
}

/** The first paragraph of a Markdown body that is not a heading, as plain text, cut at a word. */
export function summaryOf(body: string): string {
  const paragraph =
    body
      .split(/\r?\n\s*\r?\n/)
      .map((p) => p.trim())
      .find((p) => p && !/^#{1,6}\s/.test(p) && !/^```/.test(p) && !/^!\[/.test(p)) ?? "";
  const text = plainText(paragraph).replace(/\s+/g, " ").trim();
  if (text.length <= SUMMARY_CHARS) return text;
  const cut = text.slice(0, SUMMARY_CHARS);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), SUMMARY_CHARS - 40)).trimEnd()}…`;
}

function brief(row: ArticleRow, text?: { title: string; body: string }): ArticleBrief {
  return {
    id: row.id,
    title: text?.title ?? row.title,
    summary: summaryOf(text?.body ?? row.body),
    audience: row.audience,
    purpose: row.purpose,
    status: row.status,
    published: row.published_version !== null && row.status !== "archived",
    categoryId: row.category_id,
    locale: row.locale,
    ownerId: row.owner_id,
    createdBy: row.created_by,
    publishedAt: row.published_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The article core seen through the port the other knowledge-base parts use: the same reader rules as the
 * article routes (readers see published versions of what their audience allows; editors see working copies).
 */
export function articlesPort(deps: {
  repo: KbRepository;
  articles: ArticleService;
  search: (reader: Actor | null, q: string, limit: number) => Promise<SearchHit[]>;
}): ArticlesPort {
  const { repo, articles } = deps;
  const readableAs = async (reader: Reader, ids: readonly string[]) => {
    const out = new Map<string, ArticleBrief>();
    const unique = [...new Set(ids)];
    if (!unique.length) return out;
    if (mayEdit(reader.role)) {
      const rows = await Promise.all(unique.map((id) => repo.article(id)));
      for (const row of rows)
        if (row && mayRead(reader, { audience: row.audience, organizationId: row.organization_id }))
          out.set(row.id, brief(row));
      return out;
    }
    for (const row of await repo.published(unique, visibilityOf(reader)))
      out.set(row.id, brief(row, { title: row.published_title, body: row.published_body }));
    return out;
  };
  return {
    readable: (reader, ids) => readableAs(readerOf(reader), ids),
    async any(ids) {
      const rows = await Promise.all([...new Set(ids)].map((id) => repo.article(id)));
      return new Map(rows.flatMap((row) => (row ? [[row.id, brief(row)] as const] : [])));
    },
    async editable(actor, id) {
      const found = (await readableAs(readerOf(actor), [id])).get(id);
      if (!found) throw Problem.notFound(`Article ${id}`);
      if (!mayEdit(actor.role)) throw forbidden("Your role does not allow editing articles");
      return found;
    },
    search: deps.search,
    searchKey(reader, q) {
      const v = visibilityOf(readerOf(reader));
      return JSON.stringify([v.audiences, v.organizationId, v.publishedOnly, queryKey(q)]);
    },
    watch: (listener) => articles.watch(listener),
    async publishedInCategory(reader, categoryId, limit) {
      const r = readerOf(reader);
      const visibility = { ...visibilityOf(r), publishedOnly: true };
      const rows = await repo.articles({ categoryId, limit }, visibility);
      const published = await repo.published(
        rows.map((row) => row.id),
        visibility,
      );
      const byId = new Map(published.map((p) => [p.id, p]));
      return rows.flatMap((row) => {
        const p = byId.get(row.id);
        return p ? [brief(p, { title: p.published_title, body: p.published_body })] : [];
      });
    },
    async createDraft(actor, input, req) {
      const created = await articles.create(
        actor,
        {
          title: input.title,
          body: input.body,
          audience: input.audience as ArticleRow["audience"],
          purpose: input.purpose as ArticleRow["purpose"],
          locale: input.locale as ArticleRow["locale"],
          tags: input.tags,
          status: "draft",
        },
        req,
      );
      const row = await repo.article(created.id);
      return brief(row!);
    },
    async readableBy(user, id) {
      const reader: Reader = { role: user.role as Role, organizationId: user.organizationId, userId: null };
      return (await repo.published([id], { ...visibilityOf(reader), publishedOnly: true })).length > 0;
    },
    linkOf(article, forCustomer) {
      if (article.audience === "public") return `/help/articles/${article.id}`;
      return forCustomer ? `/portal/kb/articles/${article.id}` : `/kb/articles/${article.id}`;
    },
  };
}
