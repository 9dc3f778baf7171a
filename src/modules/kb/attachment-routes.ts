import type { Readable } from "node:stream";
import { Type } from "typebox";
import { NotModified, problems } from "../../platform/http/schemas.js";
import { requireActor } from "../identity/actor.js";
import { ATTACHMENT_MAX_BYTES, type AttachmentService, isImage } from "./attachments.js";
import { type KbApp, READ, tags, WRITE } from "./extras-access.js";
import * as S from "./extras-schemas.js";
import { sendMedia, uploadOf } from "./video-routes.js";

/** Types an attachment may be declared as; the bytes decide what it is (media.ts sniffAttachment). */
const ATTACHMENT_TYPES = [
  "image/png",
  "image/jpeg",
  "image/webp",
  "image/gif",
  "application/pdf",
  "application/zip",
  "application/octet-stream",
];

/** Files attached to articles: images the Markdown shows, documents it links to. */
export function attachmentRoutes(app: KbApp, attachments: AttachmentService) {
  // The video routes (same plugin) already leave PNG, JPEG, WebP and octet-stream bodies unparsed.
  app.addContentTypeParser(["image/gif", "application/pdf", "application/zip"], (request, payload, done) => {
    request.kbUpload = payload as Readable;
    done(null, "");
  });

  app.post(
    "/api/v1/kb/articles/:id/attachments",
    {
      config: WRITE,
      schema: {
        tags,
        summary: `Attach a file to an article: the raw bytes as the body (PNG, JPEG, WebP, GIF, PDF or ZIP, checked by content), up to ${ATTACHMENT_MAX_BYTES} bytes; the answer carries the Markdown to paste`,
        params: S.IdParams,
        querystring: S.AttachmentUploadQuery,
        consumes: ATTACHMENT_TYPES,
        body: S.Binary,
        response: { 201: S.Attachment, ...problems(400, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const length = Number(request.headers["content-length"]);
      const attachment = await attachments.upload(
        requireActor(request),
        {
          articleId: request.params.id,
          filename: request.query.filename,
          declaredLength: Number.isFinite(length) ? length : undefined,
        },
        uploadOf(request),
        request,
      );
      return reply.code(201).send(attachment);
    },
  );
  app.get(
    "/api/v1/kb/articles/:id/attachments",
    {
      config: READ,
      schema: {
        tags,
        summary: "An article's attachments, for whoever may read it",
        params: S.IdParams,
        response: { 200: Type.Object({ items: Type.Array(S.Attachment) }), ...problems(404) },
      },
    },
    async (request) => ({ items: await attachments.list(requireActor(request), request.params.id) }),
  );
  app.get(
    "/api/v1/kb/attachments/:id",
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          "An attachment's bytes (an image inline, any other file as a download), for whoever may read its article; public articles need no sign-in",
        params: S.IdParams,
        produces: ATTACHMENT_TYPES.filter((t) => t !== "application/octet-stream"),
        response: {
          200: Type.String({ format: "binary" }),
          206: Type.String({ format: "binary" }),
          304: NotModified,
          ...problems(404, 416),
        },
      },
    },
    async (request, reply) => {
      const media = await attachments.media(request.actor, request.params.id);
      const ascii = media.filename.replace(/[^\x20-\x7e]/g, "_").replace(/[\\"]/g, "_");
      reply
        .header(
          "content-disposition",
          `${isImage(media.contentType) ? "inline" : "attachment"}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(media.filename)}`,
        )
        // Whatever a file holds, it never runs as a page of this origin.
        .header("content-security-policy", "default-src 'none'; sandbox");
      return sendMedia(request, reply, media);
    },
  );
  app.delete(
    "/api/v1/kb/attachments/:id",
    {
      config: WRITE,
      schema: {
        tags,
        summary: "Remove an attachment from its article",
        params: S.IdParams,
        response: { 204: Type.Null(), ...problems(404) },
      },
    },
    async (request, reply) => {
      await attachments.remove(requireActor(request), request.params.id, request);
      return reply.code(204).send(null);
    },
  );
}
