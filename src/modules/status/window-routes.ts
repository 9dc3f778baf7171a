import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { Problem } from "../../platform/http/problems.js";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { AREA, type StatusModule, tags } from "./route-kit.js";
import * as S from "./schemas.js";

/** Maintenance windows and their occurrences (the calendar). */
export function windowRoutes(m: StatusModule) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/maintenance-windows",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "Maintenance windows, newest first",
          querystring: S.PageQuery,
          response: {
            200: Type.Object({ items: Type.Array(S.Window), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
            ...problems(400),
          },
        },
      },
      async (request) => {
        const { limit = 50, cursor } = request.query;
        return toPage(await m.maintenance.list({ limit: limit + 1, after: decodeCursor(cursor) }), limit, (w) => w.id);
      },
    );
    app.get(
      "/api/v1/maintenance-windows/occurrences",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "Every occurrence of the windows in [from, to) (at most 62 days): the calendar's month and week",
          querystring: S.OccurrencesQuery,
          response: { 200: Type.Object({ items: Type.Array(S.Occurrence) }), ...problems(400) },
        },
      },
      async (request) => {
        const from = new Date(request.query.from);
        const to = new Date(request.query.to);
        if (!(to > from) || to.getTime() - from.getTime() > 62 * 86_400_000)
          throw Problem.invalid({
            in: "querystring",
            pointer: "/to",
            message: "must be after from, at most 62 days on",
          });
        const items = (await m.maintenance.occurrences(from, to)).map((o) => ({
          windowId: o.window.id,
          title: o.window.title,
          startsAt: o.start.toISOString(),
          endsAt: o.end.toISOString(),
        }));
        return { items };
      },
    );
    app.post(
      "/api/v1/maintenance-windows",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary:
            "Schedule a maintenance window (one-off, or recurring by an RRULE); warnings say where it strays from the plan",
          body: S.WindowInput,
          response: { 201: S.Window, ...problems(400) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await m.maintenance.create(requireActor(request), request.body, request)),
    );
    app.get(
      "/api/v1/maintenance-windows/:id",
      {
        config: { area: AREA, access: "read" },
        schema: {
          tags,
          summary: "One maintenance window",
          params: S.IdParams,
          response: { 200: S.Window, ...problems(404) },
        },
      },
      async (request) => m.maintenance.get(request.params.id),
    );
    app.patch(
      "/api/v1/maintenance-windows/:id",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Move or change a window that has not completed; moving it announces it again",
          params: S.IdParams,
          body: S.WindowPatch,
          response: { 200: S.Window, ...problems(400, 404, 409) },
        },
      },
      async (request) => m.maintenance.update(requireActor(request), request.params.id, request.body, request),
    );
    app.post(
      "/api/v1/maintenance-windows/:id/cancel",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Cancel a window: its timers stop and its silences are lifted",
          params: S.IdParams,
          response: { 200: S.Window, ...problems(404) },
        },
      },
      async (request) => m.maintenance.cancel(requireActor(request), request.params.id, request),
    );
  };
  return plugin;
}
