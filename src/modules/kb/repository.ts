import { type Expression, type Kysely, type Selectable, sql } from "kysely";
import type { Dialect } from "../../platform/db/dialect.js";
import { kbSearch } from "../../platform/db/migrations/0034_kb.js";
import { searchPostings, termPrefix } from "../../platform/db/migrations/0038_kb_search_postings.js";
import type {
  DB,
  KbArticleTable,
  KbArticleVersionTable,
  KbAudience,
  KbCategoryTable,
  KbStatus,
} from "../../platform/db/schema.js";

export type ArticleRow = Selectable<KbArticleTable>;
export type VersionRow = Selectable<KbArticleVersionTable>;
export type CategoryRow = Selectable<KbCategoryTable>;

/** What readers of an article see: the article's row with the published version's title and body. */
export type PublishedRow = ArticleRow & { published_title: string; published_body: string };

/** Which articles a list or search may return to a reader. */
export interface Visibility {
  audiences: KbAudience[];
  /** A customer's organization: articles tied to another organization are left out. Null for staff. */
  organizationId: string | null;
  /** Only articles with a published version, not archived (readers); false lets editors see drafts too. */
  publishedOnly: boolean;
}

export interface ArticleFilter {
  statuses?: KbStatus[];
  categoryId?: string;
  locale?: string;
  tag?: string;
  audience?: KbAudience;
  purpose?: string;
  limit: number;
  /** Keyset: ids below this one (newest first). */
  before?: string;
}

/** Every SQL of the knowledge base: articles, versions, tags, links, categories and the search index. */
export class KbRepository {
  constructor(
    readonly db: Kysely<DB>,
    readonly dialect: Dialect,
  ) {}

  transaction<T>(fn: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  // articles ----------------------------------------------------------------------------------------------

  async insertArticle(row: KbArticleTable, executor: Kysely<DB> = this.db) {
    await executor.insertInto("kb_articles").values(row).execute();
  }
  async updateArticle(id: string, values: Partial<KbArticleTable>, executor: Kysely<DB> = this.db) {
    await executor.updateTable("kb_articles").set(values).where("id", "=", id).execute();
  }
  article(id: string, executor: Kysely<DB> = this.db): Promise<ArticleRow | undefined> {
    return executor.selectFrom("kb_articles").selectAll().where("id", "=", id).executeTakeFirst();
  }
  translations(groupId: string, executor: Kysely<DB> = this.db): Promise<ArticleRow[]> {
    return executor
      .selectFrom("kb_articles")
      .selectAll()
      .where("translation_group_id", "=", groupId)
      .orderBy("locale")
      .execute();
  }

  #visible(v: Visibility) {
    // Shared by queries over different joins, so typed loosely; the columns are all on alias `a`.
    return (eb: any): any => {
      const parts: any[] = [eb("a.audience", "in", v.audiences)];
      if (v.publishedOnly) {
        parts.push(eb("a.published_version", "is not", null));
        parts.push(eb("a.status", "<>", "archived"));
      }
      if (v.organizationId !== null)
        parts.push(eb.or([eb("a.organization_id", "is", null), eb("a.organization_id", "=", v.organizationId)]));
      return eb.and(parts);
    };
  }

