import type { Readable } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { decodeCursor, toPage } from "../../platform/http/pagination.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { NotModified, problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { type KbApp, READ, tags, WRITE } from "./extras-access.js";
import * as S from "./extras-schemas.js";
import { ifRangeHolds, parseRange } from "./media.js";
import { CAPTION_MAX_CHARS, POSTER_MAX_BYTES, type VideoService } from "./videos.js";

const VIDEO_TYPES = ["video/mp4", "video/webm", "application/octet-stream"];
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];

declare module "fastify" {
  interface FastifyRequest {
    /** The unread body of a media upload (parsed by nobody: the service streams it to disk). */
    kbUpload?: Readable;
  }
}

export function uploadOf(request: FastifyRequest): Readable {
  if (!request.kbUpload)
    throw new Problem(
      415,
      ProblemType.unsupportedMediaType,
      "Unsupported media type",
      "Send the file's bytes with its media type as Content-Type",
    );
  return request.kbUpload;
}

/** Streams a stored file honouring Range and If-Range: 200 whole, 206 one range, 416 past the end. */
export async function sendMedia(
  request: FastifyRequest,
  reply: FastifyReply,
  media: Pick<Awaited<ReturnType<VideoService["media"]>>, "size" | "etag" | "lastModified" | "open"> & {
    contentType: string;
  },
) {
  reply
    .header("accept-ranges", "bytes")
    .header("etag", media.etag)
    .header("last-modified", media.lastModified.toUTCString())
    .header("cache-control", "private, max-age=3600")
    .header("x-content-type-options", "nosniff")
    .type(media.contentType);
  const ifNoneMatch = request.headers["if-none-match"];
  if (ifNoneMatch?.split(",").some((t) => t.trim() === media.etag)) return reply.code(304).send();
  const rangeHeader = typeof request.headers.range === "string" ? request.headers.range : undefined;
  const ifRange = typeof request.headers["if-range"] === "string" ? request.headers["if-range"] : undefined;
  const answer = ifRangeHolds(ifRange, media.etag, media.lastModified)
    ? parseRange(rangeHeader, media.size)
    : ({ kind: "full" } as const);
  if (answer.kind === "unsatisfiable")
    return reply
      .code(416)
      .header("content-range", `bytes */${media.size}`)
      .type("application/problem+json")
      .send({
        type: `urn:plantao:problem:range-not-satisfiable`,
        title: "Range not satisfiable",
        status: 416,
        detail: `The file has ${media.size} bytes`,
      });
  if (answer.kind === "partial")
    return reply
      .code(206)
      .header("content-range", `bytes ${answer.start}-${answer.end}/${media.size}`)
      .header("content-length", answer.end - answer.start + 1)
      .send(media.open(answer));
  return reply.header("content-length", media.size).send(media.open());
}

