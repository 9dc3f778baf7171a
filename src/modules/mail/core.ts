/** The rules of inbound mail, free of storage and sockets: loop guards, threading keys, quoted history. */

/** Why a mail counts as automatic (no person wrote it): such mail never opens a ticket or gets an answer. */
export type AutomaticReason = "auto-submitted" | "x-autoreply" | "precedence" | "x-loop" | "own-sender" | "bounce";

export interface GuardInput {
  /** Header lines, lower-case names, first value of each. */
  headers: ReadonlyMap<string, string>;
  from: string;
  /** The SMTP envelope sender; "" for a bounce (null reverse-path); undefined when unknown (IMAP). */
  envelopeFrom?: string;
  contentType?: string;
  /** Our own addresses: the outgoing sender and every mailbox. */
  ownAddresses: ReadonlySet<string>;
}

/** The first reason a mail is automatic (RFC 3834, the common vendor headers, our own loops), or null. */
export function automaticReason(m: GuardInput): AutomaticReason | null {
  const h = (name: string) => m.headers.get(name)?.trim().toLowerCase();
  if (m.ownAddresses.has(m.from.toLowerCase())) return "own-sender";
  if (h("x-loop") !== undefined) return "x-loop";
  const autoSubmitted = h("auto-submitted");
  if (autoSubmitted !== undefined && autoSubmitted.split(";")[0]!.trim() !== "no") return "auto-submitted";
  if (h("x-autoreply") !== undefined || h("x-autorespond") !== undefined || h("x-autoresponder") !== undefined)
    return "x-autoreply";
  const precedence = h("precedence");
  if (precedence && ["bulk", "list", "junk", "auto_reply"].includes(precedence)) return "precedence";
  if (m.envelopeFrom === "" || /^multipart\/report/i.test(m.contentType ?? "")) return "bounce";
  if (/^(mailer-daemon|postmaster)@/i.test(m.from)) return "bounce";
  return null;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The ticket number a subject names with the configured tag, as in `Re: [#1234] Trunk down`; the last one wins. */
export function ticketNumberInSubject(subject: string, tag: string): number | null {
  const re = new RegExp(`\\[${escapeRegExp(tag)}(\\d{1,15})\\]`, "g");
  let last: number | null = null;
  for (const m of subject.matchAll(re)) last = Number(m[1]);
  return last;
}

/**
 * The ticket number in one of our own subjects (`[Plantão] #1234`, notifications' `ticketMark`), with the same
 * configured tag: a customer replying to an acknowledgement threads by it.
 */
export function ourSubjectNumber(subject: string, tag: string): number | null {
  const m = new RegExp(`\\[Plantão\\] ${escapeRegExp(tag)}(\\d{1,15})\\b`).exec(subject);
  return m ? Number(m[1]) : null;
}

/** Message-IDs of a header value, each with its angle brackets, in order. */
export function messageIdsOf(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(" ") : (value ?? "");
  return [...text.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]);
}

/** The ids a reply names, in the order threading tries them: In-Reply-To, then References from the newest. */
export function threadKeys(inReplyTo: string | string[] | undefined, references: string | string[] | undefined) {
  const out: string[] = [];
  for (const id of [...messageIdsOf(inReplyTo), ...messageIdsOf(references).reverse()])
    if (!out.includes(id)) out.push(id);
  return out;
}

/** A subject without reply and forward prefixes (pt-BR and English clients), for grouping a burst of one mail. */
export function baseSubject(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^(re|res|fw|fwd|enc|aw|wg|tr)\s*(\[\d+\])?\s*:\s*/i, "").trim();
    if (next === s) return s.replace(/\s+/g, " ").toLowerCase();
    s = next;
  }
}

/** Lines that open the quoted history a mail client appends under a reply. */
const quoteOpeners = [
  /^On .{1,200} wrote:\s*$/,
  /^Em .{1,200} escreveu:\s*$/,
  /^-{2,}\s*(Original Message|Mensagem original|Forwarded message|Mensagem encaminhada)\s*-{2,}\s*$/i,
  /^(From|De):\s.+$/,
];

/**
 * Splits a plain-text body into what the sender wrote and the quoted history under it: from the first
 * "On … wrote:" style line, or the trailing block of `>` lines. The history is folded in the view, never lost.
 */
export function splitQuoted(text: string): { body: string; quoted: string } {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let cut = lines.findIndex((l, i) => i > 0 && quoteOpeners.some((re) => re.test(l.trim())));
  if (cut < 0) {
    // A trailing run of quoted lines (blank lines allowed inside it).
    let i = lines.length;
    while (i > 0 && (lines[i - 1]!.startsWith(">") || lines[i - 1]!.trim() === "")) i--;
    if (i < lines.length && lines.slice(i).some((l) => l.startsWith(">"))) cut = i;
  }
  if (cut <= 0) return { body: text.trim(), quoted: "" };
  const body = lines.slice(0, cut).join("\n").trim();
  if (!body) return { body: text.trim(), quoted: "" };
  return { body, quoted: lines.slice(cut).join("\n").trim() };
}

/** The address part of a header address, lower case. */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

export const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1).toLowerCase();

/** The mail-bomb guard: how many new tickets one sender may open by mail per window; later mail joins the last. */
export interface BurstLimit {
  windowMs: number;
  newTickets: number;
}
export const DEFAULT_BURST: BurstLimit = { windowMs: 60_000, newTickets: 3 };

/**
 * The Subject of a raw message whose header was sent as 8-bit bytes in a legacy charset (no encoded-word): decoded
 * in the message's declared charset, else Windows-1252 (a superset of Latin-1). Null when the header is UTF-8 or absent.
 */
export function legacySubject(raw: Buffer): string | null {
  const end = raw.indexOf("\r\n\r\n");
  const head = raw.subarray(0, end < 0 ? Math.min(raw.length, 65_536) : end);
  const text = head.toString("latin1");
  const m = /(?:^|\r?\n)Subject:[ \t]*((?:.*)(?:\r?\n[ \t].*)*)/i.exec(text);
  if (!m) return null;
  const bytes = Buffer.from(m[1]!, "latin1");
  if (new TextDecoder("utf-8", { fatal: false }).decode(bytes).indexOf("\uFFFD") < 0) return null;
  const declared = /charset="?([A-Za-z0-9_.:-]+)"?/i.exec(text)?.[1];
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(declared && !/^utf-?8$/i.test(declared) ? declared : "windows-1252");
  } catch {
    decoder = new TextDecoder("windows-1252");
  }
  return decoder
    .decode(bytes)
    .replace(/\r?\n[ \t]+/g, " ")
    .trim();
}
