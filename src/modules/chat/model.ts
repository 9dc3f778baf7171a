import { createHmac, timingSafeEqual } from "node:crypto";

/** The chat vocabulary and its pure rules: visitor signatures, transcripts, the widget's rate limit. */
export const chatStatuses = ["waiting", "active", "closed"] as const;
export type ChatStatus = (typeof chatStatuses)[number];
export const chatLocales = ["pt-BR", "en"] as const;
export type ChatLocale = (typeof chatLocales)[number];
export type AuthorKind = "visitor" | "agent" | "system";
export type ChatEventKind = "message" | "attachment" | "accepted" | "transferred" | "closed";

/** The signature a site's backend puts in the widget tag: HMAC-SHA256 of the visitor identifier, hex. */
export function signVisitor(secret: string, visitorId: string): string {
  return createHmac("sha256", secret).update(visitorId, "utf8").digest("hex");
}

/**
 * Whether `signature` is the site's signature of `visitorId`. Compared in constant time over the decoded bytes,
 * so a forger learns nothing from how long a wrong guess took; anything not 64 hex digits is simply wrong.
 */
export function verifyVisitor(secret: string, visitorId: string, signature: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = createHmac("sha256", secret).update(visitorId, "utf8").digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

/** A portal user chatting as themselves: the identifier the server signs for them. */
export const portalVisitorId = (userId: string) => `user:${userId}`;
export const portalUserOf = (visitorId: string) =>
  /^user:[0-9a-f-]{36}$/.test(visitorId) ? visitorId.slice(5) : undefined;

export interface TranscriptLine {
  seq: number;
  kind: string;
  authorName: string;
  body: string | null;
  attachment: { filename: string; size: number } | null;
  at: string;
}

const labels = {
  "pt-BR": {
    title: "Transcrição do chat",
    file: "arquivo",
    accepted: "atendeu a conversa",
    transferred: "transferiu a conversa para",
    closed: "encerrou a conversa",
  },
  en: {
    title: "Chat transcript",
    file: "file",
    accepted: "took the conversation",
    transferred: "transferred the conversation to",
    closed: "closed the conversation",
  },
} as const;

/** The transcript as plain text, one line per event, times in UTC (ISO-8601) so every reader can place them. */
export function transcriptOf(subject: string, lines: readonly TranscriptLine[], locale: ChatLocale): string {
  const l = labels[locale];
  const out = [`${l.title}: ${subject}`, ""];
  for (const e of lines) {
    const at = e.at.slice(0, 19).replace("T", " ");
    const text =
      e.kind === "message"
        ? `${e.authorName}: ${e.body ?? ""}`
        : e.kind === "attachment"
          ? `${e.authorName}: [${l.file}: ${e.attachment?.filename ?? ""} (${e.attachment?.size ?? 0} B)]`
          : e.kind === "accepted"
            ? `${e.authorName} ${l.accepted}`
            : e.kind === "transferred"
              ? `${e.authorName} ${l.transferred} ${e.body ?? ""}`
              : `${e.authorName} ${l.closed}`;
    out.push(`[${at}Z] ${text}`);
  }
  return out.join("\n");
}

/**
 * A token bucket per key (site, visitor and address), kept in the database so every node on it shares the limit:
 * the widget's public writes cannot flood a conversation by spreading over nodes. `take` answers how many
 * milliseconds to wait when the bucket is empty (0: go on).
 */
export class RateLimiter {
  #calls = 0;

  constructor(
    private readonly store: {
      takeToken(
        key: string,
        capacity: number,
        perSecond: number,
        now: number,
      ): Promise<{ tokens: number; taken: boolean }>;
      pruneBuckets(before: number): Promise<void>;
    },
    /** Names this limiter's buckets apart from another's. */
    private readonly name: string,
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {}

  async take(key: string, now: number): Promise<number> {
    // Now and then, drop buckets idle long enough to be full again (a missing row is a full bucket).
    if (++this.#calls % 1000 === 0) await this.store.pruneBuckets(now - (this.capacity / this.perSecond) * 1000 - 1000);
    const { tokens, taken } = await this.store.takeToken(`${this.name}:${key}`, this.capacity, this.perSecond, now);
    return taken ? 0 : Math.ceil(((1 - tokens) / this.perSecond) * 1000);
  }
}
