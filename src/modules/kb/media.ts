/**
 * Pure rules for the knowledge base's media: what a file is by its first bytes (never by its name or the
 * sender's Content-Type), which byte range a request asks for (RFC 9110 §14), and whether captions are WebVTT.
 */

export type VideoType = "video/mp4" | "video/webm";
export type PosterType = "image/png" | "image/jpeg" | "image/webp";

/** An MP4 (ISO base media) starts with a box whose type is `ftyp`; WebM with the EBML magic and a webm doctype. */
export function sniffVideo(head: Uint8Array): VideoType | null {
  if (head.length >= 12 && ascii(head, 4, 8) === "ftyp") {
    const brand = ascii(head, 8, 12);
    // QuickTime (`qt  `) is not MP4: browsers do not all play it.
    return brand === "qt  " ? null : "video/mp4";
  }
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) {
    // The DocType element (0x4282) names the flavour of EBML: webm, not matroska.
    const text = ascii(head, 0, Math.min(head.length, 64));
    return text.includes("webm") ? "video/webm" : null;
  }
  return null;
}

export function sniffPoster(head: Uint8Array): PosterType | null {
  if (head.length >= 8 && head[0] === 0x89 && ascii(head, 1, 4) === "PNG" && head[4] === 0x0d && head[5] === 0x0a)
    return "image/png";
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "image/jpeg";
  if (head.length >= 12 && ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "image/webp";
  return null;
}

export type AttachmentType = PosterType | "image/gif" | "application/pdf" | "application/zip";

/**
 * A file attached to an article, by its first bytes: the poster's images and GIF (shown in the article), PDF
 * and ZIP (office documents are ZIP files; downloaded). Anything else is refused: it could be served as
 * something the browser runs.
 */
export function sniffAttachment(head: Uint8Array): AttachmentType | null {
  const image = sniffPoster(head);
  if (image) return image;
  const start = ascii(head, 0, 6);
  if (start === "GIF87a" || start === "GIF89a") return "image/gif";
  if (start.startsWith("%PDF-")) return "application/pdf";
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return "application/zip";
  return null;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** What to send for a Range header over a representation of `size` bytes. */
export type RangeAnswer =
  | { kind: "full" }
  | { kind: "partial"; start: number; end: number }
  | { kind: "unsatisfiable" };

/**
 * One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`), clamped to the size. A header that is not a bytes range
 * or asks for several ranges gets the whole representation (a server may ignore Range); a well-formed range
 * that starts past the end is unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (!header) return { kind: "full" };
  const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header.trim());
  if (!m) return { kind: "full" };
  const [, a, b] = m;
  if (a === "" && b === "") return { kind: "full" };
  if (a === "") {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: "unsatisfiable" };
  if (b !== "" && Number(b) < start) return { kind: "full" };
  return { kind: "partial", start, end };
}

/**
 * Whether a conditional range still applies (If-Range): it names the current strong ETag, or an HTTP date
 * not earlier than the last modification (to the second). Otherwise the client's copy changed: send it all.
 */
export function ifRangeHolds(ifRange: string | undefined, etag: string, lastModified: Date): boolean {
  if (!ifRange) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith("W/")) return v === etag;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return false;
  return Math.floor(lastModified.getTime() / 1000) <= Math.floor(at / 1000);
}

/**
 * WebVTT captions: UTF-8 text starting with `WEBVTT` (after an optional BOM) followed by a space, tab or line
 * end, with at least one well-formed cue timing line. Returns why not, or null when fine.
 */
export function webvttFault(text: string): string | null {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (!/^WEBVTT(?:[ \t][^\r\n]*)?(?:\r\n|\r|\n|$)/.test(body)) return "must start with the WEBVTT signature line";
  if (body.includes("\u0000")) return "must be text";
  const timing = /^(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}[ \t]+-->[ \t]+(?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3}(?:[ \t].*)?$/m;
  if (!timing.test(body)) return "has no cue (a timing line such as 00:00.000 --> 00:02.000)";
  return null;
}
