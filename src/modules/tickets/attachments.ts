import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Kysely, Selectable } from "kysely";
import type { AttachmentTable, DB } from "../../platform/db/schema.js";

export type AttachmentRow = Selectable<AttachmentTable>;

/** Attachment bytes on disk, named by their SHA-256 so equal files are stored once. */
export class AttachmentStore {
  constructor(private readonly dir: string) {}

  private pathOf(sha256: string) {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /** Writes through a temporary name and renames, so a crash never leaves a half file under the final name. */
  async put(data: Buffer): Promise<string> {
    const sha256 = createHash("sha256").update(data).digest("hex");
    const path = this.pathOf(sha256);
    if (existsSync(path)) return sha256;
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    await writeFile(tmp, data, { mode: 0o640 });
    await rename(tmp, path);
    return sha256;
  }

  open(sha256: string) {
    return createReadStream(this.pathOf(sha256));
  }
}

/** The only SQL over attachment metadata. */
export class AttachmentRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(row: AttachmentRow, executor: Kysely<DB> = this.db): Promise<void> {
    await executor.insertInto("attachments").values(row).execute();
  }

  async of(ticketId: string): Promise<AttachmentRow[]> {
    return this.db.selectFrom("attachments").selectAll().where("ticket_id", "=", ticketId).orderBy("id").execute();
  }

  async find(ticketId: string, id: string): Promise<AttachmentRow | undefined> {
    return this.db
      .selectFrom("attachments")
      .selectAll()
      .where("ticket_id", "=", ticketId)
      .where("id", "=", id)
      .executeTakeFirst();
  }
}

export function presentAttachment(a: AttachmentRow) {
  return {
    id: a.id,
    ticketId: a.ticket_id,
    messageId: a.message_id,
    filename: a.filename,
    contentType: a.content_type,
    size: Number(a.size),
    sha256: a.sha256,
    uploadedBy: a.uploaded_by,
    createdAt: a.created_at,
  };
}
