import { Type } from "typebox";
import { Problem } from "../../platform/http/problems.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { type KbApp, READ, STAFF_ROLES, tags } from "./extras-access.js";
import * as S from "./extras-schemas.js";
import type { SuggestionService } from "./suggestions.js";

/** Suggestions while a ticket is typed, deflection sessions and their summary, an article inserted into a reply. */
export function suggestionRoutes(app: KbApp, suggestions: SuggestionService) {
  app.get(
    "/api/v1/kb/suggestions",
    {
      config: { area: "tickets", access: "read" },
      schema: {
        tags,
        summary:
          "Articles suggested for what a customer types as a new ticket's subject (q), or for a ticket (ticketId), for the caller's audience",
        querystring: S.SuggestionQuery,
        response: { 200: Type.Object({ items: Type.Array(S.Suggestion) }), ...problems(400, 404) },
      },
    },
    async (request) => {
      const { q, ticketId, limit = 5 } = request.query;
      const actor = requireActor(request);
      if (ticketId && q !== undefined)
        throw Problem.invalid({ in: "querystring", pointer: "/ticketId", message: "give q or ticketId, not both" });
      if (ticketId) return { items: await suggestions.forTicket(actor, ticketId, limit) };
      return { items: await suggestions.suggest(actor, q ?? "", limit) };
    },
  );
  app.post(
    "/api/v1/kb/deflections",
    {
      config: { area: "tickets", access: "write" },
      schema: {
        tags,
        summary:
          "Record how a new-ticket form with suggestions ended: left without a ticket (deflected), solved by an article, or submitted",
        body: S.DeflectionInput,
        response: { 201: Type.Object({ id: Type.String(), outcome: Type.String() }), ...problems(400, 404) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await suggestions.recordDeflection(requireActor(request), request.body)),
  );
  app.get(
    "/api/v1/kb/deflections/summary",
    {
      config: { ...READ, roles: ["admin", "manager", "auditor", "customer-admin"] },
      schema: {
        tags,
        summary: "Deflection over a period (default: the last 30 days): sessions and how they ended",
        querystring: S.PeriodQuery,
        response: { 200: S.DeflectionSummary, ...problems(400) },
      },
    },
    async (request) =>
      suggestions.summary(
        requireActor(request),
        request.query.from ? new Date(request.query.from) : undefined,
        request.query.to ? new Date(request.query.to) : undefined,
      ),
  );
  app.post(
    "/api/v1/kb/articles/:id/reply",
    {
      config: { area: "tickets", access: "write", roles: STAFF_ROLES },
      schema: {
        tags,
        summary:
          "An article as reply text for a ticket (a link and its summary in Markdown); 409 when the ticket's requester may not read it",
        params: S.IdParams,
        body: S.ReplyInsertInput,
        response: { 200: S.ReplyInsert, ...problems(400, 404, 409) },
      },
    },
    async (request) => suggestions.replyInsert(requireActor(request), request.body.ticketId, request.params.id),
  );
}