  /** Articles newest first, each with its published title and body when it has one. */
  async articles(
    filter: ArticleFilter,
    visibility: Visibility,
  ): Promise<(ArticleRow & { published_title: string | null })[]> {
    let q = this.db
      .selectFrom("kb_articles as a")
      .leftJoin("kb_article_versions as v", (j) =>
        j.onRef("v.article_id", "=", "a.id").onRef("v.version", "=", "a.published_version"),
      )
      .selectAll("a")
      .select("v.title as published_title")
      .where(this.#visible(visibility))
      .orderBy("a.id", "desc")
      .limit(filter.limit);
    if (filter.before) q = q.where("a.id", "<", filter.before);
    if (filter.statuses?.length) q = q.where("a.status", "in", filter.statuses);
    if (filter.categoryId) q = q.where("a.category_id", "=", filter.categoryId);
    if (filter.locale) q = q.where("a.locale", "=", filter.locale as ArticleRow["locale"]);
    if (filter.audience) q = q.where("a.audience", "=", filter.audience);
    if (filter.purpose) q = q.where("a.purpose", "=", filter.purpose as ArticleRow["purpose"]);
    if (filter.tag) {
      const tag = filter.tag;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom("kb_article_tags as t")
            .select("t.article_id")
            .whereRef("t.article_id", "=", "a.id")
            .where("t.tag", "=", tag),
        ),
      );
    }
    return q.execute();
  }

  /** Published articles among `ids` that the visibility allows, with the published title and body. */
  published(ids: readonly string[], visibility: Visibility): Promise<PublishedRow[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db
      .selectFrom("kb_articles as a")
      .innerJoin("kb_article_versions as v", (j) =>
        j.onRef("v.article_id", "=", "a.id").onRef("v.version", "=", "a.published_version"),
      )
      .selectAll("a")
      .select(["v.title as published_title", "v.body as published_body"])
      .where("a.id", "in", [...ids])
      .where(this.#visible({ ...visibility, publishedOnly: true }))
      .execute();
  }

  // versions ----------------------------------------------------------------------------------------------

  async insertVersion(row: KbArticleVersionTable, executor: Kysely<DB> = this.db) {
    await executor.insertInto("kb_article_versions").values(row).execute();
  }
  versions(articleId: string): Promise<VersionRow[]> {
    return this.db
      .selectFrom("kb_article_versions")
      .selectAll()
      .where("article_id", "=", articleId)
      .orderBy("version", "desc")
      .execute();
  }
  version(articleId: string, version: number, executor: Kysely<DB> = this.db): Promise<VersionRow | undefined> {
    return executor
      .selectFrom("kb_article_versions")
      .selectAll()
      .where("article_id", "=", articleId)
      .where("version", "=", version)
      .executeTakeFirst();
  }
  async updateVersionStatus(articleId: string, version: number, status: KbStatus, executor: Kysely<DB> = this.db) {
    await executor
      .updateTable("kb_article_versions")
      .set({ status })
      .where("article_id", "=", articleId)
      .where("version", "=", version)
      .execute();
  }

  // tags and links ----------------------------------------------------------------------------------------

  async setTags(articleId: string, tags: readonly string[], executor: Kysely<DB> = this.db) {
    await executor.deleteFrom("kb_article_tags").where("article_id", "=", articleId).execute();
    if (tags.length)
      await executor
        .insertInto("kb_article_tags")
        .values(tags.map((tag) => ({ article_id: articleId, tag })))
        .execute();
  }
  async tags(articleIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!articleIds.length) return out;
    const rows = await this.db
      .selectFrom("kb_article_tags")
      .selectAll()
      .where("article_id", "in", [...articleIds])
      .orderBy("tag")
      .execute();
    for (const r of rows) out.set(r.article_id, [...(out.get(r.article_id) ?? []), r.tag]);
    return out;
  }
  async setLinks(
    articleId: string,
    links: readonly { kind: "article" | "ticket"; id: string }[],
    executor: Kysely<DB> = this.db,
  ) {
    await executor.deleteFrom("kb_article_links").where("article_id", "=", articleId).execute();
    if (links.length)
      await executor
        .insertInto("kb_article_links")
        .values(links.map((l) => ({ article_id: articleId, target_kind: l.kind, target_id: l.id })))
        .execute();
  }
  /** Articles linking to `articleId` (backlinks). */
  async linkingTo(articleId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom("kb_article_links")
      .select("article_id")
      .where("target_kind", "=", "article")
      .where("target_id", "=", articleId)
      .execute();
    return rows.map((r) => r.article_id);
  }

  // categories --------------------------------------------------------------------------------------------

  categories(): Promise<CategoryRow[]> {
    return this.db.selectFrom("kb_categories").selectAll().orderBy("position").orderBy("id").execute();
  }
  category(id: string): Promise<CategoryRow | undefined> {
    return this.db.selectFrom("kb_categories").selectAll().where("id", "=", id).executeTakeFirst();
  }
  async insertCategory(row: KbCategoryTable) {
    await this.db.insertInto("kb_categories").values(row).execute();
  }
  async updateCategory(id: string, values: Partial<KbCategoryTable>) {
    await this.db.updateTable("kb_categories").set(values).where("id", "=", id).execute();
  }
  async deleteCategory(id: string) {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable("kb_articles").set({ category_id: null }).where("category_id", "=", id).execute();
      await trx.updateTable("kb_categories").set({ parent_id: null }).where("parent_id", "=", id).execute();
      await trx.deleteFrom("kb_categories").where("id", "=", id).execute();
    });
  }
  async nextCategoryPosition(): Promise<number> {
    const r = await this.db
      .selectFrom("kb_categories")
      .select((eb) => eb.fn.max("position").as("p"))
      .executeTakeFirst();
    return Number(r?.p ?? 0) + 1;
  }

  // search index ------------------------------------------------------------------------------------------

  /** Put an article's published text into the index (replacing what was there). */
  async indexArticle(
    articleId: string,
    doc: { titleTerms: string; bodyTerms: string; trigrams: string[] },
    executor: Kysely<DB> = this.db,
  ) {
    await this.unindexArticle(articleId, executor);
    const { id: documentId } = await executor
      .insertInto("kb_search_documents")
      .values({
        article_id: articleId,
        title_terms: doc.titleTerms,
        body_terms: doc.bodyTerms,
        title_trigrams: doc.trigrams.length,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (doc.trigrams.length)
      await executor
        .insertInto("kb_title_trigrams")
        .values(doc.trigrams.map((trigram) => ({ trigram, article_id: articleId })))
        .execute();
    const postings = searchPostings(doc.titleTerms, doc.bodyTerms).map((p) => ({
      ...p,
      prefix: termPrefix(p.term),
      document_id: Number(documentId),
    }));
    // A few hundred rows per statement keeps under SQLite's bound-parameter limit for long articles.
    for (let i = 0; i < postings.length; i += 200)
      await executor
        .insertInto("kb_search_postings")
        .values(postings.slice(i, i + 200))
        .execute();
  }
  /**
   * Indexed articles whose published text links to articles (`kb:` or `/help/articles/`, in any case), the first
   * `limit` after `after` by id, with that text: the ones whose index words depend on how links are left out.
   */
  indexedLinking(after: string, limit: number) {
    return this.db
      .selectFrom("kb_search_documents as d")
      .innerJoin("kb_articles as a", "a.id", "d.article_id")
      .innerJoin("kb_article_versions as v", (j) =>
        j.onRef("v.article_id", "=", "a.id").onRef("v.version", "=", "a.published_version"),
      )
      .select(["a.id", "a.locale", "v.title", "v.body"])
      .where("a.id", ">", after)
      .where((eb) =>
        eb.or([
          eb(eb.fn("lower", ["v.body"]), "like", "%kb:%"),
          eb(eb.fn("lower", ["v.body"]), "like", "%/help/articles/%"),
        ]),
      )
      .orderBy("a.id")
      .limit(limit)
      .execute();
  }
  async unindexArticle(articleId: string, executor: Kysely<DB> = this.db) {
    await executor
      .deleteFrom("kb_search_postings")
      .where("document_id", "in", (eb) =>
        eb.selectFrom("kb_search_documents").select("id").where("article_id", "=", articleId),
      )
      .execute();
    await executor.deleteFrom("kb_search_documents").where("article_id", "=", articleId).execute();
    await executor.deleteFrom("kb_title_trigrams").where("article_id", "=", articleId).execute();
  }

  /**
   * Best full-text matches the visibility allows, `limit` at most: article id and engine score, best first.
   * With `bound` the engine ranks a bounded set (see the dialect's `rankedText.ranked`): the best `top` of
   * SQLite's FTS5, or on PostgreSQL the articles heaviest in each term by their postings (`perTerm` per term),
   * so the ranking's cost does not grow with how many articles hold a common word. When that leaves fewer than
   * `enough` readable matches (rare terms, or candidates the reader may not read), every match is ranked.
   */
  async searchText(
    terms: string[],
    prefixLast: boolean,
    visibility: Visibility,
    limit: number,
    bound?: { perTerm: number; top: number; enough: number },
  ): Promise<{ id: string; score: number }[]> {
    if (!terms.length) return [];
    if (bound) {
      const among = this.#candidates(terms, prefixLast, bound.perTerm);
      const bounded = await this.#rankText(terms, prefixLast, visibility, limit, { top: bound.top, among });
      if (bounded.length >= bound.enough) return bounded;
    }
    return this.#rankText(terms, prefixLast, visibility, limit);
  }

  /**
   * Prefix suggestions from the postings alone, `limit` at most, best first: the articles heaviest in each term
   * (a typed prefix: in the terms it may complete), `perTerm` per term through the postings' weight-ordered
   * indexes, scored by the sum of their postings' weights for the query's terms (a title term weighs more than
   * a body one) among the articles the visibility allows, in one query. The cost is bounded by `perTerm`
   * however many articles a 1–3 letter prefix matches: no full-text ranking of every match.
   */
  async suggestText(
    terms: string[],
    prefixLast: boolean,
    visibility: Visibility,
    limit: number,
    perTerm: number,
  ): Promise<{ id: string; score: number }[]> {
    if (!terms.length) return [];
    const last = terms.length - 1;
    // Summed per candidate (a correlated subquery on the postings' document index), so no engine is tempted to
    // read every posting of the query's terms, which for a short prefix is most of the index. The terms are
    // matched inside the sum, not in the WHERE: with them there, SQLite's sampled statistics (PRAGMA optimize's
    // bounded ANALYZE at start) call a term nearly unique and it ORs the term and prefix indexes instead, reading
    // each candidate's terms' postings across all articles (3 → 107 ms a query at 10,000 articles). With only the
    // document key to search by, the plan cannot depend on the statistics.
    const score = this.db
      .selectFrom("kb_search_postings as p")
      .select((eb) =>
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(
                eb.or(
                  terms.map((term, i) =>
                    prefixLast && i === last
                      ? eb.and([
                          eb("p.prefix", "=", termPrefix(term)),
                          eb(sql`substr(p.term, 1, ${term.length})`, "=", term),
                        ])
                      : eb("p.term", "=", term),
                  ),
                ),
              )
              .then(eb.ref("p.weight"))
              .else(sql.lit(0))
              .end(),
          )
          .as("s"),
      )
      .where("p.document_id", "=", sql.ref<number>("c.document_id"));
    const rows = await this.db
      .selectFrom(this.#candidates(terms, prefixLast, perTerm).as("c"))
      .innerJoin("kb_search_documents as d", "d.id", "c.document_id")
      .innerJoin("kb_articles as a", "a.id", "d.article_id")
      .select(["a.id", score.as("score")])
      .where(this.#visible({ ...visibility, publishedOnly: true }))
      .orderBy("score", "desc")
      .orderBy("a.id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
  }

  /**
   * Which of the terms the index holds (a `typed` one as the start of a term): a word none of whose terms it
   * holds is one a typo may have changed.
   */
  async knownTerms(terms: { term: string; typed: boolean }[]): Promise<Set<string>> {
    if (!terms.length) return new Set();
    // One statement for all the terms: a look-up each in parallel took a connection and a server process each,
    // four to six per search competing for the same cores as the search they run beside.
    const lists = terms.map(({ term, typed }, i) =>
      this.db.selectFrom(this.#heaviest(term, typed, 1).as(`k${i}`)).select(sql.lit(i).as("i")),
    );
    const rows = await lists
      .slice(1)
      .reduce((all, list) => all.unionAll(list), lists[0]!)
      .execute();
    return new Set(rows.map((r) => terms[Number(r.i)]!.term));
  }

  /**
   * The documents heaviest in a term (`typed`: in the terms starting with it), `n` at most, best first, through
   * the postings' weight-ordered indexes. A typed prefix walks its first three characters' postings in weight
   * order (a bounded number of them) and keeps the terms it starts: a planner cannot estimate how many
   * postings `substr` keeps, and guessing few it would sort every posting of those three characters instead.
   */
  #heaviest(term: string, typed: boolean, n: number) {
    const postings = this.db.selectFrom("kb_search_postings");
    if (!typed || term.length < termPrefix(term).length)
      return postings.select("document_id").where("term", "=", term).orderBy("weight", "desc").limit(n);
    const walked = postings
      .select(["document_id", "term", "weight"])
      .where("prefix", "=", termPrefix(term))
      .orderBy("weight", "desc")
      .limit(Math.max(n * 20, 500))
      .as("w");
    return this.db
      .selectFrom(walked)
      .select("w.document_id")
      .where(sql`substr(w.term, 1, ${term.length})`, "=", term)
      .orderBy("w.weight", "desc")
      .limit(n);
  }

  /**
   * Keys of the search documents of the articles heaviest in each term (a typed prefix: in the terms it
   * may complete), `perTerm` per term, walking the postings' weight-ordered indexes.
   */
  #candidates(terms: string[], prefixLast: boolean, perTerm: number) {
    const lists = terms.map((term, i) =>
      this.db
        .selectFrom(this.#heaviest(term, prefixLast && i === terms.length - 1, perTerm).as(`p${i}`))
        .select(`p${i}.document_id`),
    );
    return lists.slice(1).reduce((all, list) => all.union(list), lists[0]!);
  }

  async #rankText(
    terms: string[],
    prefixLast: boolean,
    visibility: Visibility,
    limit: number,
    bound?: { top: number; among: Expression<unknown> },
  ): Promise<{ id: string; score: number }[]> {
    const ranked = this.dialect.rankedText.ranked(kbSearch, terms, prefixLast, bound);
    const rows = await this.db
      .selectFrom(sql<{ key: number; score: number }>`${ranked}`.as("r"))
      .innerJoin("kb_search_documents as d", "d.id", "r.key")
      .innerJoin("kb_articles as a", "a.id", "d.article_id")
      .select(["a.id", "r.score"])
      .where(this.#visible({ ...visibility, publishedOnly: true }))
      .orderBy("r.score", "desc")
      .orderBy("a.id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({ id: r.id, score: Number(r.score) }));
  }

  /**
   * Titles sharing trigrams with the query's words (the typo fallback): Jaccard similarity over trigram sets,
   * at least `minimum`, best first.
   */
  async searchTitles(
    trigrams: string[],
    visibility: Visibility,
    minimum: number,
    limit: number,
  ): Promise<{ id: string; similarity: number }[]> {
    if (!trigrams.length) return [];
    const n = trigrams.length;
    // Counted on the trigram index alone first, each title's size looked up by its key, and only the titles
    // similar enough (shared·(1 + minimum) ≥ minimum·(n + size), the Jaccard bound without a division) read
    // further. Joined to every title sharing a trigram or two (hundreds), the articles were scanned whole on
    // PostgreSQL, most of a typo's search.
    const shared = this.db
      .selectFrom("kb_title_trigrams")
      .select(["article_id", (eb) => eb.fn.countAll<number>().as("shared")])
      .where("trigram", "in", trigrams)
      .groupBy("article_id")
      .having((eb) => eb(eb.fn.countAll(), ">=", Math.max(2, Math.ceil(n * minimum))))
      .as("t");
    const sized = this.db
      .selectFrom(shared)
      .select((eb) => [
        "t.article_id",
        "t.shared",
        eb
          .selectFrom("kb_search_documents as d")
          .select("d.title_trigrams")
          .whereRef("d.article_id", "=", "t.article_id")
          .as("title_trigrams"),
      ])
      .as("s");
    const similar = (
      await this.db
        .selectFrom(sized)
        .select(["s.article_id", "s.shared", "s.title_trigrams"])
        .where(
          sql`s.shared * ${sql.lit(1 + minimum)}`,
          ">=",
          sql`${sql.lit(minimum)} * (${sql.lit(n)} + s.title_trigrams)`,
        )
        .execute()
    )
      .map((r) => {
        const shared = Number(r.shared);
        return { id: r.article_id, similarity: shared / (n + Number(r.title_trigrams) - shared) };
      })
      .filter((r) => r.similarity >= minimum)
      .sort((a, b) => b.similarity - a.similarity || (a.id < b.id ? 1 : -1));
    // The reader's visibility over those few, best first, until `limit` are readable.
    const out: { id: string; similarity: number }[] = [];
    for (let i = 0; i < similar.length && out.length < limit; i += 200) {
      const batch = similar.slice(i, i + 200);
      const readable = new Set(
        (
          await this.db
            .selectFrom("kb_articles as a")
            .select("a.id")
            .where(
              "a.id",
              "in",
              batch.map((r) => r.id),
            )
            .where(this.#visible({ ...visibility, publishedOnly: true }))
            .execute()
        ).map((r) => r.id),
      );
      for (const r of batch) if (readable.has(r.id) && out.length < limit) out.push(r);
    }
    return out;
  }
}
