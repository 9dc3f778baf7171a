import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { AREA, type StatusModule, tags } from "./route-kit.js";
import * as S from "./schemas.js";

/** Status components: their links, derived status and manual override. */
export function componentRoutes(m: StatusModule) {
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    app.get(
      "/api/v1/components",
      {
        config: { signedIn: true },
        schema: {
          tags,
          summary: "Status components with their derived status; a customer sees its own and the public ones",
          response: { 200: Type.Object({ items: Type.Array(S.ComponentWithStatus) }) },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const derived = await m.page.derived();
        const items = (await m.components.list(actor)).map((c) => ({
          ...c,
          ...(derived.get(c.id) ?? { status: "operational" as const, source: "none" as const }),
        }));
        return { items };
      },
    );
    app.post(
      "/api/v1/components",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Create a status component",
          body: S.ComponentInput,
          response: { 201: S.Component, ...problems(400) },
        },
      },
      async (request, reply) => {
        const c = await m.components.create(requireActor(request), request.body, request);
        await m.page.refresh();
        return reply.code(201).send(c);
      },
    );
    app.get(
      "/api/v1/components/:id",
      {
        config: { signedIn: true },
        schema: {
          tags,
          summary: "One status component",
          params: S.IdParams,
          response: { 200: S.Component, ...problems(404) },
        },
      },
      async (request) => m.components.get(request.params.id, requireActor(request)),
    );
    app.patch(
      "/api/v1/components/:id",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Change a status component",
          params: S.IdParams,
          body: S.ComponentPatch,
          response: { 200: S.Component, ...problems(400, 404) },
        },
      },
      async (request) => {
        const c = await m.components.update(requireActor(request), request.params.id, request.body, request);
        await m.page.refresh();
        return c;
      },
    );
    app.delete(
      "/api/v1/components/:id",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Delete a status component",
          params: S.IdParams,
          response: { 204: Type.Null(), ...problems(404) },
        },
      },
      async (request, reply) => {
        await m.components.remove(requireActor(request), request.params.id, request);
        await m.page.refresh();
        return reply.code(204).send(null);
      },
    );
    app.put(
      "/api/v1/components/:id/override",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Set the component's status by hand until an instant (it then goes back to the derived one)",
          params: S.IdParams,
          body: S.OverrideInput,
          response: { 200: S.Component, ...problems(400, 404) },
        },
      },
      async (request) => {
        const c = await m.components.override(requireActor(request), request.params.id, request.body, request);
        await m.page.refresh();
        return c;
      },
    );
    app.delete(
      "/api/v1/components/:id/override",
      {
        config: { area: AREA, access: "write" },
        schema: {
          tags,
          summary: "Clear a manual override",
          params: S.IdParams,
          response: { 200: S.Component, ...problems(404) },
        },
      },
      async (request) => {
        const c = await m.components.override(requireActor(request), request.params.id, null, request);
        await m.page.refresh();
        return c;
      },
    );
  };
  return plugin;
}
