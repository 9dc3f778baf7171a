import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { problems } from "../../platform/http/schemas.js";
import { requireActor, tenantOf } from "../identity/actor.js";
import type { DirectoryService } from "../identity/directory.js";
import { customerRoles } from "../identity/roles.js";
import type { TicketAudience } from "./audience.js";
import type { CsatService } from "./csat-service.js";
import * as S from "./portal-schemas.js";
import type { PortalService } from "./portal-service.js";
import { AttachmentInput, IdParams } from "./schemas.js";

const portal = (access: "read" | "write") => ({ area: "tickets" as const, access, roles: customerRoles });

/** The customer portal's API, the survey links (public) and the CSAT of a ticket and an organization. */
export function portalRoutes(deps: {
  portal: PortalService;
  csat: CsatService;
  ticketAudience: TicketAudience;
  directory: DirectoryService;
  attachmentMaxBytes: number;
}) {
  const { portal: service, csat, ticketAudience: tickets, directory } = deps;
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/portal/guide",
      {
        config: portal("read"),
        schema: {
          tags: ["portal"],
          summary: "How to choose a severity: the plan's severities with their promised times, and the ticket types",
          response: { 200: S.PortalGuide },
        },
      },
      async () => service.guide(),
    );
    app.get(
      "/api/v1/portal/tickets",
      {
        config: portal("read"),
        schema: {
          tags: ["portal"],
          summary:
            "Tickets the customer may see (a customer-admin: the organization's; a customer: theirs and those shared with them), newest first",
          querystring: S.PortalQuery,
          response: { 200: S.PortalPage, ...problems(400) },
        },
      },
      async (request) => {
        const { limit = 25, ...rest } = request.query;
        return service.list(requireActor(request), { ...rest, limit });
      },
    );
    app.post(
      "/api/v1/portal/tickets",
      {
        config: portal("write"),
        schema: {
          tags: ["portal"],
          summary: "Open a ticket for the customer's organization",
          body: S.PortalTicketInput,
          response: { 201: S.PortalTicket, ...problems(400, 404) },
        },
      },
      async (request, reply) => reply.code(201).send(await service.open(requireActor(request), request.body, request)),
    );
    for (const [method, watching] of [
      ["PUT", true],
      ["DELETE", false],
    ] as const) {
      app.route({
        method,
        url: "/api/v1/portal/tickets/:number/watch",
        config: portal("write"),
        schema: {
          tags: ["portal"],
          summary: watching
            ? "Watch the ticket: be mailed about its replies and status changes"
            : "Stop watching the ticket (a ticket only shared with the reader then leaves its list)",
          params: S.NumberParams,
          response: { 200: S.PortalWatching, ...problems(400, 404) },
        },
        handler: async (request) =>
          service.setWatching(requireActor(request), request.params.number, watching, request),
      });
    }
    app.get(
      "/api/v1/portal/tickets/:number",
      {
        config: portal("read"),
        schema: {
          tags: ["portal"],
          summary: "One ticket with its public conversation, attachments and satisfaction survey",
          params: S.NumberParams,
          response: { 200: S.PortalTicketDetail, ...problems(400, 404) },
        },
      },
      async (request) => service.get(requireActor(request), request.params.number),
    );
    app.post(
      "/api/v1/portal/tickets/:number/messages",
      {
        config: portal("write"),
        schema: {
          tags: ["portal"],
          summary: "Reply on the ticket (a resolved ticket is reopened by a reply)",
          params: S.NumberParams,
          body: S.PortalReplyInput,
          response: { 201: S.PortalMessage, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await service.reply(requireActor(request), request.params.number, request.body.body, request)),
    );
    app.post(
      "/api/v1/portal/tickets/:number/status",
      {
        config: portal("write"),
        schema: {
          tags: ["portal"],
          summary: "Reopen, resolve or close the ticket",
          params: S.NumberParams,
          body: S.PortalStatusInput,
          response: { 200: S.PortalTicket, ...problems(400, 404, 409) },
        },
      },
      async (request) => service.setStatus(requireActor(request), request.params.number, request.body.status, request),
    );
    app.post(
      "/api/v1/portal/tickets/:number/attachments",
      {
        bodyLimit: Math.ceil((deps.attachmentMaxBytes * 4) / 3) + 64 * 1024,
        config: portal("write"),
        schema: {
          tags: ["portal"],
          summary: "Attach a file (base64 in JSON)",
          params: S.NumberParams,
          body: Type.Omit(AttachmentInput(deps.attachmentMaxBytes), ["messageId"]),
          response: { 201: S.PortalAttachment, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.attach(requireActor(request), request.params.number, request.body, request)),
    );
    app.get(
      "/api/v1/portal/tickets/:number/attachments/:attachmentId",
      {
        config: portal("read"),
        schema: {
          tags: ["portal"],
          summary: "Download an attachment of the ticket's public conversation",
          params: Type.Object(
            { number: S.NumberParams.properties.number, attachmentId: IdParams.properties.id },
            { additionalProperties: false },
          ),
          produces: ["application/octet-stream"],
          response: { 200: Type.String({ format: "binary" }), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        const { attachment, stream } = await service.download(
          requireActor(request),
          request.params.number,
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
      "/api/v1/portal/tickets/:number/rating",
      {
        config: portal("write"),
        schema: {
          tags: ["portal"],
          summary: "Rate the support on the ticket's latest resolution (1-5, with a comment)",
          params: S.NumberParams,
          body: S.RatingInput,
          response: { 200: S.PortalSurvey, ...problems(400, 404, 409, 410) },
        },
      },
      async (request) => service.rate(requireActor(request), request.params.number, request.body),
    );

    // Survey links: no login; the token is the credential, and says only the ticket's number and subject.
    app.get(
      "/api/v1/surveys/:token",
      {
        config: { public: true },
        schema: {
          tags: ["csat"],
          summary: "What a survey link shows: open, already rated, expired or replaced by a newer survey",
          params: S.SurveyToken,
          response: { 200: S.SurveyView, ...problems(400, 404) },
        },
      },
      async (request) => csat.view(request.params.token),
    );
    app.post(
      "/api/v1/surveys/:token",
      {
        config: { public: true },
        schema: {
          tags: ["csat"],
          summary: "Rate through a survey link, once (409 when already answered, 410 when expired or replaced)",
          params: S.SurveyToken,
          body: S.RatingInput,
          response: { 200: S.SurveyView, ...problems(400, 404, 409, 410) },
        },
      },
      async (request) => csat.rateByLink(request.params.token, request.body),
    );

    app.get(
      "/api/v1/tickets/:id/csat",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets", "csat"],
          summary: "Satisfaction surveys of the ticket, one per resolution, with their ratings",
          params: IdParams,
          response: { 200: S.SurveyList, ...problems(400, 404) },
        },
      },
      async (request) => {
        const t = await tickets.get(requireActor(request), request.params.id);
        return { items: await csat.ofTicket(t.id) };
      },
    );
    app.get(
      "/api/v1/organizations/:id/csat",
      {
        config: { area: "organizations", access: "read" },
        schema: {
          tags: ["organizations", "csat"],
          summary: "Whether the organization's requesters get satisfaction surveys",
          params: IdParams,
          response: { 200: S.CsatSettings, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const org = await directory.getOrganization(request.params.id, tenantOf(actor));
        return { surveysEnabled: await csat.surveysEnabled(org.id) };
      },
    );
    app.put(
      "/api/v1/organizations/:id/csat",
      {
        config: { area: "organizations", access: "write" },
        schema: {
          tags: ["organizations", "csat"],
          summary: "Opt the organization in or out of satisfaction surveys",
          params: IdParams,
          body: S.CsatSettings,
          response: { 200: S.CsatSettings, ...problems(400, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const org = await directory.getOrganization(request.params.id, tenantOf(actor));
        return { surveysEnabled: await csat.setSurveysEnabled(actor, org.id, request.body.surveysEnabled) };
      },
    );
  };
  return plugin;
}
