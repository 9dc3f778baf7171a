/**
 * The Asterisk Manager Interface wire format: `Key: Value` lines ending in CRLF, a blank line ending each
 * message, a one-line banner (`Asterisk Call Manager/5.0.1`) on connect, and the legacy `Response: Follows`
 * command output (raw lines up to `--END COMMAND--`). Pure: bytes in, messages out.
 */

/** One AMI message; keys lower-cased (AMI keys are case-insensitive), a repeated key's values joined by "\n". */
export type AmiMessage = Record<string, string>;

export interface Parsed {
  messages: AmiMessage[];
  /** Lines that are not `Key: Value` outside command output: reported and skipped, never fatal. */
  malformed: string[];
  banner?: string;
}

/** A message (or a line) longer than this is garbage or an attack: it is dropped, not buffered forever. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export class AmiParser {
  #buffer = "";
  #current: AmiMessage = {};
  #lines = 0;
  #size = 0;
  #follows = false;
  #bannerSeen = false;

  push(chunk: string): Parsed {
    const out: Parsed = { messages: [], malformed: [] };
    this.#buffer += chunk;
    for (;;) {
      const nl = this.#buffer.indexOf("\n");
      if (nl < 0) break;
      const line = this.#buffer.slice(0, nl).replace(/\r$/, "");
      this.#buffer = this.#buffer.slice(nl + 1);
      this.#line(line, out);
    }
    if (this.#buffer.length > MAX_MESSAGE_BYTES) {
      out.malformed.push(`${this.#buffer.slice(0, 80)}… (${this.#buffer.length} bytes without a line end)`);
      this.#buffer = "";
      this.#reset();
    }
    return out;
  }

  #reset() {
    this.#current = {};
    this.#lines = 0;
    this.#size = 0;
    this.#follows = false;
  }

  #line(line: string, out: Parsed) {
    if (!this.#bannerSeen && this.#lines === 0 && /^Asterisk Call Manager\//i.test(line)) {
      this.#bannerSeen = true;
      out.banner = line;
      return;
    }
    if (this.#follows) {
      // Legacy command output: everything up to the end marker is output, colons or not.
      if (line === "--END COMMAND--") {
        out.messages.push(this.#current);
        this.#reset();
        return;
      }
      // Its own headers come first; the command's lines (colons or not) are output.
      const kv = /^(Privilege|ActionID|Message): ?(.*)$/i.exec(line);
      if (kv && !("output" in this.#current)) this.#add(kv[1]!, kv[2]!);
      else this.#add("output", line);
      return;
    }
    if (line === "") {
      if (this.#lines > 0) out.messages.push(this.#current);
      this.#reset();
      return;
    }
    this.#size += line.length;
    if (this.#size > MAX_MESSAGE_BYTES) {
      if (this.#size - line.length <= MAX_MESSAGE_BYTES) out.malformed.push(`message over ${MAX_MESSAGE_BYTES} bytes`);
      return;
    }
    const sep = line.indexOf(":");
    if (sep <= 0 || !/^[A-Za-z0-9_-]+$/.test(line.slice(0, sep))) {
      out.malformed.push(line.slice(0, 200));
      return;
    }
    const key = line.slice(0, sep);
    const value = line.slice(sep + 1).replace(/^ /, "");
    this.#add(key, value);
    if (key.toLowerCase() === "response" && value.toLowerCase() === "follows") this.#follows = true;
  }

  #add(key: string, value: string) {
    const k = key.toLowerCase();
    this.#current[k] = k in this.#current ? `${this.#current[k]}\n${value}` : value;
    this.#lines++;
  }
}

export class AmiFormatError extends Error {}

/** An action as it goes on the wire; a value with CR or LF could smuggle another action in, so it is refused. */
export function formatAction(
  fields: Record<string, string | number | boolean | readonly string[] | undefined>,
): string {
  let text = "";
  for (const [key, raw] of Object.entries(fields)) {
    if (raw === undefined) continue;
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new AmiFormatError(`AMI key ${JSON.stringify(key)} is not a token`);
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const text1 = typeof value === "boolean" ? (value ? "true" : "false") : String(value);
      if (/[\r\n]/.test(text1)) throw new AmiFormatError(`AMI value of ${key} holds a line break`);
      text += `${key}: ${text1}\r\n`;
    }
  }
  return `${text}\r\n`;
}

/** An AMI `Timestamp` (seconds since the epoch with microseconds), as an instant; undefined when absent or bad. */
export function amiTimestamp(message: AmiMessage): Date | undefined {
  const ts = message.timestamp;
  if (!ts || !/^\d{9,11}(\.\d+)?$/.test(ts)) return undefined;
  return new Date(Math.round(Number(ts) * 1000));
}
