import type { FastifyRequest } from "fastify";
import type { Clock } from "../../platform/clock.js";
import type { KbAudience, KbLocale, KbPurpose, KbStatus } from "../../platform/db/schema.js";
import { Problem } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import { forbidden } from "../identity/actor.js";
import { extractLinks } from "./links.js";
import { isCustomer, mayEdit, mayPublish, mayRead, type Reader, readableAudiences, transitions } from "./policy.js";
import type { ArticleFilter, ArticleRow, KbRepository, Visibility } from "./repository.js";
import { markdownText, terms, trigrams } from "./text.js";

/** The job that indexes again the published articles linking to articles (queued by migration 0049). */
export const REINDEX_LINKING_JOB = "kb.reindex-linking";

export type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export interface ArticleInput {
  title: string;
  body: string;
  audience: KbAudience;
  purpose: KbPurpose;
  status?: "draft" | "published";
  categoryId?: string | null;
  locale?: KbLocale;
  tags?: string[];
  organizationId?: string | null;
  /** Make this article the translation of another (same translation group, another locale). */
  translationOf?: string;
}

export interface ArticlePatch {
  title?: string;
  body?: string;
  audience?: KbAudience;
  purpose?: KbPurpose;
  categoryId?: string | null;
  tags?: string[];
  organizationId?: string | null;
  note?: string;
}

