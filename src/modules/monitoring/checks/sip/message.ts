import { randomBytes } from "node:crypto";

/** The small SIP codec the probes need: build an out-of-dialog request, parse a response, frame a TCP stream. */

export class SipParseError extends Error {}

/** RFC 3261 §7.3.3 compact forms, and the long names we look headers up by. */
const COMPACT: Record<string, string> = {
  v: "via",
  f: "from",
  t: "to",
  i: "call-id",
  m: "contact",
  l: "content-length",
  c: "content-type",
  e: "content-encoding",
  k: "supported",
  s: "subject",
  o: "event",
  u: "allow-events",
  r: "refer-to",
};

/** RFC 3261 §17.2.3 magic cookie: a branch starting with it is globally unique. */
export const newBranch = (): string => `z9hG4bK${randomBytes(10).toString("hex")}`;
export const newTag = (): string => randomBytes(6).toString("hex");
export const newCallId = (host: string): string => `${randomBytes(12).toString("hex")}@${host}`;

export interface Via {
  transport: "UDP" | "TCP";
  host: string;
  port: number;
  branch: string;
}

export interface SipRequest {
  method: string;
  requestUri: string;
  via: Via;
  from: string;
  fromTag: string;
  to: string;
  callId: string;
  cseq: number;
  /** Extra headers in order (Authorization, Expires…). */
  headers?: [string, string][];
}

const bracket = (host: string) => (host.includes(":") ? `[${host}]` : host);

export function buildRequest(r: SipRequest): string {
  const lines = [
    `${r.method} ${r.requestUri} SIP/2.0`,
    // rport (RFC 3581) asks for the answer at the source port, which a shared or NATed socket needs.
    `Via: SIP/2.0/${r.via.transport} ${bracket(r.via.host)}:${r.via.port};branch=${r.via.branch};rport`,
    "Max-Forwards: 70",
    `From: <${r.from}>;tag=${r.fromTag}`,
    `To: <${r.to}>`,
    `Call-ID: ${r.callId}`,
    `CSeq: ${r.cseq} ${r.method}`,
    "User-Agent: Plantao-Monitor/1",
    ...(r.headers ?? []).map(([name, value]) => `${name}: ${value}`),
    "Content-Length: 0",
  ];
  return `${lines.join("\r\n")}\r\n\r\n`;
}

export interface SipResponse {
  status: number;
  reason: string;
  /** Header values by lower-case long name, in order; comma-joined values stay as sent. */
  headers: Map<string, string[]>;
  /** Branch of the topmost Via. */
  branch: string | null;
  callId: string;
  cseq: { seq: number; method: string };
  body: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Splits a header value on commas outside quotes and angle brackets (Via, Contact, WWW-Authenticate lists). */
export function splitList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== "\\") quoted = !quoted;
    else if (!quoted && c === "<") depth++;
    else if (!quoted && c === ">") depth--;
    else if (!quoted && depth === 0 && c === ",") {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((p) => p.length > 0);
}

/** A `;name=value` parameter of a header value (outside any <uri>). */
export function headerParam(value: string, name: string): string | null {
  const outside = value.replace(/<[^>]*>/g, "");
  const m = new RegExp(`;\\s*${name}\\s*(?:=\\s*("[^"]*"|[^;,\\s]*))?`, "i").exec(outside);
  if (!m) return null;
  return (m[1] ?? "").replace(/^"|"$/g, "");
}

/**
 * Parses one SIP response. Tolerates folded header lines, compact header names, bare-LF line ends and
 * spaces around colons; rejects anything that is not a SIP/2.0 response with Via, Call-ID and CSeq
 * (a probe reports that as `sip_bad_response`).
 */
export function parseResponse(data: Buffer | string): SipResponse {
  const text = typeof data === "string" ? data : data.toString("latin1");
  const split = /\r?\n\r?\n/.exec(text);
  if (!split) throw new SipParseError("no end of headers (blank line)");
  const head = text.slice(0, split.index);
  const rawLines = head.split(/\r?\n/);
  const lines: string[] = [];
  for (const line of rawLines) {
    if (/^[ \t]/.test(line) && lines.length > 1) lines[lines.length - 1] += ` ${line.trim()}`;
    else lines.push(line);
  }
  const statusLine = lines[0] ?? "";
  const status = /^SIP\/2\.0 ([1-6][0-9]{2})(?: (.*))?$/.exec(statusLine);
  if (!status) throw new SipParseError(`not a SIP/2.0 status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const rawName = colon > 0 ? line.slice(0, colon).trim() : "";
    if (!TOKEN.test(rawName)) throw new SipParseError(`malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    const lower = rawName.toLowerCase();
    const name = COMPACT[lower] ?? lower;
    const list = headers.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    headers.set(name, list);
  }
  const via = headers.get("via")?.[0];
  const callId = headers.get("call-id")?.[0];
  const cseqText = headers.get("cseq")?.[0];
  if (!via || !callId || !cseqText) throw new SipParseError("response without Via, Call-ID or CSeq");
  const cseq = /^(\d{1,10})\s+([A-Za-z]+)$/.exec(cseqText);
  if (!cseq) throw new SipParseError(`malformed CSeq: ${JSON.stringify(cseqText)}`);
  let body = text.slice(split.index + split[0].length);
  const length = headers.get("content-length")?.[0];
  if (length !== undefined) {
    if (!/^\d{1,7}$/.test(length)) throw new SipParseError(`malformed Content-Length: ${JSON.stringify(length)}`);
    if (body.length < Number(length)) throw new SipParseError("body shorter than Content-Length");
    body = body.slice(0, Number(length));
  }
  return {
    status: Number(status[1]),
    reason: status[2] ?? "",
    headers,
    branch: headerParam(splitList(via)[0] ?? "", "branch"),
    callId,
    cseq: { seq: Number(cseq[1]), method: cseq[2]!.toUpperCase() },
    body,
  };
}

const MAX_HEAD = 64 * 1024;

/**
 * Cuts a TCP byte stream into SIP messages by the blank line and Content-Length (RFC 3261 §18.3);
 * CRLF keep-alives between messages are skipped. Throws SipParseError on an oversized or unframeable head.
 */
export class SipStreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    for (;;) {
      let skip = 0;
      while (skip < this.buffer.length && (this.buffer[skip] === 0x0d || this.buffer[skip] === 0x0a)) skip++;
      if (skip > 0) this.buffer = this.buffer.subarray(skip);
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) {
        if (this.buffer.length > MAX_HEAD) throw new SipParseError("no end of headers in the first 64 KiB");
        return messages;
      }
      const head = this.buffer.subarray(0, end).toString("latin1");
      const length = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(head);
      const total = end + 4 + (length ? Number(length[1]) : 0);
      if (this.buffer.length < total) return messages;
      messages.push(this.buffer.subarray(0, total));
      this.buffer = this.buffer.subarray(total);
    }
  }
}
