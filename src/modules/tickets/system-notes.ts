/**
 * System notes on a ticket's timeline are stored as a phrase key and its parameters, and written in the reader's
 * language when read, so the same note reads in Portuguese to one agent and in English to another. Pure.
 */

export const noteLocales = ["pt-BR", "en"] as const;
export type NoteLocale = (typeof noteLocales)[number];
export const DEFAULT_NOTE_LOCALE: NoteLocale = "pt-BR";

interface FieldChange {
  field: string;
  before: string | null;
  after: string | null;
}

/** Who an escalation step could not reach, and why. */
export interface SkippedRecipient {
  who: string;
  reason: "no_team" | "no_contact_email";
}

export type SystemNote =
  | { key: "sla.breached"; params: { clock: string; tier: string | null; at: string } }
  | { key: "sla.warning"; params: { clock: string; tier: string | null; at: string; breachAt: string } }
  | {
      key: "sla.escalation";
      params: {
        step: number;
        clock: string;
        notified: string[];
        changes: FieldChange[];
        skipped: SkippedRecipient[];
      };
    }
  | { key: "ticket.escalated"; params: { from: string; to: string; reason: string } }
  | { key: "ticket.merged_into"; params: { number: number } }
  | { key: "ticket.merged_from"; params: { number: number } }
  | { key: "csat.rated"; params: { rating: number; comment: string | null } };

type Phrasebook = { [K in SystemNote["key"]]: (p: Extract<SystemNote, { key: K }>["params"]) => string };

const clockPt: Record<string, string> = {
  first_response: "primeira resposta",
  next_response: "próxima resposta",
  resolution: "resolução",
  tier_response: "resposta do nível",
};
const recipientPt: Record<string, string> = {
  assignee: "responsável",
  team: "equipe",
  manager: "gerentes",
  admin: "administradores",
  noc: "NOC",
  security: "segurança",
  emergencyContacts: "contatos de emergência",
  customerContact: "contato do cliente",
};
const fieldPt: Record<string, string> = { tier: "nível", severity: "severidade" };
const valuePt: Record<string, string> = { critical: "crítico", high: "alto", medium: "médio", low: "baixo" };
const reasonText: Record<NoteLocale, Record<SkippedRecipient["reason"], string>> = {
  en: { no_team: "the ticket has no team", no_contact_email: "the requester has no email" },
  "pt-BR": { no_team: "o chamado não tem equipe", no_contact_email: "o solicitante não tem e-mail" },
};

const pt = (table: Record<string, string>, value: string | null) => (value === null ? "—" : (table[value] ?? value));
const withTier = (clock: string, tier: string | null) => `${clock}${tier ? ` (${tier})` : ""}`;

const phrasebooks: Record<NoteLocale, Phrasebook> = {
  en: {
    "sla.breached": (p) => `SLA breached: ${withTier(p.clock, p.tier)} at ${p.at}`,
    "sla.warning": (p) => `SLA target reached: ${withTier(p.clock, p.tier)} at ${p.at}; breach at ${p.breachAt}`,
    "sla.escalation": (p) =>
      [
        `Escalation step ${p.step} (${p.clock}): notified ${p.notified.join(", ") || "nobody"}`,
        ...p.changes.map((c) => `${c.field} ${c.before} → ${c.after}`),
        ...(p.skipped.length
          ? [`not notified: ${p.skipped.map((s) => `${s.who} (${reasonText.en[s.reason]})`).join(", ")}`]
          : []),
      ].join("; "),
    "ticket.escalated": (p) => `Escalated from ${p.from} to ${p.to}: ${p.reason}`,
    "ticket.merged_into": (p) => `Merged into #${p.number}`,
    "csat.rated": (p) => `Customer rating: ${p.rating}/5${p.comment ? ` — "${p.comment}"` : ""}`,
    "ticket.merged_from": (p) => `#${p.number} was merged into this ticket`,
  },
  "pt-BR": {
    "sla.breached": (p) => `SLA violado: ${withTier(pt(clockPt, p.clock), p.tier)} em ${p.at}`,
    "sla.warning": (p) =>
      `Meta de SLA atingida: ${withTier(pt(clockPt, p.clock), p.tier)} em ${p.at}; violação em ${p.breachAt}`,
    "sla.escalation": (p) =>
      [
        `Escalonamento, passo ${p.step} (${pt(clockPt, p.clock)}): notificados ${p.notified.map((r) => pt(recipientPt, r)).join(", ") || "ninguém"}`,
        ...p.changes.map((c) => `${pt(fieldPt, c.field)} ${pt(valuePt, c.before)} → ${pt(valuePt, c.after)}`),
        ...(p.skipped.length
          ? [
              `não notificados: ${p.skipped.map((s) => `${pt(recipientPt, s.who)} (${reasonText["pt-BR"][s.reason]})`).join(", ")}`,
            ]
          : []),
      ].join("; "),
    "ticket.escalated": (p) => `Escalonado de ${p.from} para ${p.to}: ${p.reason}`,
    "ticket.merged_into": (p) => `Mesclado no #${p.number}`,
    "csat.rated": (p) => `Avaliação do cliente: ${p.rating}/5${p.comment ? ` — "${p.comment}"` : ""}`,
    "ticket.merged_from": (p) => `#${p.number} foi mesclado neste chamado`,
  },
};

export function renderNote(note: SystemNote, locale: NoteLocale): string {
  return (phrasebooks[locale][note.key] as (p: SystemNote["params"]) => string)(note.params);
}

/**
 * A stored note in `locale`: its key and parameters when it has them, else (rows written before keys, or a key
 * this version does not know) the stored text.
 */
export function renderStored(
  row: { body: string; body_key: string | null; body_params: string | null },
  locale: NoteLocale,
): string {
  if (row.body_key === null || !Object.hasOwn(phrasebooks[locale], row.body_key)) return row.body;
  try {
    return renderNote({ key: row.body_key, params: JSON.parse(row.body_params ?? "{}") } as SystemNote, locale);
  } catch {
    return row.body;
  }
}

/** The stored form of a note: the English text (for readers of `body`), the key and its parameters. */
export function storedNote(note: SystemNote): { body: string; body_key: string; body_params: string } {
  return { body: renderNote(note, "en"), body_key: note.key, body_params: JSON.stringify(note.params) };
}

/**
 * The language an `Accept-Language` header asks for among ours: the first tag (by preference weight) that is
 * Portuguese or English; null when it names neither, so the reader's stored preference decides.
 */
export function noteLocaleOf(acceptLanguage: string | undefined): NoteLocale | null {
  const tags = (acceptLanguage ?? "")
    .split(",")
    .map((part, i) => {
      const [tag, ...attrs] = part.split(";").map((x) => x.trim().toLowerCase());
      const q = attrs.find((a) => a.startsWith("q="));
      return { tag: tag ?? "", q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((t) => t.tag && Number.isFinite(t.q) && t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of tags) {
    if (tag === "pt" || tag.startsWith("pt-")) return "pt-BR";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return null;
}

/** A stored user preference as one of our languages (anything but English reads in the default). */
export const noteLocaleOfPreference = (locale: string | null | undefined): NoteLocale =>
  locale === "en" ? "en" : DEFAULT_NOTE_LOCALE;