/** The editor's view of an article: the working copy and its workflow state. */
export function articleView(row: ArticleRow, tags: string[]) {
  return {
    id: row.id,
    translationGroupId: row.translation_group_id,
    locale: row.locale,
    title: row.title,
    body: row.body,
    audience: row.audience,
    purpose: row.purpose,
    status: row.status,
    version: row.version,
    publishedVersion: row.published_version,
    categoryId: row.category_id,
    organizationId: row.organization_id,
    ownerId: row.owner_id,
    createdBy: row.created_by,
    reviewNote: row.review_note,
    tags,
    publishedAt: row.published_at,
    archivedAt: row.archived_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type Article = ReturnType<typeof articleView>;

export const readerOf = (actor: Actor | null): Reader =>
  actor
    ? { role: actor.role, organizationId: actor.organizationId, userId: actor.userId }
    : { role: null, organizationId: null, userId: null };

export function visibilityOf(reader: Reader, audience?: KbAudience): Visibility {
  const allowed = readableAudiences(reader.role);
  return {
    audiences: audience ? allowed.filter((a) => a === audience) : allowed,
    organizationId: isCustomer(reader.role) ? (reader.organizationId ?? "") : null,
    publishedOnly: !mayEdit(reader.role),
  };
}

const MAX_TAGS = 20;
function cleanTags(tags: readonly string[] | undefined): string[] {
  const out = new Set<string>();
  for (const t of tags ?? []) {
    const tag = t.trim().toLowerCase();
    if (tag) out.add(tag);
  }
  if (out.size > MAX_TAGS) throw Problem.invalid({ in: "body", pointer: "/tags", message: `at most ${MAX_TAGS} tags` });
  return [...out].sort();
}

/**
 * Articles: creation, edits as new versions, the draft → review → published → archived workflow, and the
 * search index kept to each article's published version. Admins and managers publish directly; other editors
 * submit for review. Readers see only published, readable articles.
 */
export class ArticleService {
  private readonly repo: KbRepository;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  /** Called after an article's readable text changed (the help centre drops its cached pages). */
  private readonly changed: () => void;
  readonly #watchers = new Set<() => void>();

  constructor(deps: { repo: KbRepository; clock: Clock; audit: AuditService; changed?: () => void }) {
    this.repo = deps.repo;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.changed = deps.changed ?? (() => {});
  }

  /**
   * Calls `listener` after every committed article write (created, edited, moved in the workflow): what
   * readers or editors see of any article may have changed. Only this process's writes.
   */
  watch(listener: () => void): void {
    this.#watchers.add(listener);
  }

  #written(): void {
    for (const listener of this.#watchers) listener();
  }

  async #tagged(rows: ArticleRow[]): Promise<Article[]> {
    const tags = await this.repo.tags(rows.map((r) => r.id));
    return rows.map((r) => articleView(r, tags.get(r.id) ?? []));
  }

  async #checkCategory(id: string | null | undefined) {
    if (id && !(await this.repo.category(id)))
      throw Problem.invalid({ in: "body", pointer: "/categoryId", message: `no category ${id}` });
  }

  /** The row an editor may work on; readers get 404 for what they may not read, 403 for what they may not edit. */
  async #editable(actor: Actor, id: string): Promise<ArticleRow> {
    const row = await this.repo.article(id);
    const reader = readerOf(actor);
    if (!row || !mayRead(reader, { audience: row.audience, organizationId: row.organization_id }))
      throw Problem.notFound(`Article ${id}`);
    if (!mayEdit(actor.role)) throw forbidden("Your role does not allow editing articles");
    return row;
  }

  async create(actor: Actor, input: ArticleInput, req: RequestInfo): Promise<Article> {
    if (!mayEdit(actor.role)) throw forbidden("Your role does not allow writing articles");
    if (!readableAudiences(actor.role).includes(input.audience))
      throw Problem.invalid({ in: "body", pointer: "/audience", message: "an audience you may not read" });
    if (input.status === "published" && !mayPublish(actor.role))
      throw forbidden("Only admins and managers publish directly; save a draft and submit it for review");
    await this.#checkCategory(input.categoryId);
    const tags = cleanTags(input.tags);
    const locale = input.locale ?? "pt-BR";
    const id = uuidv7(this.clock.now().getTime());
    let group = id;
    if (input.translationOf) {
      const other = await this.repo.article(input.translationOf);
      if (!other || !mayRead(readerOf(actor), { audience: other.audience, organizationId: other.organization_id }))
        throw Problem.invalid({ in: "body", pointer: "/translationOf", message: `no article ${input.translationOf}` });
      group = other.translation_group_id;
    }
    const now = this.clock.now().toISOString();
    const publish = input.status === "published";
    const status: KbStatus = publish ? "published" : "draft";
    await this.repo.transaction(async (trx) => {
      if ((await this.repo.translations(group, trx)).some((t) => t.locale === locale))
        throw Problem.invalid({
          in: "body",
          pointer: "/locale",
          message: `the article already has a ${locale} translation`,
        });
      await this.repo.insertArticle(
        {
          id,
          translation_group_id: group,
          locale,
          title: input.title,
          body: input.body,
          audience: input.audience,
          purpose: input.purpose,
          status,
          version: 1,
          published_version: publish ? 1 : null,
          category_id: input.categoryId ?? null,
          organization_id: input.organizationId ?? null,
          owner_id: actor.userId,
          created_by: actor.userId,
          review_note: null,
          published_at: publish ? now : null,
          archived_at: null,
          created_at: now,
          updated_at: now,
        },
        trx,
      );
      await this.repo.insertVersion(
        {
          id: uuidv7(),
          article_id: id,
          version: 1,
          title: input.title,
          body: input.body,
          status,
          author_id: actor.userId,
          note: null,
          created_at: now,
        },
        trx,
      );
      await this.repo.setTags(id, tags, trx);
      await this.repo.setLinks(id, extractLinks(input.body), trx);
      if (publish) await this.#index(id, locale, input.title, input.body, trx);
      await this.audit.record(
        {
          action: publish ? "kb.article.published" : "kb.article.created",
          actor,
          target: { type: "kb-article", id },
          request: req,
        },
        trx,
      );
    });
    this.#written();
    if (publish) this.changed();
    return this.get(actor, id);
  }

  /** An editor's (or reader's) view: editors see the working copy; readers only published, readable ones. */
  async get(actor: Actor | null, id: string): Promise<Article> {
    const reader = readerOf(actor);
    const row = await this.repo.article(id);
    if (!row || !mayRead(reader, { audience: row.audience, organizationId: row.organization_id }))
      throw Problem.notFound(`Article ${id}`);
    if (!mayEdit(reader.role)) {
      const [published] = await this.repo.published([id], visibilityOf(reader));
      if (!published) throw Problem.notFound(`Article ${id}`);
      const [view] = await this.#tagged([
        { ...published, title: published.published_title, body: published.published_body },
      ]);
      return { ...view!, version: published.published_version ?? view!.version };
    }
    const [view] = await this.#tagged([row]);
    return view!;
  }

  async list(
    actor: Actor | null,
    filter: Omit<ArticleFilter, "audience"> & { audience?: KbAudience },
  ): Promise<Article[]> {
    const reader = readerOf(actor);
    const visibility = visibilityOf(reader, filter.audience);
    if (!visibility.audiences.length) return [];
    const rows = await this.repo.articles(filter, visibility);
    const views = await this.#tagged(rows);
    if (!visibility.publishedOnly) return views;
    // Readers see the published title; the body is only in the article itself.
    return views.map((v, i) => ({
      ...v,
      title: rows[i]!.published_title ?? v.title,
      body: "",
      version: v.publishedVersion ?? v.version,
    }));
  }

  /** A new version of the working copy; a published article stays published at its old version until the next publish. */
  async update(actor: Actor, id: string, patch: ArticlePatch, req: RequestInfo): Promise<Article> {
    const row = await this.#editable(actor, id);
    if (patch.audience && !readableAudiences(actor.role).includes(patch.audience))
      throw Problem.invalid({ in: "body", pointer: "/audience", message: "an audience you may not read" });
    if (patch.categoryId !== undefined) await this.#checkCategory(patch.categoryId);
    const tags = patch.tags === undefined ? undefined : cleanTags(patch.tags);
    const now = this.clock.now().toISOString();
    const textChanged =
      (patch.title !== undefined && patch.title !== row.title) || (patch.body !== undefined && patch.body !== row.body);
    const title = patch.title ?? row.title;
    const body = patch.body ?? row.body;
    // Audience and category apply at once (they decide who may read, not what is said); text waits for publishing.
    const metaChanged = patch.audience !== undefined || patch.organizationId !== undefined;
    await this.repo.transaction(async (trx) => {
      const version = textChanged ? row.version + 1 : row.version;
      const status: KbStatus = textChanged && row.status !== "draft" ? "draft" : row.status;
      await this.repo.updateArticle(
        id,
        {
          title,
          body,
          version,
          status,
          ...(patch.audience !== undefined && { audience: patch.audience }),
          ...(patch.purpose !== undefined && { purpose: patch.purpose }),
          ...(patch.categoryId !== undefined && { category_id: patch.categoryId }),
          ...(patch.organizationId !== undefined && { organization_id: patch.organizationId }),
          updated_at: now,
        },
        trx,
      );
      if (textChanged) {
        await this.repo.insertVersion(
          {
            id: uuidv7(),
            article_id: id,
            version,
            title,
            body,
            status,
            author_id: actor.userId,
            note: patch.note?.trim() || null,
            created_at: now,
          },
          trx,
        );
        await this.repo.setLinks(id, extractLinks(body), trx);
      }
      if (tags) await this.repo.setTags(id, tags, trx);
      await this.audit.record(
        { action: "kb.article.updated", actor, target: { type: "kb-article", id }, request: req },
        trx,
      );
    });
    this.#written();
    if (metaChanged) this.changed();
    return this.get(actor, id);
  }

  /**
   * Moves the working copy through the workflow: `review` (submit), `published` (admins and managers), `draft`
   * (send back, with a note), `archived` (off the help centre and the search).
   */
  async transition(
    actor: Actor,
    id: string,
    to: KbStatus,
    note: string | undefined,
    req: RequestInfo,
  ): Promise<Article> {
    const row = await this.#editable(actor, id);
    if (!transitions[row.status].includes(to) || (to === row.status && to !== "published"))
      throw Problem.conflict(`An article in ${row.status} cannot move to ${to}`);
    if (to === "published" && !mayPublish(actor.role))
      throw forbidden("Only admins and managers publish; submit the article for review");
    if (to === "published" && row.status === "published" && row.published_version === row.version)
      throw Problem.conflict("This version is already published");
    if (to === "archived" && !mayPublish(actor.role) && row.published_version !== null)
      throw forbidden("Only admins and managers archive a published article");
    const now = this.clock.now().toISOString();
    await this.repo.transaction(async (trx) => {
      await this.repo.updateArticle(
        id,
        {
          status: to,
          updated_at: now,
          review_note:
            to === "draft" && row.status === "review"
              ? (note?.trim() ?? null)
              : to === "review"
                ? null
                : row.review_note,
          ...(to === "published" && {
            published_version: row.version,
            published_at: now,
            archived_at: null,
            review_note: null,
          }),
          ...(to === "archived" && { archived_at: now }),
        },
        trx,
      );
      await this.repo.updateVersionStatus(id, row.version, to, trx);
      if (to === "published") await this.#index(id, row.locale, row.title, row.body, trx);
      if (to === "archived") await this.repo.unindexArticle(id, trx);
      if (row.status === "archived" && to === "draft" && row.published_version !== null) {
        // Restored: readers see the last published version again.
        const v = await this.repo.version(id, row.published_version, trx);
        if (v) await this.#index(id, row.locale, v.title, v.body, trx);
      }
      await this.audit.record(
        {
          action: `kb.article.${to}`,
          actor,
          target: { type: "kb-article", id },
          details: note ? { note } : undefined,
          request: req,
        },
        trx,
      );
    });
    this.#written();
    if (to === "published" || to === "archived" || row.status === "archived") this.changed();
    return this.get(actor, id);
  }

  /**
   * Indexes again every published article that links to articles, from its published version: a database indexed
   * before links to articles were left out of the index (their words could name an article hidden from the
   * reader) still holds those words until then. Queued once by migration 0049; returns how many were indexed.
   */
  async reindexLinking(): Promise<number> {
    let after = "";
    let count = 0;
    for (;;) {
      const rows = await this.repo.indexedLinking(after, 100);
      if (!rows.length) break;
      await this.repo.transaction(async (trx) => {
        for (const r of rows) await this.#index(r.id, r.locale, r.title, r.body, trx);
      });
      count += rows.length;
      after = rows.at(-1)!.id;
    }
    if (count) {
      this.#written();
      this.changed();
    }
    return count;
  }

  async #index(
    id: string,
    locale: KbLocale,
    title: string,
    body: string,
    trx: Parameters<KbRepository["indexArticle"]>[2],
  ) {
    await this.repo.indexArticle(
      id,
      {
        titleTerms: terms(title, locale).join(" "),
        bodyTerms: terms(markdownText(body), locale).join(" "),
        trigrams: trigrams(title),
      },
      trx,
    );
  }

  async versions(actor: Actor, id: string) {
    await this.#editable(actor, id);
    return (await this.repo.versions(id)).map((v) => ({
      version: v.version,
      title: v.title,
      status: v.status,
      authorId: v.author_id,
      note: v.note,
      createdAt: v.created_at,
    }));
  }

  async version(actor: Actor, id: string, version: number) {
    await this.#editable(actor, id);
    const v = await this.repo.version(id, version);
    if (!v) throw Problem.notFound(`Version ${version} of article ${id}`);
    return v;
  }

  /** The other translations of an article that the actor may read (published ones for readers). */
  async translations(actor: Actor | null, groupId: string, exceptId: string) {
    const reader = readerOf(actor);
    const rows = (await this.repo.translations(groupId)).filter(
      (r) => r.id !== exceptId && mayRead(reader, { audience: r.audience, organizationId: r.organization_id }),
    );
    if (mayEdit(reader.role)) return rows.map((r) => ({ id: r.id, locale: r.locale, title: r.title }));
    const published = await this.repo.published(
      rows.map((r) => r.id),
      visibilityOf(reader),
    );
    return published.map((r) => ({ id: r.id, locale: r.locale, title: r.published_title }));
  }

  /** The review queue: articles submitted for review, oldest first, for those who decide it. */
  async reviewQueue(actor: Actor, limit: number, before?: string): Promise<Article[]> {
    if (!mayPublish(actor.role)) throw forbidden("Only admins and managers review articles");
    return this.list(actor, { statuses: ["review"], limit, before });
  }
}
