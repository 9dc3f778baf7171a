import type { ServerResponse } from "node:http";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { EventBus } from "../../platform/events/bus.js";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { problems } from "../../platform/http/schemas.js";
import { type Actor, requireActor } from "../identity/actor.js";
import { customerRoles } from "../identity/roles.js";
import type { RateLimiter } from "./model.js";
import * as S from "./schemas.js";
import { type ChatService, presentConversation } from "./service.js";
import type { ChatSites, VisitorCredentials } from "./sites.js";
import { ChatHub, streamConversation } from "./stream.js";
import type { ChatTicketing } from "./ticketing.js";
import { widgetScript } from "./widget.js";

export interface ChatModule {
  chat: ChatService;
  sites: ChatSites;
  ticketing: ChatTicketing;
  /** Widget rate limits, shared across nodes through the database. */
  limits: { writes: RateLimiter; identities: RateLimiter };
}

const tags = ["chat"];
const widgetTags = ["chat widget"];
const WIDGET = "/api/v1/chat/widget";
const pub = { public: true } as const;
const staff = (access: "read" | "write") => ({ area: "tickets" as const, access });
const siteAdmin = { area: "tickets" as const, access: "write" as const, roles: ["admin", "manager"] as const };

/**
 * The widget's calls come from other origins (the provider's sites): they answer CORS for any origin, carry no
 * cookie, and each names and proves its visitor; the site's own origin list is checked on every call.
 */
function allowCrossOrigin(reply: FastifyReply | ServerResponse, origin: string | undefined) {
  const set = (k: string, v: string) =>
    "raw" in reply ? (reply as FastifyReply).header(k, v) : (reply as ServerResponse).setHeader(k, v);
  set("access-control-allow-origin", origin ?? "*");
  set("vary", "origin");
  set("cross-origin-resource-policy", "cross-origin");
}

