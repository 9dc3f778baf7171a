import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import type { TicketBulkService } from "./bulk-service.js";
import * as S from "./console-schemas.js";
import type { TicketQueueService } from "./queue-service.js";
import { IdParams } from "./schemas.js";
import type { TicketService } from "./service.js";
import type { TicketViewService } from "./views-service.js";

export interface TicketConsole {
  queue: TicketQueueService;
  views: TicketViewService;
  bulk: TicketBulkService;
}

const split = (v: string | undefined) => (v ? v.split(",") : undefined);

/** The agent console: queues with counts, workload, saved views, bulk actions and routing rules. */
export function ticketConsoleRoutes(console: TicketConsole, tickets: TicketService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/tickets/queue",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "A queue of tickets with organization and assignee names, sorted by urgency, keyset-paginated",
          querystring: S.QueueQuery,
          response: { 200: S.QueuePage, ...problems(400, 404, 409) },
        },
      },
      async (request) => {
        const { limit = 50, cursor, sort = "urgency", status, severity, tier, ...rest } = request.query;
        return console.queue.page(
          requireActor(request),
          { ...rest, status: split(status), severity: split(severity), tier: split(tier) },
          sort,
          cursor,
          limit,
        );
      },
    );
    app.get(
      "/api/v1/tickets/queue/counts",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Open tickets in each queue, by tier and by organization",
          response: { 200: S.QueueCounts, ...problems(400, 404, 409) },
        },
      },
      async (request) => console.queue.counts(requireActor(request)),
    );
    app.get(
      "/api/v1/tickets/workload",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Open tickets per agent and team by severity and SLA state, and today's SLA compliance (staff)",
          response: { 200: S.Workload, ...problems(400, 403, 404, 409) },
        },
      },
      async (request) => console.queue.workload(requireActor(request)),
    );
    app.post(
      "/api/v1/tickets/bulk",
      {
        config: { area: "tickets", access: "write" },
        schema: {
          tags: ["tickets"],
          summary:
            "One action (assign, status, severity, tier, team, tag, merge) over up to 5,000 tickets; each ticket changes entirely or not at all, with a result per ticket",
          body: S.BulkInput,
          response: { 200: S.BulkResult, ...problems(400, 403, 404, 409) },
        },
      },
      async (request) => console.bulk.run(requireActor(request), request.body, request),
    );

    app.get(
      "/api/v1/ticket-views",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Saved queue views: the reader's own and those shared in their organization",
          response: { 200: S.ViewList, ...problems(400, 404, 409) },
        },
      },
      async (request) => ({ items: await console.views.list(requireActor(request)) }),
    );
    app.post(
      "/api/v1/ticket-views",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Save a queue view (personal, or shared with the organization)",
          body: S.ViewInput,
          response: { 201: S.View, ...problems(400, 404, 409) },
        },
      },
      async (request, reply) => reply.code(201).send(await console.views.create(requireActor(request), request.body)),
    );
    app.get(
      "/api/v1/ticket-views/:id",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "One saved view",
          params: IdParams,
          response: { 200: S.View, ...problems(400, 404, 409) },
        },
      },
      async (request) => console.views.get(requireActor(request), request.params.id),
    );
    app.patch(
      "/api/v1/ticket-views/:id",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Change a saved view (its owner only)",
          params: IdParams,
          body: S.ViewPatch,
          response: { 200: S.View, ...problems(400, 403, 404, 409) },
        },
      },
      async (request) => console.views.update(requireActor(request), request.params.id, request.body),
    );
    app.delete(
      "/api/v1/ticket-views/:id",
      {
        config: { area: "tickets", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Delete a saved view (its owner only)",
          params: IdParams,
          response: { 204: Type.Null(), ...problems(400, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await console.views.remove(requireActor(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/api/v1/ticket-routing-rules",
      {
        config: { area: "plan", access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Triage rules in order: where new tickets start (tier, team, assignee, tier-clock calendar)",
          response: { 200: S.RoutingRules, ...problems(400, 404, 409) },
        },
      },
      async () => ({ items: await tickets.triage.rules() }),
    );
    app.put(
      "/api/v1/ticket-routing-rules",
      {
        config: { area: "plan", access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Replace the triage rules (every rule, in order)",
          body: S.RoutingRulesInput,
          response: { 200: S.RoutingRules, ...problems(400, 404, 409) },
        },
      },
      async (request) => ({
        items: await tickets.triage.replace(requireActor(request), request.body.items, request),
      }),
    );
  };
  return plugin;
}
