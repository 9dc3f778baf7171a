/**
 * The content type of a file judged by its first bytes, never by what the uploader claimed. Types a browser
 * could run (HTML, SVG, scripts) are never returned: anything not recognised is octet-stream or plain text.
 */
const signatures: [string, number[], number?][] = [
  ["image/png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ["image/jpeg", [0xff, 0xd8, 0xff]],
  ["image/gif", [0x47, 0x49, 0x46, 0x38]],
  ["application/pdf", [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ["application/zip", [0x50, 0x4b, 0x03, 0x04]],
  ["application/gzip", [0x1f, 0x8b]],
  ["audio/ogg", [0x4f, 0x67, 0x67, 0x53]],
  ["audio/mpeg", [0x49, 0x44, 0x33]],
  ["audio/flac", [0x66, 0x4c, 0x61, 0x43]],
];

function startsWith(buf: Buffer, bytes: number[], offset = 0): boolean {
  return buf.length >= offset + bytes.length && bytes.every((b, i) => buf[offset + i] === b);
}

export function sniffContentType(buf: Buffer): string {
  for (const [type, bytes, offset] of signatures) if (startsWith(buf, bytes, offset)) return type;
  // RIFF containers: WAV recordings (the PBX's usual format) and WebP images.
  if (startsWith(buf, [0x52, 0x49, 0x46, 0x46])) {
    const form = buf.subarray(8, 12).toString("latin1");
    if (form === "WAVE") return "audio/wav";
    if (form === "WEBP") return "image/webp";
  }
  if (startsWith(buf, [0x66, 0x74, 0x79, 0x70], 4)) return "video/mp4";
  const head = buf.subarray(0, 4096);
  // Valid UTF-8 without control bytes other than tab, LF, VT, FF and CR is text; served as plain text, never as HTML.
  const binary = head.some((b) => b < 9 || (b > 13 && b < 32));
  if (!binary && isUtf8(head)) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

/** Valid UTF-8, allowing a sequence cut at the end of the sample. */
function isUtf8(sample: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** A file name safe to store and to put in a Content-Disposition header: no paths, no control characters. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = [...base]
    .filter((c) => c.charCodeAt(0) >= 32 && c.charCodeAt(0) !== 127 && c !== '"')
    .join("")
    .trim()
    .slice(0, 200);
  return clean && clean !== "." && clean !== ".." ? clean : "attachment";
}
