import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import type { TicketAudience } from "./audience.js";
import * as C from "./customer-schemas.js";
import * as S from "./schemas.js";

const split = (v: string | undefined) => (v ? v.split(",") : undefined);

export function ticketRoutes(tickets: TicketAudience, opts: { attachmentMaxBytes: number }) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.post(
      "/api/v1/tickets",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Open a ticket (a customer opens it for its own organization)",
          description:
            "A customer gets the portal's shape (no tier, team, assignee, tags, tier clocks or staff ids) over the tickets the portal shows it.",
          body: S.TicketInput,
          response: { 201: C.TicketView, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await tickets.create(requireActor(request), request.body, request)),
    );

    app.get(
      "/api/v1/tickets",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "The ticket queue, newest first, with keyset pagination",
          description:
            "A customer gets the portal's shape (no tier, team, assignee, tags, tier clocks or staff ids) over the tickets the portal shows it.",
          querystring: S.TicketsQuery,
          response: {
            200: C.TicketPageView,
            ...problems(400, 404, 409),
          },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const { limit = 50, cursor, status, severity, tier, dueBefore, ...rest } = request.query;
        const rows = await tickets.list(actor, {
          ...rest,
          dueBefore: dueBefore ? new Date(dueBefore).toISOString() : undefined,
          status: split(status),
          severity: split(severity),
          tier: split(tier),
          before: decodeCursor(cursor),
          limit: limit + 1,
        });
        return toPage(rows, limit, (t) => t.id);
      },
    );

    app.get(
      "/api/v1/tickets/:id",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "One ticket",
          description:
            "A customer gets the portal's shape (no tier, team, assignee, tags, tier clocks or staff ids) over the tickets the portal shows it.",
          params: S.IdParams,
          response: { 200: C.TicketView, ...problems(400, 404, 409) },
        },
      },
      async (request) => tickets.get(requireActor(request), request.params.id),
    );

    app.patch(
      "/api/v1/tickets/:id",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Change a ticket; every change lands in its history",
          description:
            "A customer gets the portal's shape (no tier, team, assignee, tags, tier clocks or staff ids) over the tickets the portal shows it.",
          params: S.IdParams,
          body: S.TicketPatch,
          response: { 200: C.TicketView, ...problems(400, 404, 409) },
        },
      },
      async (request) => tickets.update(requireActor(request), request.params.id, request.body, request),
    );

    app.post(
      "/api/v1/tickets/:id/messages",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Reply publicly, write an internal note, or log an answered phone call",
          description:
            "A customer gets the portal's shape (no tier, team, assignee, tags, tier clocks or staff ids) over the tickets the portal shows it.",
          params: S.IdParams,
          body: S.MessageInput,
          response: { 201: C.MessageView, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await tickets.addMessage(requireActor(request), request.params.id, request.body, request)),
    );

    app.get(
      "/api/v1/tickets/:id/timeline",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Messages and field history of a ticket (customers see public messages only)",
          description:
            "System notes are written in the language Accept-Language asks for (pt or en), else the user's preference, else pt-BR. A customer gets only the public messages, in the portal's shape.",
          params: S.IdParams,
          response: {
            200: C.TimelineView,
            ...problems(400, 404, 409),
          },
        },
      },
      async (request) => tickets.timeline(requireActor(request), request.params.id, request.headers["accept-language"]),
    );
    app.get(
      "/api/v1/tickets/:id/sla",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets", "sla"],
          summary:
            "The ticket's SLA clocks now, each explained: calendar, target, breach, elapsed and remaining business time, pauses",
          description:
            "Staff only (tier clocks are internal): a customer gets 403 and reads the promised times through /api/v1/portal/tickets.",
          params: S.IdParams,
          response: {
            200: S.SlaExplanation,
            ...problems(400, 404, 409),
          },
        },
      },
      async (request) => tickets.sla(requireActor(request), request.params.id),
    );
    app.get(
      "/api/v1/tickets/:id/links",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Links of a ticket to others (related, duplicate, parent/child)",
          description: "Staff only: a customer gets 403 and reads its tickets through /api/v1/portal/tickets.",
          params: S.IdParams,
          response: { 200: S.LinkList, ...problems(400, 404, 409) },
        },
      },
      async (request) => ({ items: await tickets.linksOf(requireActor(request), request.params.id) }),
    );
    app.post(
      "/api/v1/tickets/:id/links",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Link this ticket to another one",
          description: "Staff only: a customer gets 403 and reads its tickets through /api/v1/portal/tickets.",
          params: S.IdParams,
          body: S.LinkInput,
          response: { 201: S.LinkList, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send({
          items: await tickets.link(requireActor(request), request.params.id, request.body, request),
        }),
    );
    app.delete(
      "/api/v1/tickets/:id/links/:linkId",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Remove a link",
          description: "Staff only: a customer gets 403 and reads its tickets through /api/v1/portal/tickets.",
          params: S.LinkParams,
          response: { 204: Type.Null(), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        await tickets.unlink(requireActor(request), request.params.id, request.params.linkId, request);
        return reply.code(204).send(null);
      },
    );
    app.get(
      "/api/v1/tickets/:id/watchers",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Who watches the ticket (mailed on public replies and status changes)",
          description: "Staff only: a customer gets 403 and reads its tickets through /api/v1/portal/tickets.",
          params: S.IdParams,
          response: { 200: S.Watchers, ...problems(400, 404, 409) },
        },
      },
      async (request) => ({
        items: await tickets.watchersOf(requireActor(request), request.params.id),
      }),
    );
    app.post(
      "/api/v1/tickets/:id/watchers",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Watch the ticket (yourself, or another user who can see it)",
          description: "Staff only: a customer gets 403 and reads its tickets through /api/v1/portal/tickets.",
          params: S.IdParams,
          body: S.WatchInput,
          response: { 201: S.Watchers, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send({
          items: await tickets.watch(requireActor(request), request.params.id, request.body.userId, request),
        }),
    );
    app.delete(
      "/api/v1/tickets/:id/watchers/:userId",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Stop watching the ticket",
          description: "Staff only: a customer gets 403 and reads its tickets through /api/v1/portal/tickets.",
          params: S.WatcherParams,
          response: { 204: Type.Null(), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        await tickets.unwatch(requireActor(request), request.params.id, request.params.userId, request);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/api/v1/tickets/:id/merge",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary:
            "Merge this ticket into another of the same organization; this one is closed and takes no more replies",
          description: "Staff only: a customer gets 403 and reads its tickets through /api/v1/portal/tickets.",
          params: S.IdParams,
          body: S.MergeInput,
          response: { 200: S.Ticket, ...problems(400, 404, 409) },
        },
      },
      async (request) => tickets.merge(requireActor(request), request.params.id, request.body.intoTicketId, request),
    );
    app.post(
      "/api/v1/tickets/:id/attachments",
      {
        // base64 makes the body a third larger than the file.
        bodyLimit: Math.ceil((opts.attachmentMaxBytes * 4) / 3) + 64 * 1024,
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Attach a file (base64 in JSON); its type is detected from the content",
          description:
            "A customer gets the portal's shape (no tier, team, assignee, tags, tier clocks or staff ids) over the tickets the portal shows it.",
          params: S.IdParams,
          body: S.AttachmentInput(opts.attachmentMaxBytes),
          response: { 201: C.AttachmentView, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await tickets.attach(requireActor(request), request.params.id, request.body, request)),
    );
    app.get(
      "/api/v1/tickets/:id/attachments",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Attachments of a ticket (customers: not those of internal notes)",
          description:
            "A customer gets the portal's shape (no tier, team, assignee, tags, tier clocks or staff ids) over the tickets the portal shows it.",
          params: S.IdParams,
          response: { 200: C.AttachmentListView, ...problems(400, 404, 409) },
        },
      },
      async (request) => ({
        items: await tickets.attachmentsOf(requireActor(request), request.params.id),
      }),
    );
    app.get(
      "/api/v1/tickets/:id/attachments/:attachmentId",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Download an attachment (always as a download, never rendered inline)",
          params: S.AttachmentParams,
          produces: ["application/octet-stream"],
          response: { 200: Type.String({ format: "binary" }), ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => {
        const { attachment, stream } = await tickets.download(
          requireActor(request),
          request.params.id,
          request.params.attachmentId,
        );
        const ascii = attachment.filename.replace(/[^\x20-\x7e]/g, "_").replace(/[\\"]/g, "_");
        return reply
          .type(attachment.contentType)
          .header("content-length", attachment.size)
          .header(
            "content-disposition",
            `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
          )
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "default-src 'none'; sandbox")
          .header("cache-control", "private, no-store")
          .send(stream);
      },
    );

    app.post(
      "/api/v1/tickets/:id/escalate",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Move a ticket to another support tier, with the reason on its timeline",
          description: "Staff only: a customer gets 403 and reads its tickets through /api/v1/portal/tickets.",
          params: S.IdParams,
          body: S.EscalateInput,
          response: { 200: S.Ticket, ...problems(400, 404, 409) },
        },
      },
      async (request) =>
        tickets.escalate(requireActor(request), request.params.id, request.body.tier, request.body.reason, request),
    );
  };
  return plugin;
}
