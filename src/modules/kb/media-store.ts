import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Problem, ProblemType } from "../../platform/http/problems.js";

/** How many first bytes decide a file's type. */
const HEAD_BYTES = 64;

export interface StoredMedia {
  sha256: string;
  size: number;
  head: Buffer;
}

export const tooLarge = (maxBytes: number) =>
  new Problem(413, ProblemType.bodyTooLarge, "Body too large", `The file is larger than ${maxBytes} bytes`);

/**
 * Knowledge-base media on disk (videos, posters), named by their SHA-256 so equal files are stored once. A body
 * is streamed to a temporary file while it is hashed and counted, never held in memory; past the size limit the
 * upload stops with 413 and nothing stays behind.
 */
export class MediaStore {
  constructor(private readonly dir: string) {}

  private pathOf(sha256: string) {
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(body: Readable, maxBytes: number, check: (head: Buffer) => void): Promise<StoredMedia> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `upload-${randomBytes(8).toString("hex")}.tmp`);
    const hash = createHash("sha256");
    let size = 0;
    let head = Buffer.alloc(0);
    let checked = false;
    const out = createWriteStream(tmp, { mode: 0o640 });
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge(maxBytes);
        if (!checked) {
          head = Buffer.concat([head, chunk]).subarray(0, HEAD_BYTES);
          if (head.length >= HEAD_BYTES) {
            check(head);
            checked = true;
          }
        }
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      }
      if (!checked) check(head);
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      const sha256 = hash.digest("hex");
      const path = this.pathOf(sha256);
      if (existsSync(path)) await rm(tmp, { force: true });
      else {
        await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
        await rename(tmp, path);
      }
      return { sha256, size, head };
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async size(sha256: string): Promise<number | null> {
    return stat(this.pathOf(sha256)).then(
      (s) => s.size,
      () => null,
    );
  }

  /** The bytes from `start` to `end` inclusive (all by default). */
  open(sha256: string, range?: { start: number; end: number }) {
    return createReadStream(this.pathOf(sha256), range);
  }
}
