import { Type } from "typebox";
import { problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { type KbApp, READ, tags, WRITE } from "./extras-access.js";
import * as S from "./extras-schemas.js";
import type { TrackService } from "./tracks.js";

/** Manuals and training tracks: tracks, completion per user and the manager's view. */
export function trackRoutes(app: KbApp, tracks: TrackService) {
  app.get(
    "/api/v1/kb/tracks",
    {
      config: { signedIn: true },
      schema: {
        tags,
        summary:
          "Manuals and training tracks of the caller's profiles, in order, with the caller's completion (customers: end-user, and administrator for their admins)",
        querystring: S.TrackQuery,
        response: { 200: Type.Object({ items: Type.Array(S.Track) }), ...problems(400) },
      },
    },
    async (request) => ({ items: await tracks.list(requireActor(request), request.query) }),
  );
  app.post(
    "/api/v1/kb/tracks",
    {
      config: WRITE,
      schema: { tags, summary: "Create a track", body: S.TrackInput, response: { 201: S.Track, ...problems(400) } },
    },
    async (request, reply) => reply.code(201).send(await tracks.create(requireActor(request), request.body, request)),
  );
  app.get(
    "/api/v1/kb/tracks/:id",
    {
      config: { signedIn: true },
      schema: {
        tags,
        summary: "A track with its items and the caller's completion",
        params: S.IdParams,
        response: { 200: S.Track, ...problems(404) },
      },
    },
    async (request) => tracks.get(requireActor(request), request.params.id),
  );
  app.patch(
    "/api/v1/kb/tracks/:id",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "Change a track (items replace the list, in order)",
        params: S.IdParams,
        body: S.TrackPatch,
        response: { 200: S.Track, ...problems(400, 404) },
      },
    },
    async (request) => tracks.update(requireActor(request), request.params.id, request.body, request),
  );
  app.delete(
    "/api/v1/kb/tracks/:id",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "Delete a track and its completion records",
        params: S.IdParams,
        response: { 204: Type.Null(), ...problems(404) },
      },
    },
    async (request, reply) => {
      await tracks.remove(requireActor(request), request.params.id, request);
      return reply.code(204).send(null);
    },
  );
  app.put(
    "/api/v1/kb/tracks/:id/progress/:kind/:itemId",
    {
      config: { signedIn: true },
      schema: {
        tags,
        summary: "Mark an item of the track done by the caller",
        params: S.ProgressParams,
        response: { 200: S.Track, ...problems(404) },
      },
    },
    async (request) =>
      tracks.mark(
        requireActor(request),
        request.params.id,
        { kind: request.params.kind, id: request.params.itemId },
        true,
      ),
  );
  app.delete(
    "/api/v1/kb/tracks/:id/progress/:kind/:itemId",
    {
      config: { signedIn: true },
      schema: {
        tags,
        summary: "Mark an item of the track not done",
        params: S.ProgressParams,
        response: { 200: S.Track, ...problems(404) },
      },
    },
    async (request) =>
      tracks.mark(
        requireActor(request),
        request.params.id,
        { kind: request.params.kind, id: request.params.itemId },
        false,
      ),
  );
  app.get(
    "/api/v1/kb/tracks/:id/completion",
    {
      config: { ...READ, roles: ["admin", "manager"] },
      schema: {
        tags,
        summary: "The manager's view of a track: who completed how much, and who finished it when",
        params: S.IdParams,
        response: { 200: S.TrackCompletion, ...problems(404) },
      },
    },
    async (request) => tracks.completion(requireActor(request), request.params.id),
  );
}
