import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { AREA, type StatusModule, tags } from "./route-kit.js";
import * as S from "./schemas.js";

/** Change records (the plan's updates: security, fix, improvement). */
export function changeRoutes(m: StatusModule) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/changes",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "Change records (security, fix, improvement), newest first",
          querystring: S.PageQuery,
          response: {
            200: Type.Object({ items: Type.Array(S.Change), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
            ...problems(400),
          },
        },
      },
      async (request) => {
        const { limit = 50, cursor } = request.query;
        return toPage(await m.changes.list({ limit: limit + 1, after: decodeCursor(cursor) }), limit, (c) => c.id);
      },
    );
    app.post(
      "/api/v1/changes",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Record a change; one applied outside a maintenance window needs outsideWindowReason",
          body: S.ChangeInput,
          response: { 201: S.Change, ...problems(400) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await m.changes.create(requireActor(request), request.body, request)),
    );
    app.get(
      "/api/v1/changes/:id",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "One change record",
          params: S.IdParams,
          response: { 200: S.Change, ...problems(404) },
        },
      },
      async (request) => m.changes.get(request.params.id),
    );
    app.patch(
      "/api/v1/changes/:id",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Update a change record (validation, window, application, outcome)",
          params: S.IdParams,
          body: S.ChangePatch,
          response: { 200: S.Change, ...problems(400, 404) },
        },
      },
      async (request) => m.changes.update(requireActor(request), request.params.id, request.body, request),
    );
  };
  return plugin;
}