export function chatRoutes(m: ChatModule, opts: { events: EventBus; attachmentMaxBytes: number; now: () => number }) {
  const { chat, sites, ticketing } = m;
  const { writes, identities } = m.limits;
  const fileLimit = Math.ceil((opts.attachmentMaxBytes * 4) / 3) + 64 * 1024;
  const streams = new Set<ServerResponse>();
  const hub = new ChatHub(opts.events);

  const limit = async (limiter: RateLimiter, key: string, reply: FastifyReply) => {
    const wait = await limiter.take(key, opts.now());
    if (wait > 0) {
      reply.header("retry-after", Math.ceil(wait / 1000));
      throw new Problem(429, ProblemType.rateLimited, "Too many requests", "Slow down: retry after a moment");
    }
  };
  /** Every widget call: CORS, the site's origin list, the visitor's signature (constant time), then the limit. */
  const visitor = async (request: FastifyRequest, reply: FastifyReply, c: VisitorCredentials, write: boolean) => {
    const origin = request.headers.origin;
    allowCrossOrigin(reply, origin);
    const v = await sites.verify(c);
    if (!sites.originAllowed(v.site, origin))
      throw new Problem(403, "chat-origin-refused", "Origin refused", "This site does not embed the chat from here");
    if (write) await limit(writes, `${v.site.id}|${v.visitorId}|${request.ip}`, reply);
    return v;
  };

  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.addHook("preClose", async () => {
      for (const res of streams) res.end();
    });

    app.get(
      "/chat/widget.js",
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary:
            'The chat widget: one <script src="/chat/widget.js" data-site data-visitor data-signature data-lang> tag on any page, no framework',
          produces: ["text/javascript"],
          response: { 200: Type.String() },
        },
      },
      async (_request, reply) =>
        reply
          .type("text/javascript; charset=utf-8")
          .header("cross-origin-resource-policy", "cross-origin")
          .header("cache-control", "public, max-age=300")
          .send(widgetScript()),
    );
    // Preflight of the widget's JSON posts from other origins.
    app.options(`${WIDGET}/*`, { config: pub, schema: { hide: true } }, async (request, reply) => {
      allowCrossOrigin(reply, request.headers.origin);
      return reply
        .header("access-control-allow-methods", "GET, POST")
        .header("access-control-allow-headers", "content-type, last-event-id")
        .header("access-control-max-age", "600")
        .code(204)
        .send();
    });

    app.get(
      `${WIDGET}/sites/:siteId`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary:
            "What the widget shows first: the site's name, whether agents attend now (plan calendar), and when they next do",
          params: S.SiteParams,
          response: { 200: S.SiteInfo, ...problems(400, 403, 404) },
        },
      },
      async (request, reply) => {
        allowCrossOrigin(reply, request.headers.origin);
        const site = await sites.find(request.params.siteId);
        if (!sites.originAllowed(site, request.headers.origin))
          throw new Problem(
            403,
            "chat-origin-refused",
            "Origin refused",
            "This site does not embed the chat from here",
          );
        return { id: site.id, name: site.name, visitors: site.visitors, ...(await sites.hours(site)) };
      },
    );
    app.post(
      `${WIDGET}/sites/:siteId/visitors`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary: "A signed identity for an anonymous visitor, on a site that allows them (rate-limited per address)",
          params: S.SiteParams,
          response: { 201: S.VisitorIdentity, ...problems(400, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        allowCrossOrigin(reply, request.headers.origin);
        // Signed first (it writes nothing): a request for no site (404) or a verified one (403) takes no token.
        const identity = await sites.anonymousVisitor(request.params.siteId);
        await limit(identities, request.ip, reply);
        return reply.code(201).send(identity);
      },
    );
    app.post(
      `${WIDGET}/conversations`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary:
            "The pre-chat form: opens the visitor's conversation (or resumes the one still open); 409 chat-offline outside the site's hours",
          body: S.StartInput,
          response: { 200: S.Conversation, ...problems(400, 403, 409, 429) },
        },
      },
      async (request, reply) => {
        const { siteId, visitorId, signature, ...form } = request.body;
        const v = await visitor(request, reply, { siteId, visitorId, signature }, true);
        return chat.start(v, form);
      },
    );
    app.post(
      `${WIDGET}/offline`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary:
            "The offline form: opens a ticket of channel chat that continues by email (the requester is acknowledged)",
          body: S.OfflineInput,
          response: { 201: S.OfflineResult, ...problems(400, 403, 429) },
        },
      },
      async (request, reply) => {
        const { siteId, visitorId, signature, ...form } = request.body;
        const v = await visitor(request, reply, { siteId, visitorId, signature }, true);
        return reply.code(201).send(await ticketing.offline(v, form));
      },
    );
    app.get(
      `${WIDGET}/conversations/:id/events`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary: "The visitor's conversation events after a cursor (a replay; the stream does the same live)",
          params: S.IdParams,
          querystring: S.VisitorQuery,
          response: { 200: S.ChatEventList, ...problems(400, 403, 404) },
        },
      },
      async (request, reply) => {
        const { after = 0, ...c } = request.query;
        const v = await visitor(request, reply, c, false);
        const conv = await chat.visitorConversation(v, request.params.id);
        return { items: await chat.eventsOf(conv, after) };
      },
    );
    app.get(
      `${WIDGET}/conversations/:id/stream`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary:
            "The visitor's conversation as server-sent events (id = cursor); reconnect with Last-Event-ID or ?after= to replay what was missed",
          params: S.IdParams,
          querystring: S.VisitorQuery,
          headers: S.LastEventHeaders,
          produces: ["text/event-stream"],
          response: { 200: Type.String({ description: "text/event-stream" }), ...problems(400, 403, 404) },
        },
      },
      async (request, reply) => {
        const { after, ...c } = request.query;
        const v = await visitor(request, reply, c, false);
        const conv = await chat.visitorConversation(v, request.params.id);
        const header = request.headers["last-event-id"];
        const from = Math.max(after ?? 0, typeof header === "string" ? Number(header) : 0);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          connection: "keep-alive",
          "x-accel-buffering": "no",
          "access-control-allow-origin": request.headers.origin ?? "*",
          "cross-origin-resource-policy": "cross-origin",
          vary: "origin",
        });
        res.write("retry: 1000\n: connected\n\n");
        streams.add(res);
        streamConversation(res, conv, from, {
          hub,
          chat,
          typingOf: "agent",
          onClose: () => streams.delete(res),
        });
      },
    );
    app.post(
      `${WIDGET}/conversations/:id/messages`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary: "The visitor posts a message; idempotent by clientId (a repeat answers 200 with the first event)",
          params: S.IdParams,
          body: S.VisitorMessage,
          response: { 200: S.PostResult, 201: S.PostResult, ...problems(400, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const { siteId, visitorId, signature, ...input } = request.body;
        const v = await visitor(request, reply, { siteId, visitorId, signature }, true);
        const r = await chat.visitorPost(v, request.params.id, input);
        return reply.code(r.created ? 201 : 200).send(r.event);
      },
    );
    app.post(
      `${WIDGET}/conversations/:id/attachments`,
      {
        bodyLimit: fileLimit,
        config: pub,
        schema: {
          tags: widgetTags,
          summary: "The visitor sends a file (base64; the ticket attachment limit and store); idempotent by clientId",
          params: S.IdParams,
          body: S.VisitorFile(opts.attachmentMaxBytes),
          response: { 200: S.PostResult, 201: S.PostResult, ...problems(400, 403, 404, 409, 413, 429) },
        },
      },
      async (request, reply) => {
        const { siteId, visitorId, signature, ...input } = request.body;
        const v = await visitor(request, reply, { siteId, visitorId, signature }, true);
        const r = await chat.visitorAttach(v, request.params.id, input);
        return reply.code(r.created ? 201 : 200).send(r.event);
      },
    );
    app.get(
      `${WIDGET}/conversations/:id/files/:seq`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary: "Download a file of the visitor's conversation (always as a download)",
          params: S.FileParams,
          querystring: S.Credentials,
          produces: ["application/octet-stream"],
          response: { 200: Type.String({ format: "binary" }), ...problems(400, 403, 404) },
        },
      },
      async (request, reply) => {
        const v = await visitor(request, reply, request.query, false);
        const conv = await chat.visitorConversation(v, request.params.id);
        return sendFile(reply, await chat.file(conv, request.params.seq));
      },
    );
    app.post(
      `${WIDGET}/conversations/:id/typing`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary: "The visitor started or stopped typing (shown to the agent; not replayed)",
          params: S.IdParams,
          body: S.VisitorTyping,
          response: { 204: Type.Null(), ...problems(400, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        const { siteId, visitorId, signature, typing } = request.body;
        const v = await visitor(request, reply, { siteId, visitorId, signature }, true);
        await chat.visitorTyping(v, request.params.id, typing);
        return reply.code(204).send(null);
      },
    );
    app.post(
      `${WIDGET}/conversations/:id/close`,
      {
        config: pub,
        schema: {
          tags: widgetTags,
          summary: "The visitor ends the chat; its transcript becomes a ticket",
          params: S.IdParams,
          body: S.Credentials,
          response: { 200: S.Conversation, ...problems(400, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        const v = await visitor(request, reply, request.body, true);
        await chat.visitorClose(v, request.params.id);
        return presentConversation(await chat.visitorConversation(v, request.params.id));
      },
    );

    // the portal: a customer user chats as themselves ------------------------------------------------------
    app.get(
      "/api/v1/chat/portal-site",
      {
        config: { area: "tickets", access: "read", roles: customerRoles },
        schema: {
          tags,
          summary: "The chat site the portal shows its launcher for, if any",
          response: { 200: S.PortalSite, ...problems(401, 403) },
        },
      },
      async () => ({ siteId: await sites.portalSite() }),
    );
    app.get(
      "/api/v1/chat/portal-identity/:siteId",
      {
        config: { area: "tickets", access: "read", roles: customerRoles },
        schema: {
          tags,
          summary: "The signed visitor identity of the portal user on a chat site (for the widget on the portal)",
          params: S.SiteParams,
          response: { 200: S.PortalIdentity, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return sites.portalIdentity(request.params.siteId, actor);
      },
    );

    // sites ------------------------------------------------------------------------------------------------
    app.get(
      "/api/v1/chat/sites",
      {
        config: siteAdmin,
        schema: {
          tags,
          summary: "Chat sites with their signing keys",
          response: { 200: S.SiteList, ...problems(401, 403) },
        },
      },
      async () => ({ items: await sites.list() }),
    );
    app.post(
      "/api/v1/chat/sites",
      {
        config: siteAdmin,
        schema: {
          tags,
          summary: "Add a chat site: its organization, visitors (verified or anonymous), calendar and allowed origins",
          body: S.SiteInput,
          response: { 201: S.Site, ...problems(400, 401, 403) },
        },
      },
      async (request, reply) => reply.code(201).send(await sites.create(request.body)),
    );
    app.get(
      "/api/v1/chat/sites/:siteId",
      {
        config: siteAdmin,
        schema: {
          tags,
          summary: "One chat site",
          params: S.SiteParams,
          response: { 200: S.Site, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => sites.get(request.params.siteId),
    );
    app.patch(
      "/api/v1/chat/sites/:siteId",
      {
        config: siteAdmin,
        schema: {
          tags,
          summary: "Change a chat site",
          params: S.SiteParams,
          body: S.SitePatch,
          response: { 200: S.Site, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => sites.update(request.params.siteId, request.body),
    );
    app.post(
      "/api/v1/chat/sites/:siteId/rotate-secret",
      {
        config: siteAdmin,
        schema: {
          tags,
          summary: "A new signing key for the site: signatures made with the old one are refused from now on",
          params: S.SiteParams,
          response: { 200: S.Site, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => sites.rotateSecret(request.params.siteId),
    );

    // conversations (the console) ----------------------------------------------------------------------------
    app.get(
      "/api/v1/chat/conversations",
      {
        config: staff("read"),
        schema: {
          tags,
          summary: "Chat conversations, newest first (a customer user: their organization's)",
          querystring: S.ConversationQuery,
          response: { 200: S.ConversationPage, ...problems(400, 401, 403) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, status } = request.query;
        const rows = await chat.list(requireActor(request), { status, cursor: decodeCursor(cursor), limit: limit + 1 });
        return toPage(rows, limit, (c) => c.id);
      },
    );
    app.get(
      "/api/v1/chat/conversations/:id",
      {
        config: staff("read"),
        schema: {
          tags,
          summary: "One conversation",
          params: S.IdParams,
          response: { 200: S.Conversation, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => presentConversation(await chat.conversation(requireActor(request), request.params.id)),
    );
    app.get(
      "/api/v1/chat/conversations/:id/events",
      {
        config: staff("read"),
        schema: {
          tags,
          summary: "A conversation's events after a cursor (the console fills a gap with it after a reconnect)",
          params: S.IdParams,
          querystring: S.AfterQuery,
          response: { 200: S.ChatEventList, ...problems(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const c = await chat.conversation(requireActor(request), request.params.id);
        return { items: await chat.eventsOf(c, request.query.after ?? 0) };
      },
    );
    app.get(
      "/api/v1/chat/conversations/:id/files/:seq",
      {
        config: staff("read"),
        schema: {
          tags,
          summary: "Download a file sent in a conversation (always as a download)",
          params: S.FileParams,
          produces: ["application/octet-stream"],
          response: { 200: Type.String({ format: "binary" }), ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const c = await chat.conversation(requireActor(request), request.params.id);
        return sendFile(reply, await chat.file(c, request.params.seq));
      },
    );
    const action = (path: string, summary: string, run: (actor: Actor, id: string) => Promise<unknown>) =>
      app.post(
        `/api/v1/chat/conversations/:id/${path}`,
        {
          config: { area: "tickets", access: "write", roles: staffRoles },
          schema: {
            tags,
            summary,
            params: S.IdParams,
            response: { 200: S.Conversation, ...problems(400, 401, 403, 404, 409) },
          },
        },
        async (request) => {
          const actor = requireActor(request);
          await run(actor, request.params.id);
          return presentConversation(await chat.conversation(actor, request.params.id));
        },
      );
    action("accept", "Take a waiting conversation (409 when another agent has it)", (actor, id) =>
      chat.accept(actor, id),
    );
    action(
      "close",
      "Close the conversation; its transcript becomes a ticket (or joins the visitor's open one)",
      (actor, id) => chat.agentClose(actor, id),
    );
    app.post(
      "/api/v1/chat/conversations/:id/transfer",
      {
        config: { area: "tickets", access: "write", roles: staffRoles },
        schema: {
          tags,
          summary: "Hand the conversation to another agent",
          params: S.IdParams,
          body: S.TransferInput,
          response: { 200: S.Conversation, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        await chat.transfer(actor, request.params.id, request.body.userId);
        return presentConversation(await chat.conversation(actor, request.params.id));
      },
    );
    app.post(
      "/api/v1/chat/conversations/:id/messages",
      {
        config: { area: "tickets", access: "write", roles: staffRoles },
        schema: {
          tags,
          summary: "The agent answers (taking a waiting conversation); idempotent by clientId",
          params: S.IdParams,
          body: S.AgentMessage,
          response: { 200: S.PostResult, 201: S.PostResult, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const r = await chat.agentPost(requireActor(request), request.params.id, request.body);
        return reply.code(r.created ? 201 : 200).send(r.event);
      },
    );
    app.post(
      "/api/v1/chat/conversations/:id/attachments",
      {
        bodyLimit: fileLimit,
        config: { area: "tickets", access: "write", roles: staffRoles },
        schema: {
          tags,
          summary: "The agent sends a file (base64; the ticket attachment limit); idempotent by clientId",
          params: S.IdParams,
          body: S.AgentFile(opts.attachmentMaxBytes),
          response: { 200: S.PostResult, 201: S.PostResult, ...problems(400, 401, 403, 404, 409, 413) },
        },
      },
      async (request, reply) => {
        const r = await chat.agentAttach(requireActor(request), request.params.id, request.body);
        return reply.code(r.created ? 201 : 200).send(r.event);
      },
    );
    app.post(
      "/api/v1/chat/conversations/:id/typing",
      {
        config: { area: "tickets", access: "write", roles: staffRoles },
        schema: {
          tags,
          summary: "The agent started or stopped typing (shown to the visitor; not replayed)",
          params: S.IdParams,
          body: S.AgentTyping,
          response: { 204: Type.Null(), ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await chat.agentTyping(requireActor(request), request.params.id, request.body.typing);
        return reply.code(204).send(null);
      },
    );
  };
  return plugin;
}

const staffRoles = ["admin", "manager", "agent", "noc", "security"] as const;

function sendFile(
  reply: FastifyReply,
  f: { filename: string; contentType: string; size: number; stream: NodeJS.ReadableStream },
) {
  const ascii = f.filename.replace(/[^\x20-\x7e]/g, "_").replace(/[\\"]/g, "_");
  return reply
    .type(f.contentType)
    .header("content-length", f.size)
    .header(
      "content-disposition",
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(f.filename)}`,
    )
    .header("x-content-type-options", "nosniff")
    .header("content-security-policy", "default-src 'none'; sandbox")
    .header("cache-control", "private, no-store")
    .send(f.stream);
}
