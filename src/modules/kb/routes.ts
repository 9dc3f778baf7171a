import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { Problem } from "../../platform/http/problems.js";
import { NotModified, problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import type { HelpPage } from "./help.js";
import type { KbModule } from "./module.js";
import { mayEdit } from "./policy.js";
import { readFor, renderFor, versionDiff } from "./reading.js";
import * as S from "./schemas.js";
import { MAX_QUERY_CHARS } from "./search.js";
import { readerOf } from "./service.js";

const tags = ["knowledge base"];
const AREA = "kb";

/** ?lang= first, then the first Accept-Language tag; pt-BR by default. */
export function helpLocale(request: FastifyRequest): "pt-BR" | "en" {
  const q = (request.query as { lang?: unknown } | undefined)?.lang;
  const tag = (typeof q === "string" && q ? q : ((request.headers["accept-language"] ?? "").split(",")[0] ?? ""))
    .split(";")[0]!
    .trim()
    .toLowerCase();
  return tag === "en" || tag.startsWith("en-") ? "en" : "pt-BR";
}

function sendPage(request: FastifyRequest, reply: FastifyReply, page: HelpPage) {
  // A browser gets the help centre's own page for a refusal; any other client problem+json.
  if (page.status !== 200 && !(request.headers.accept ?? "").includes("text/html")) {
    if (page.status === 404) throw Problem.notFound("The public article");
    throw Problem.invalid({
      in: "query",
      pointer: "/q",
      message: `the query is longer than ${MAX_QUERY_CHARS} characters`,
    });
  }
  reply
    .code(page.status)
    .type("text/html; charset=utf-8")
    .header("cache-control", page.status === 200 ? "public, max-age=30" : "no-store")
    .header("vary", "accept-encoding, accept-language");
  if (page.status === 200) {
    // If-None-Match compares weakly (RFC 9110 §13.1.2): the W/ prefix on either side does not matter.
    reply.header("etag", page.etag);
    const weak = (tag: string) => tag.trim().replace(/^W\//, "");
    const ifNoneMatch = request.headers["if-none-match"];
    if (ifNoneMatch?.split(",").some((t) => weak(t) === weak(page.etag))) return reply.code(304).send();
  }
  if (/\bgzip\b/.test(request.headers["accept-encoding"] ?? "")) {
    reply.header("content-encoding", "gzip");
    return reply.send(page.gzip);
  }
  return reply.send(page.html);
}

export function kbRoutes(m: KbModule) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    // public help centre ----------------------------------------------------------------------------------
    const html = { produces: ["text/html"] };
    app.get(
      "/help",
      {
        config: { public: true },
        schema: {
          tags,
          summary:
            "The public help centre (server-rendered HTML, no JavaScript): recent public articles, or ?q= search",
          querystring: S.HelpQuery,
          ...html,
          response: { 200: Type.String(), 304: NotModified, ...problems(400) },
        },
      },
      async (request, reply) => sendPage(request, reply, await m.help.home(helpLocale(request), request.query.q)),
    );
    app.get(
      "/help/articles/:id",
      {
        config: { public: true },
        schema: {
          tags,
          summary: "A public article of the help centre (server-rendered HTML)",
          params: S.HelpArticleParams,
          querystring: S.LangQuery,
          ...html,
          response: { 200: Type.String(), 304: NotModified, ...problems(404) },
        },
      },
      async (request, reply) => sendPage(request, reply, await m.help.article(helpLocale(request), request.params.id)),
    );

    // articles --------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/kb/articles",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary:
            "Articles newest first: editors see every state, readers the published articles their role and organization may read",
          querystring: S.ArticleListQuery,
          response: { 200: S.ArticlePage, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, status, ...filter } = request.query;
        const rows = await m.articles.list(requireActor(request), {
          ...filter,
          statuses: status ? [status] : undefined,
          limit: limit + 1,
          before: decodeCursor(cursor),
        });
        return toPage(rows, limit, (a) => a.id);
      },
    );
    app.post(
      "/api/v1/kb/articles",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Write an article (a draft; `status: published` for admins and managers, who publish directly)",
          body: S.ArticleInput,
          response: { 201: S.Article, ...problems(400) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await m.articles.create(requireActor(request), request.body, request)),
    );
    app.get(
      "/api/v1/kb/articles/:id",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "An article with its rendered HTML; readers get the published version, editors the working copy",
          params: S.IdParams,
          response: { 200: S.RenderedArticle, ...problems(404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const article = await m.articles.get(actor, request.params.id);
        const reader = readerOf(actor);
        const { html, source } = await readFor(m.repo, reader, article.body, "console", article.locale);
        const translations = await m.articles.translations(actor, article.translationGroupId, article.id);
        // Editors get the source they edit; a reader's copy leaves out the links to articles they may not read.
        return { ...article, body: mayEdit(reader.role) ? article.body : source, html, translations };
      },
    );
    app.patch(
      "/api/v1/kb/articles/:id",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary:
            "Edit an article: a new text makes a new version (back to draft); a published article stays published at its old version until published again",
          params: S.IdParams,
          body: S.ArticlePatch,
          response: { 200: S.Article, ...problems(400, 404) },
        },
      },
      async (request) => m.articles.update(requireActor(request), request.params.id, request.body, request),
    );
    app.post(
      "/api/v1/kb/articles/:id/status",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary:
            "Move an article through draft → review → published → archived (publishing: admins and managers; `draft` from review sends it back with a note)",
          params: S.IdParams,
          body: S.TransitionInput,
          response: { 200: S.Article, ...problems(400, 404, 409) },
        },
      },
      async (request) =>
        m.articles.transition(
          requireActor(request),
          request.params.id,
          request.body.status,
          request.body.note,
          request,
        ),
    );
    app.get(
      "/api/v1/kb/articles/:id/versions",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Version history of an article, newest first (editors)",
          params: S.IdParams,
          response: { 200: Type.Object({ items: Type.Array(S.Version) }), ...problems(404) },
        },
      },
      async (request) => ({ items: await m.articles.versions(requireActor(request), request.params.id) }),
    );
    app.get(
      "/api/v1/kb/articles/:id/versions/:version",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "One version of an article (editors)",
          params: S.VersionParams,
          response: { 200: S.VersionDetail, ...problems(404) },
        },
      },
      async (request) => {
        const v = await m.articles.version(requireActor(request), request.params.id, request.params.version);
        return {
          version: v.version,
          title: v.title,
          body: v.body,
          status: v.status,
          authorId: v.author_id,
          note: v.note,
          createdAt: v.created_at,
        };
      },
    );
    app.get(
      "/api/v1/kb/articles/:id/diff",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "What changed between two versions: title by words, body by lines, and a unified diff (editors)",
          params: S.IdParams,
          querystring: S.DiffQuery,
          response: { 200: S.Diff, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const [from, to] = await Promise.all([
          m.articles.version(actor, request.params.id, request.query.from),
          m.articles.version(actor, request.params.id, request.query.to),
        ]);
        return versionDiff(from, to);
      },
    );
    app.get(
      "/api/v1/kb/review-queue",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Articles submitted for review (admins and managers decide them)",
          querystring: S.PageQuery,
          response: { 200: S.ArticlePage, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 50, cursor } = request.query;
        const rows = await m.articles.reviewQueue(requireActor(request), limit + 1, decodeCursor(cursor));
        return toPage(rows, limit, (a) => a.id);
      },
    );
    app.post(
      "/api/v1/kb/preview",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Render Markdown as an article would be shown (the editor's preview), sanitised, links resolved",
          body: S.PreviewInput,
          response: { 200: S.Preview, ...problems(400) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return { html: await renderFor(m.repo, readerOf(actor), request.body.body, "console", "pt-BR") };
      },
    );

    // search ----------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/kb/search",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary:
            "Search published articles the reader may read (Portuguese and English, accents and word forms ignored, typos in titles tolerated)",
          querystring: S.SearchQuery,
          response: { 200: S.SearchResult, ...problems(400) },
        },
      },
      async (request) => {
        const { q, audience, limit = 10 } = request.query;
        return m.search.search(requireActor(request), { q, audience, limit });
      },
    );

    // categories ------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/kb/categories",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "Categories of the knowledge base, in order",
          response: { 200: Type.Object({ items: Type.Array(S.Category) }) },
        },
      },
      async () => ({ items: await m.categories.list() }),
    );
    app.post(
      "/api/v1/kb/categories",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Create a category (admins and managers)",
          body: S.CategoryInput,
          response: { 201: S.Category, ...problems(400) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await m.categories.create(requireActor(request), request.body, request)),
    );
    app.patch(
      "/api/v1/kb/categories/:id",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Rename, describe, move or reorder a category (admins and managers)",
          params: S.IdParams,
          body: S.CategoryPatch,
          response: { 200: S.Category, ...problems(400, 404) },
        },
      },
      async (request) => m.categories.update(requireActor(request), request.params.id, request.body, request),
    );
    app.delete(
      "/api/v1/kb/categories/:id",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Delete a category: its articles become uncategorised, its children move to the top",
          params: S.IdParams,
          response: { 204: Type.Null(), ...problems(404) },
        },
      },
      async (request, reply) => {
        await m.categories.remove(requireActor(request), request.params.id, request);
        return reply.code(204).send(null);
      },
    );
  };
  return plugin;
}
