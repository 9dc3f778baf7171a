import type { Readable } from "node:stream";
import type { Clock } from "../../platform/clock.js";
import { Problem, ProblemType } from "../../platform/http/problems.js";
import { uuidv7 } from "../../platform/ids.js";
import type { AuditService } from "../audit/service.js";
import type { Actor } from "../identity/actor.js";
import type { ArticlesPort } from "./articles-port.js";
import type { AttachmentRow, KbExtrasRepository } from "./extras-repository.js";
import { type AttachmentType, sniffAttachment } from "./media.js";
import { type MediaStore, tooLarge } from "./media-store.js";
import type { RequestInfo } from "./videos.js";

export const ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;

const unsupported = (detail: string) =>
  new Problem(415, ProblemType.unsupportedMediaType, "Unsupported media type", detail);

export const isImage = (type: string) => type.startsWith("image/");

export function presentAttachment(a: AttachmentRow) {
  const url = `/api/v1/kb/attachments/${a.id}`;
  // The Markdown an author pastes: an image shows in the article, any other file is a link to download.
  const label = a.filename.replace(/[[\]\\]/g, "");
  return {
    id: a.id,
    articleId: a.article_id,
    filename: a.filename,
    contentType: a.content_type,
    size: Number(a.size),
    sha256: a.sha256,
    url,
    markdown: isImage(a.content_type) ? `![${label}](${url})` : `[${label}](${url})`,
    uploadedBy: a.uploaded_by,
    createdAt: a.created_at,
  };
}

/**
 * Files attached to articles: images the Markdown shows and documents it links to, typed by their magic bytes
 * under a size limit, stored once by their SHA-256. Who may download one is who may read the article (a public
 * article's images show in the help centre without signing in); who may attach is who may edit it.
 */
export class AttachmentService {
  constructor(
    private readonly d: {
      repo: KbExtrasRepository;
      store: MediaStore;
      articles: ArticlesPort;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  async upload(
    actor: Actor,
    input: { articleId: string; filename: string; declaredLength?: number },
    body: Readable,
    req: RequestInfo,
  ) {
    const article = await this.d.articles.editable(actor, input.articleId);
    if (input.declaredLength !== undefined && input.declaredLength > ATTACHMENT_MAX_BYTES)
      throw tooLarge(ATTACHMENT_MAX_BYTES);
    let type: AttachmentType | null = null;
    const stored = await this.d.store.put(body, ATTACHMENT_MAX_BYTES, (head) => {
      type = sniffAttachment(head);
      if (!type)
        throw unsupported(
          "The file is not a PNG, JPEG, WebP, GIF, PDF or ZIP file (checked by its content, not its name)",
        );
    });
    if (stored.size === 0 || !type) throw unsupported("The body is empty: send the file's bytes");
    const row: AttachmentRow = {
      id: uuidv7(),
      article_id: article.id,
      filename: input.filename.trim().slice(0, 255),
      content_type: type,
      size: stored.size,
      sha256: stored.sha256,
      uploaded_by: actor.userId,
      created_at: this.d.clock.now().toISOString(),
    };
    await this.d.repo.transaction(async (trx) => {
      await this.d.repo.insertAttachment(row, trx);
      await this.d.audit.record(
        { action: "kb.attachment.uploaded", actor, target: { type: "kb_attachment", id: row.id }, request: req },
        trx,
      );
    });
    return presentAttachment(row);
  }

  /** An article's attachments, for whoever may read it; 404 otherwise. */
  async list(reader: Actor | null, articleId: string) {
    if (!(await this.d.articles.readable(reader, [articleId])).has(articleId)) throw Problem.notFound("Article");
    return (await this.d.repo.attachments(articleId)).map(presentAttachment);
  }

  /** The attachment row if the reader may read its article; 404 otherwise (whether it exists is not told). */
  async #readable(reader: Actor | null, id: string): Promise<AttachmentRow> {
    const row = await this.d.repo.attachment(id);
    if (!row || !(await this.d.articles.readable(reader, [row.article_id])).has(row.article_id))
      throw Problem.notFound("Attachment");
    return row;
  }

  /** What to send: the file's size, type, name and validators. */
  async media(reader: Actor | null, id: string) {
    const row = await this.#readable(reader, id);
    const size = await this.d.store.size(row.sha256);
    if (size === null) throw Problem.notFound("Attachment file");
    return {
      size,
      contentType: row.content_type,
      filename: row.filename,
      etag: `"${row.sha256}"`,
      lastModified: new Date(row.created_at),
      open: (range?: { start: number; end: number }) => this.d.store.open(row.sha256, range),
    };
  }

  async remove(actor: Actor, id: string, req: RequestInfo) {
    const row = await this.#readable(actor, id);
    await this.d.articles.editable(actor, row.article_id);
    await this.d.repo.transaction(async (trx) => {
      await this.d.repo.deleteAttachment(id, trx);
      await this.d.audit.record(
        { action: "kb.attachment.deleted", actor, target: { type: "kb_attachment", id }, request: req },
        trx,
      );
    });
  }
}
