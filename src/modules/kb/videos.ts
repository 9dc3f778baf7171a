import type { Readable } from "node:stream";
import type { FastifyRequest } from "fastify";
import type { Clock } from "../../platform/clock.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { ArticlesPort } from "./articles-port.js";
import type { KbExtrasRepository, VideoRow } from "./extras-repository.js";
import { sniffPoster, sniffVideo, webvttFault } from "./media.js";
import { type MediaStore, tooLarge } from "./media-store.js";

export type RequestInfo = Pick<FastifyRequest, "ip" | "headers">;

export const POSTER_MAX_BYTES = 5 * 1024 * 1024;
export const CAPTION_MAX_CHARS = 512 * 1024;

const unsupported = (detail: string) =>
  new Problem(415, ProblemType.unsupportedMediaType, "Unsupported media type", detail);

export function presentVideo(v: VideoRow, captions: { lang: string; label: string }[] = []) {
  return {
    id: v.id,
    articleId: v.article_id,
    title: v.title,
    filename: v.filename,
    contentType: v.content_type,
    size: Number(v.size),
    sha256: v.sha256,
    streamUrl: `/api/v1/kb/videos/${v.id}/stream`,
    posterUrl: v.poster_sha256 ? `/api/v1/kb/videos/${v.id}/poster` : null,
    captions: captions.map((c) => ({ ...c, url: `/api/v1/kb/videos/${v.id}/captions/${c.lang}` })),
    uploadedBy: v.uploaded_by,
    createdAt: v.created_at,
    updatedAt: v.updated_at,
  };
}
export type Video = ReturnType<typeof presentVideo>;

/**
 * Video tutorials of articles: uploaded bytes typed by their magic bytes (MP4, WebM) under a size limit,
 * streamed with byte ranges, with WebVTT captions and a poster image. Who may watch is who may read the
 * article; who may upload is who may edit it.
 */
export class VideoService {
  private readonly repo: KbExtrasRepository;
  private readonly store: MediaStore;
  private readonly articles: ArticlesPort;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  /** Told after any video, poster or caption change: the help centre's rendered pages show them. */
  private readonly changed: () => void;
  readonly maxBytes: number;

  constructor(deps: {
    repo: KbExtrasRepository;
    store: MediaStore;
    articles: ArticlesPort;
    audit: AuditService;
    clock: Clock;
    maxBytes: number;
    changed?: () => void;
  }) {
    this.repo = deps.repo;
    this.store = deps.store;
    this.articles = deps.articles;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.maxBytes = deps.maxBytes;
    this.changed = deps.changed ?? (() => {});
  }

  /** The video row if the reader may read its article; 404 otherwise (whether it exists is not told). */
  async watchable(reader: Actor | null, id: string): Promise<VideoRow> {
    const row = await this.repo.video(id);
    if (!row || !(await this.articles.readable(reader, [row.article_id])).has(row.article_id))
      throw Problem.notFound("Video");
    return row;
  }

