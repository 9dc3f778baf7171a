/**
 * Notification templates: one per message, each in pt-BR (required: the fallback) and optionally English.
 * A template renders to a subject, plain paragraphs and an optional action link; `mailBodies` turns that into
 * the text and HTML parts of a mail, escaping everything that came from parameters.
 */

export const locales = ["pt-BR", "en"] as const;
export type Locale = (typeof locales)[number];
export const DEFAULT_LOCALE: Locale = "pt-BR";

export const localeOf = (value: string | null | undefined): Locale => (value === "en" ? "en" : DEFAULT_LOCALE);

export interface Rendered {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
}

type Params = Record<string, unknown>;
type Renderer = (p: Params) => Rendered;

export interface Template {
  /** The event kind a user's preferences switch on or off. */
  kind: string;
  /** Whether the recipient may switch it off (then mail carries `List-Unsubscribe`); account mail may not be. */
  optOut: boolean;
  render: { "pt-BR": Renderer } & Partial<Record<Locale, Renderer>>;
}

/** Event kinds a user may choose channels for, with the words the preferences page shows. */
export const preferenceKinds = ["ticket.escalation", "ticket.watch"] as const;

const s = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const link = (label: string, url: unknown) => (typeof url === "string" && url ? { label, url } : undefined);

export const templates: Record<string, Template> = {
  // Alert routing: a group of alerts firing or resolved (modules/alerts); alerts[] = {state, name, severity, summary, labels}.
  "alert.group": {
    kind: "alert",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: `[${Number(p.firing) > 0 ? `ALERTA ${s(p.firing)}` : "RESOLVIDO"}] ${s(p.title)}`,
        paragraphs: [
          `${s(p.firing)} alerta(s) disparado(s), ${s(p.resolved)} resolvido(s).`,
          ...(
            (p.alerts as { state: string; name: string; severity: string; summary: string; labels: string }[]) ?? []
          ).map(
            (a) =>
              `${a.state === "firing" ? "DISPARADO" : "RESOLVIDO"} · ${a.severity} · ${a.name}: ${a.summary} (${a.labels})`,
          ),
        ],
        action: link("Ver alertas", p.link),
      }),
      en: (p) => ({
        subject: `[${Number(p.firing) > 0 ? `FIRING ${s(p.firing)}` : "RESOLVED"}] ${s(p.title)}`,
        paragraphs: [
          `${s(p.firing)} alert(s) firing, ${s(p.resolved)} resolved.`,
          ...(
            (p.alerts as { state: string; name: string; severity: string; summary: string; labels: string }[]) ?? []
          ).map(
            (a) =>
              `${a.state === "firing" ? "FIRING" : "RESOLVED"} · ${a.severity} · ${a.name}: ${a.summary} (${a.labels})`,
          ),
        ],
        action: link("See alerts", p.link),
      }),
    },
  },
  "identity.password-reset": {
    kind: "account",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: "Plantão: redefinição de senha",
        paragraphs: [
          `Olá ${s(p.name)},`,
          "Para definir uma nova senha, abra este link em até 1 hora:",
          s(p.link),
          "Se você não pediu isso, ignore este e-mail.",
        ],
        action: link("Definir nova senha", p.link),
      }),
      en: (p) => ({
        subject: "Plantão: password reset",
        paragraphs: [
          `Hello ${s(p.name)},`,
          "To set a new password, open this link within 1 hour:",
          s(p.link),
          "If you did not ask for this, ignore this email.",
        ],
        action: link("Set a new password", p.link),
      }),
    },
  },
  // To staff: the SLA of a ticket needs attention (escalation matrix step).
  "ticket.escalation.staff": {
    kind: "ticket.escalation",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `Escalonamento: [Plantão] #${s(p.number)} ${s(p.subject)}`,
        paragraphs: [
          "O SLA deste chamado pede atenção.",
          `#${s(p.number)} ${s(p.subject)}`,
          `${s(p.severity)} · ${s(p.tier)} · ${s(p.status)}`,
          `${s(p.clock)}: violação em ${s(p.breachAt)}`,
        ],
        action: link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `Escalation: [Plantão] #${s(p.number)} ${s(p.subject)}`,
        paragraphs: [
          "This ticket's SLA needs attention.",
          `#${s(p.number)} ${s(p.subject)}`,
          `${s(p.severity)} · ${s(p.tier)} · ${s(p.status)}`,
          `${s(p.clock)}: breach at ${s(p.breachAt)}`,
        ],
        action: link("Open the ticket", p.link),
      }),
    },
  },
  /**
   * To the requester: the ticket is being followed up, and nothing else. No severity, tier, deadlines,
   * internal notes or staff names: those are the provider's business.
   */
  "ticket.escalation.customer": {
    kind: "ticket.escalation",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `[Plantão] Seu chamado #${s(p.number)} está em acompanhamento`,
        paragraphs: [
          `Olá, ${s(p.name)}.`,
          `Seu chamado #${s(p.number)} "${s(p.subject)}" foi levado a mais pessoas da nossa equipe, que o acompanham com prioridade. Escreveremos assim que tivermos novidades.`,
          "Obrigado pela paciência.",
        ],
      }),
      en: (p) => ({
        subject: `[Plantão] Your ticket #${s(p.number)} is being followed up`,
        paragraphs: [
          `Hello ${s(p.name)},`,
          `Your ticket #${s(p.number)} "${s(p.subject)}" has been brought to the attention of more of our team, who are following it up as a priority. We will write to you as soon as we have news.`,
          "Thank you for your patience.",
        ],
      }),
    },
  },
  // To a ticket's watchers: a public reply (`body`) or a status change (`change`).
  "ticket.watcher-update": {
    kind: "ticket.watch",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `[Plantão] #${s(p.number)} ${s(p.subject)}`,
        paragraphs: [p.change ? `${s(p.author)}: ${s(p.change)}` : `${s(p.author)}:`, ...(p.body ? [s(p.body)] : [])],
        action: link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `[Plantão] #${s(p.number)} ${s(p.subject)}`,
        paragraphs: [p.change ? `${s(p.author)}: ${s(p.change)}` : `${s(p.author)}:`, ...(p.body ? [s(p.body)] : [])],
        action: link("Open the ticket", p.link),
      }),
    },
  },
};

