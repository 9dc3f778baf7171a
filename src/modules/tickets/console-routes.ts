import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { Id, Instant, literals, nullable, problems, strict } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { staffRoles } from "../identity/roles.js";
import { type CannedResponseService, placeholders } from "./canned-responses.js";
import type { PresenceService } from "./presence.js";
import { IdParams } from "./schemas.js";

const Team = Type.String({ minLength: 1, maxLength: 60, pattern: "^[^\\s].*$" });
const placeholderList = placeholders.map((p) => `{{${p}}}`).join(", ");

const Canned = Type.Object(
  {
    id: Id,
    team: nullable(Team),
    title: Type.String(),
    body: Type.String(),
    createdBy: Id,
    createdAt: Instant,
    updatedAt: Instant,
  },
  strict,
);
const CannedInput = Type.Object(
  {
    team: Type.Optional(nullable(Team)),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 20_000, description: `Text with placeholders: ${placeholderList}` }),
  },
  strict,
);
const CannedPatch = Type.Partial(CannedInput, strict);
const CannedQuery = Type.Object(
  {
    team: Type.Optional(Team),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  strict,
);
const Presence = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        { userId: Id, name: Type.String(), activity: literals(["viewing", "replying"] as const), since: Instant },
        strict,
      ),
    ),
  },
  strict,
);

const staff = { area: "tickets", roles: staffRoles } as const;

/** The agent console's helpers around a ticket: canned responses and who else has the ticket open. */
export function consoleRoutes(canned: CannedResponseService, presence: PresenceService) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/canned-responses",
      {
        config: { ...staff, access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Canned responses: the shared ones and your teams' (admins and managers see every team's)",
          querystring: CannedQuery,
          response: {
            200: Type.Object({ items: Type.Array(Canned), nextCursor: nullable(Type.String()) }, strict),
            ...problems(400),
          },
        },
      },
      async (request) => {
        const { limit = 100, cursor, ...filter } = request.query;
        const rows = await canned.list(requireActor(request), {
          ...filter,
          after: decodeCursor(cursor),
          limit: limit + 1,
        });
        return toPage(rows, limit, (r) => r.id);
      },
    );
    app.post(
      "/api/v1/canned-responses",
      {
        config: { ...staff, access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Write a canned response for one of your teams (admins and managers: any team, or shared)",
          body: CannedInput,
          response: { 201: Canned, ...problems(400) },
        },
      },
      async (request, reply) => reply.code(201).send(await canned.create(requireActor(request), request.body, request)),
    );
    app.get(
      "/api/v1/canned-responses/:id",
      {
        config: { ...staff, access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "One canned response",
          params: IdParams,
          response: { 200: Canned, ...problems(400, 404) },
        },
      },
      async (request) => canned.get(requireActor(request), request.params.id),
    );
    app.patch(
      "/api/v1/canned-responses/:id",
      {
        config: { ...staff, access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Change a canned response",
          params: IdParams,
          body: CannedPatch,
          response: { 200: Canned, ...problems(400, 404) },
        },
      },
      async (request) => canned.update(requireActor(request), request.params.id, request.body, request),
    );
    app.delete(
      "/api/v1/canned-responses/:id",
      {
        config: { ...staff, access: "write" },
        schema: {
          tags: ["tickets"],
          summary: "Delete a canned response",
          params: IdParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await canned.remove(requireActor(request), request.params.id, request);
        return reply.code(204).send(null);
      },
    );
    app.post(
      "/api/v1/canned-responses/:id/render",
      {
        config: { ...staff, access: "read" },
        schema: {
          tags: ["tickets"],
          summary: `A canned response with its placeholders filled for a ticket and you (${placeholderList})`,
          params: IdParams,
          body: Type.Object({ ticketId: Id }, strict),
          response: {
            200: Type.Object({ id: Id, title: Type.String(), body: Type.String() }, strict),
            ...problems(400, 404),
          },
        },
      },
      async (request) => canned.render(requireActor(request), request.params.id, request.body.ticketId),
    );

    app.get(
      "/api/v1/tickets/:id/presence",
      {
        config: { ...staff, access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "Other staff who have the ticket open now, and whether they are replying",
          params: IdParams,
          response: { 200: Presence, ...problems(400, 404) },
        },
      },
      async (request) => ({ items: await presence.others(requireActor(request), request.params.id) }),
    );
    app.put(
      "/api/v1/tickets/:id/presence",
      {
        config: { ...staff, access: "read" },
        schema: {
          tags: ["tickets"],
          summary:
            "Heartbeat of your open ticket page (every 10 s; counts for 30 s): viewing or replying. Returns the others present",
          params: IdParams,
          body: Type.Object({ activity: literals(["viewing", "replying"] as const) }, strict),
          response: { 200: Presence, ...problems(400, 404) },
        },
      },
      async (request) => ({
        items: await presence.beat(requireActor(request), request.params.id, request.body.activity),
      }),
    );
    app.delete(
      "/api/v1/tickets/:id/presence",
      {
        config: { ...staff, access: "read" },
        schema: {
          tags: ["tickets"],
          summary: "You left the ticket page",
          params: IdParams,
          response: { 204: Type.Null(), ...problems(400, 404) },
        },
      },
      async (request, reply) => {
        await presence.leave(requireActor(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
  return plugin;
}