  async #editable(actor: Actor, id: string): Promise<VideoRow> {
    const row = await this.watchable(actor, id);
    await this.articles.editable(actor, row.article_id);
    return row;
  }

  async #present(rows: VideoRow[]) {
    const captions = await this.repo.captions(rows.map((r) => r.id));
    return rows.map((r) =>
      presentVideo(
        r,
        captions.filter((c) => c.video_id === r.id).map((c) => ({ lang: c.lang, label: c.label })),
      ),
    );
  }

  async get(reader: Actor | null, id: string) {
    return (await this.#present([await this.watchable(reader, id)]))[0]!;
  }

  /** The videos of one article, or of every article the reader may read. */
  async list(reader: Actor | null, filter: { articleId?: string; limit: number; after?: string }) {
    if (filter.articleId) {
      const visible = await this.articles.readable(reader, [filter.articleId]);
      if (!visible.has(filter.articleId)) throw Problem.notFound("Article");
      return this.#present(await this.repo.videos({ articleIds: [filter.articleId], ...filter }));
    }
    // Page through the table, keeping what the reader may watch, until the page is full.
    const out: VideoRow[] = [];
    let after = filter.after;
    for (;;) {
      const rows = await this.repo.videos({ limit: 200, after });
      if (!rows.length) break;
      const visible = await this.articles.readable(reader, [...new Set(rows.map((r) => r.article_id))]);
      for (const r of rows) if (visible.has(r.article_id) && out.length < filter.limit) out.push(r);
      if (out.length >= filter.limit || rows.length < 200) break;
      after = rows.at(-1)!.id;
    }
    return this.#present(out);
  }

  async upload(
    actor: Actor,
    input: { articleId: string; title?: string; filename?: string; declaredLength?: number },
    body: Readable,
    req: RequestInfo,
  ) {
    const article = await this.articles.editable(actor, input.articleId);
    if (input.declaredLength !== undefined && input.declaredLength > this.maxBytes) throw tooLarge(this.maxBytes);
    let type: ReturnType<typeof sniffVideo> = null;
    const stored = await this.store.put(body, this.maxBytes, (head) => {
      type = sniffVideo(head);
      if (!type) throw unsupported("The file is not an MP4 or WebM video (checked by its content, not its name)");
    });
    if (stored.size === 0 || !type) throw unsupported("The body is empty: send the video's bytes");
    const now = this.clock.now().toISOString();
    const id = uuidv7();
    const filename = (input.filename?.trim() || `video.${type === "video/webm" ? "webm" : "mp4"}`).slice(0, 255);
    await this.repo.transaction(async (trx) => {
      await this.repo.insertVideo(
        {
          id,
          article_id: article.id,
          title: (input.title?.trim() || filename).slice(0, 200),
          filename,
          content_type: type!,
          size: stored.size,
          sha256: stored.sha256,
          poster_type: null,
          poster_sha256: null,
          uploaded_by: actor.userId,
          created_at: now,
          updated_at: now,
        },
        trx,
      );
      await this.audit.record(
        { action: "kb.video.uploaded", actor, target: { type: "kb_video", id }, request: req },
        trx,
      );
    });
    this.changed();
    return this.get(actor, id);
  }

  async rename(actor: Actor, id: string, title: string, req: RequestInfo) {
    await this.#editable(actor, id);
    await this.repo.updateVideo(id, { title: title.trim(), updated_at: this.clock.now().toISOString() });
    await this.audit.record({ action: "kb.video.updated", actor, target: { type: "kb_video", id }, request: req });
    this.changed();
    return this.get(actor, id);
  }

  async remove(actor: Actor, id: string, req: RequestInfo) {
    await this.#editable(actor, id);
    await this.repo.transaction(async (trx) => {
      await this.repo.deleteVideo(id, trx);
      await this.audit.record(
        { action: "kb.video.deleted", actor, target: { type: "kb_video", id }, request: req },
        trx,
      );
    });
    this.changed();
  }

  async setPoster(actor: Actor, id: string, body: Readable, req: RequestInfo) {
    await this.#editable(actor, id);
    let type: ReturnType<typeof sniffPoster> = null;
    const stored = await this.store.put(body, POSTER_MAX_BYTES, (head) => {
      type = sniffPoster(head);
      if (!type) throw unsupported("The poster is not a PNG, JPEG or WebP image (checked by its content)");
    });
    if (!type || stored.size === 0) throw unsupported("The body is empty: send the image's bytes");
    await this.repo.updateVideo(id, {
      poster_type: type,
      poster_sha256: stored.sha256,
      updated_at: this.clock.now().toISOString(),
    });
    await this.audit.record({ action: "kb.video.updated", actor, target: { type: "kb_video", id }, request: req });
    this.changed();
    return this.get(actor, id);
  }

  async setCaption(actor: Actor, id: string, lang: string, input: { label?: string; vtt: string }, req: RequestInfo) {
    await this.#editable(actor, id);
    const fault = webvttFault(input.vtt);
    if (fault) throw Problem.invalid({ in: "body", pointer: "", message: `WebVTT captions ${fault}` });
    await this.repo.saveCaption({
      video_id: id,
      lang,
      label:
        input.label?.trim() || (lang.toLowerCase().startsWith("pt") ? "Português" : lang === "en" ? "English" : lang),
      vtt: input.vtt.startsWith("\uFEFF") ? input.vtt.slice(1) : input.vtt,
      updated_at: this.clock.now().toISOString(),
    });
    await this.audit.record({ action: "kb.video.updated", actor, target: { type: "kb_video", id }, request: req });
    this.changed();
    return this.get(actor, id);
  }

  async removeCaption(actor: Actor, id: string, lang: string, req: RequestInfo) {
    await this.#editable(actor, id);
    if (!(await this.repo.deleteCaption(id, lang))) throw Problem.notFound(`Captions in ${lang}`);
    await this.audit.record({ action: "kb.video.updated", actor, target: { type: "kb_video", id }, request: req });
    this.changed();
  }

  async caption(reader: Actor | null, id: string, lang: string) {
    await this.watchable(reader, id);
    const row = await this.repo.caption(id, lang);
    if (!row) throw Problem.notFound(`Captions in ${lang}`);
    return row;
  }

  /** What to stream: the file's key, size, type and validators (ETag, Last-Modified). */
  async media(reader: Actor | null, id: string, what: "video" | "poster") {
    const row = await this.watchable(reader, id);
    const sha = what === "video" ? row.sha256 : row.poster_sha256;
    if (!sha) throw Problem.notFound("Poster");
    const size = await this.store.size(sha);
    if (size === null) throw Problem.notFound(what === "video" ? "Video file" : "Poster file");
    return {
      size,
      contentType: what === "video" ? row.content_type : row.poster_type!,
      etag: `"${sha}"`,
      lastModified: new Date(what === "video" ? row.created_at : row.updated_at),
      open: (range?: { start: number; end: number }) => this.store.open(sha, range),
    };
  }
}