/** Renders a template in a language, falling back to pt-BR when the template lacks that language. */
export function render(
  registry: Record<string, Template>,
  key: string,
  locale: Locale,
  params: Params,
): Rendered & { locale: Locale } {
  const template = registry[key];
  if (!template) throw new Error(`unknown notification template ${key}`);
  const fn = template.render[locale];
  if (fn) return { ...fn(params), locale };
  return { ...template.render["pt-BR"](params), locale: "pt-BR" };
}

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => entities[c]!);

/** Only http(s) links become anchors: a `javascript:` URL in a parameter stays inert text. */
const safeUrl = (url: string) => /^https?:\/\//i.test(url);

/** The text and HTML parts of a mail; `unsubscribe` adds the footer line pointing at the preferences page. */
export function mailBodies(r: Rendered, locale: Locale, unsubscribe?: string): { text: string; html: string } {
  const footer = unsubscribe
    ? locale === "en"
      ? `To choose which notifications you receive: ${unsubscribe}`
      : `Para escolher quais notificações receber: ${unsubscribe}`
    : undefined;
  const textParts = [...r.paragraphs];
  if (r.action && !r.paragraphs.includes(r.action.url)) textParts.push(`${r.action.label}: ${r.action.url}`);
  if (footer) textParts.push("--", footer);
  const paragraph = (p: string) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`;
  const html = [
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(r.subject)}</title></head>`,
    '<body style="font-family:sans-serif;line-height:1.5;color:#222">',
    ...r.paragraphs.map(paragraph),
    r.action && safeUrl(r.action.url)
      ? `<p><a href="${escapeHtml(r.action.url)}" style="font-weight:bold">${escapeHtml(r.action.label)}</a></p>`
      : "",
    footer ? `<hr><p style="font-size:small;color:#666">${escapeHtml(footer)}</p>` : "",
    "</body></html>",
  ].join("\n");
  return { text: textParts.join("\n\n"), html };
}
