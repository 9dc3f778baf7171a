import { Type } from "typebox";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import type { DraftService } from "./drafts.js";
import { type KbApp, READ, STAFF_ROLES, tags, WRITE } from "./extras-access.js";
import * as S from "./extras-schemas.js";

/** Problem/solution drafts from resolved tickets and incidents, and the links back to their sources. */
export function draftRoutes(app: KbApp, drafts: DraftService) {
  app.post(
    "/api/v1/kb/drafts",
    {
      config: WRITE,
      schema: {
        tags,
        summary:
          "Draft a problem/solution article from resolved tickets or incidents: prefilled symptom, cause, fix and affected components, linked to its sources; it then goes through review",
        body: S.DraftInput,
        response: { 201: S.Draft, ...problems(400, 404) },
      },
    },
    async (request, reply) => reply.code(201).send(await drafts.create(requireActor(request), request.body, request)),
  );
  app.post(
    "/api/v1/kb/drafts/prefill",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "The prefilled problem/solution text of resolved tickets or incidents, without creating an article",
        body: S.PrefillInput,
        response: { 200: S.Prefill, ...problems(400, 404) },
      },
    },
    async (request) => drafts.prefill(requireActor(request), request.body.sources, request.body.locale ?? "pt-BR"),
  );
  app.get(
    "/api/v1/kb/articles/:id/sources",
    {
      config: READ,
      schema: {
        tags,
        summary: "The tickets and incidents an article was drafted from (those the caller may see)",
        params: S.IdParams,
        response: { 200: S.Sources, ...problems(404) },
      },
    },
    async (request) => ({ items: await drafts.sourcesOf(requireActor(request), request.params.id) }),
  );
  app.get(
    "/api/v1/kb/sources/:type/:id/articles",
    {
      config: { ...READ, roles: STAFF_ROLES },
      schema: {
        tags,
        summary: "Articles drafted from a ticket or incident",
        params: S.SourceParams,
        response: { 200: Type.Object({ items: Type.Array(S.ArticleBrief) }), ...problems(404) },
      },
    },
    async (request) => ({
      items: await drafts.articlesFrom(requireActor(request), request.params.type, request.params.id),
    }),
  );
}