/** Videos: upload (streamed to disk, checked by content), streaming with ranges, captions and the poster frame. */
export function videoRoutes(app: KbApp, videos: VideoService) {
  // Media bodies are not parsed: the services stream them to disk under their own size limits.
  app.addContentTypeParser([...VIDEO_TYPES, ...IMAGE_TYPES], (request, payload, done) => {
    request.kbUpload = payload as Readable;
    done(null, "");
  });
  app.addContentTypeParser(
    "text/vtt",
    { parseAs: "string", bodyLimit: CAPTION_MAX_CHARS * 4 },
    (_request, body, done) => done(null, body),
  );

  app.post(
    "/api/v1/kb/videos",
    {
      config: WRITE,
      schema: {
        tags,
        summary:
          "Upload a video tutorial to an article: the raw bytes (MP4 or WebM, checked by content) as the body, up to PLANTAO_KB_VIDEO_MAX_BYTES",
        querystring: S.VideoUploadQuery,
        consumes: VIDEO_TYPES,
        body: S.Binary,
        response: { 201: S.Video, ...problems(400, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const length = Number(request.headers["content-length"]);
      const video = await videos.upload(
        requireActor(request),
        { ...request.query, declaredLength: Number.isFinite(length) ? length : undefined },
        uploadOf(request),
        request,
      );
      return reply.code(201).send(video);
    },
  );
  app.get(
    "/api/v1/kb/videos",
    {
      config: READ,
      schema: {
        tags,
        summary: "Videos of an article, or of every article the caller may read",
        querystring: S.VideoListQuery,
        response: {
          200: Type.Object({ items: Type.Array(S.Video), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...problems(400, 404),
        },
      },
    },
    async (request) => {
      const { limit = 50, cursor, articleId } = request.query;
      const rows = await videos.list(requireActor(request), {
        articleId,
        limit: limit + 1,
        after: decodeCursor(cursor),
      });
      return toPage(rows, limit, (v) => v.id);
    },
  );
  app.get(
    "/api/v1/kb/videos/:id",
    {
      config: { public: true },
      schema: {
        tags,
        summary: "A video's details (anyone who may read its article; public articles need no sign-in)",
        params: S.IdParams,
        response: { 200: S.Video, ...problems(404) },
      },
    },
    async (request) => videos.get(request.actor, request.params.id),
  );
  app.patch(
    "/api/v1/kb/videos/:id",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "Rename a video",
        params: S.IdParams,
        body: S.VideoPatch,
        response: { 200: S.Video, ...problems(400, 404) },
      },
    },
    async (request) => videos.rename(requireActor(request), request.params.id, request.body.title, request),
  );
  app.delete(
    "/api/v1/kb/videos/:id",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "Delete a video, its captions and its place in tracks",
        params: S.IdParams,
        response: { 204: Type.Null(), ...problems(404) },
      },
    },
    async (request, reply) => {
      await videos.remove(requireActor(request), request.params.id, request);
      return reply.code(204).send(null);
    },
  );
  app.get(
    "/api/v1/kb/videos/:id/stream",
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          "The video's bytes, with byte ranges (Range: 206, 416; If-Range; ETag), for whoever may read its article",
        params: S.IdParams,
        produces: ["video/mp4", "video/webm"],
        response: {
          200: Type.String({ format: "binary" }),
          206: Type.String({ format: "binary" }),
          304: NotModified,
          ...problems(404, 416),
        },
      },
    },
    async (request, reply) => sendMedia(request, reply, await videos.media(request.actor, request.params.id, "video")),
  );
  app.put(
    "/api/v1/kb/videos/:id/poster",
    {
      config: WRITE,
      schema: {
        tags,
        summary: `Set the poster frame: a PNG, JPEG or WebP image as the body (up to ${POSTER_MAX_BYTES} bytes)`,
        params: S.IdParams,
        consumes: IMAGE_TYPES,
        body: S.Binary,
        response: { 200: S.Video, ...problems(400, 404, 413, 415) },
      },
    },
    async (request) => videos.setPoster(requireActor(request), request.params.id, uploadOf(request), request),
  );
  app.get(
    "/api/v1/kb/videos/:id/poster",
    {
      config: { public: true },
      schema: {
        tags,
        summary: "The poster frame image",
        params: S.IdParams,
        produces: IMAGE_TYPES,
        response: {
          200: Type.String({ format: "binary" }),
          206: Type.String({ format: "binary" }),
          304: NotModified,
          ...problems(404, 416),
        },
      },
    },
    async (request, reply) => sendMedia(request, reply, await videos.media(request.actor, request.params.id, "poster")),
  );
  app.put(
    "/api/v1/kb/videos/:id/captions/:lang",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "Set the WebVTT captions of one language (text/vtt body)",
        params: S.CaptionParams,
        querystring: S.CaptionQuery,
        consumes: ["text/vtt"],
        body: Type.String({ minLength: 1, maxLength: CAPTION_MAX_CHARS }),
        response: { 200: S.Video, ...problems(400, 404, 415) },
      },
    },
    async (request) =>
      videos.setCaption(
        requireActor(request),
        request.params.id,
        request.params.lang,
        { label: request.query.label, vtt: request.body },
        request,
      ),
  );
  app.get(
    "/api/v1/kb/videos/:id/captions/:lang",
    {
      config: { public: true },
      schema: {
        tags,
        summary: "The WebVTT captions of one language",
        params: S.CaptionParams,
        produces: ["text/vtt"],
        response: { 200: Type.String(), ...problems(404) },
      },
    },
    async (request, reply) => {
      const row = await videos.caption(request.actor, request.params.id, request.params.lang);
      return reply.type("text/vtt; charset=utf-8").header("x-content-type-options", "nosniff").send(row.vtt);
    },
  );
  app.delete(
    "/api/v1/kb/videos/:id/captions/:lang",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "Remove the captions of one language",
        params: S.CaptionParams,
        response: { 204: Type.Null(), ...problems(404) },
      },
    },
    async (request, reply) => {
      await videos.removeCaption(requireActor(request), request.params.id, request.params.lang, request);
      return reply.code(204).send(null);
    },
  );
}
