/**
 * Notification templates: one per message, each in pt-BR (required: the fallback) and optionally English.
 * A template renders to a subject, plain paragraphs and an optional action link; `mailBodies` turns that into
 * the text and HTML parts of a mail, escaping everything that came from parameters.
 */
import { scheduledCallTemplates } from "./scheduled-call-templates.js";
import { ticketPreferenceKinds, ticketTemplates } from "./ticket-templates.js";

export const locales = ["pt-BR", "en"] as const;
export type Locale = (typeof locales)[number];
export const DEFAULT_LOCALE: Locale = "pt-BR";

export const localeOf = (value: string | null | undefined): Locale => (value === "en" ? "en" : DEFAULT_LOCALE);

export interface Rendered {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** An iCalendar part (RFC 5546): mail carries it as a `text/calendar; method=…` alternative (an invitation). */
  calendar?: { method: "REQUEST" | "CANCEL"; content: string };
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
export const preferenceKinds = ["ticket.escalation", "ticket.watch", ...ticketPreferenceKinds] as const;

const s = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const list = (v: unknown) => (Array.isArray(v) ? v.map(String).join(", ") : s(v));
/** An instant in a zone, as the reader's language writes it. */
const when = (iso: unknown, zone: unknown, locale: Locale) => {
  const d = new Date(String(iso));
  if (Number.isNaN(d.getTime())) return s(iso);
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "short",
    timeStyle: "short",
    timeZone: typeof zone === "string" && zone ? zone : "America/Sao_Paulo",
  }).format(d);
};
const link = (label: string, url: unknown) => (typeof url === "string" && url ? { label, url } : undefined);

export const templates: Record<string, Template> = {
  ...ticketTemplates,
  ...scheduledCallTemplates,
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
  // On-call paging (modules/oncall): to a person a step of an escalation policy tells; `ackUrl` acknowledges.
  "page.staff": {
    kind: "page",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: `[Plantão] Acionamento ${s(p.severityName)}: ${s(p.title)}`,
        paragraphs: [
          `Você está sendo acionado(a) (etapa ${Number(p.step) + 1}${Number(p.round) > 0 ? `, repetição ${s(p.round)}` : ""}).`,
          s(p.title),
          ...(p.summary ? [s(p.summary)] : []),
          ...(p.url ? [`Detalhes: ${s(p.url)}`] : []),
          ...(p.contacts ? [`Contatos de emergência: ${s(p.contacts)}`] : []),
          "Sem reconhecimento, o acionamento passa à próxima etapa da política de escalonamento.",
        ],
        action: link("Reconhecer o acionamento", p.ackUrl),
      }),
      en: (p) => ({
        subject: `[Plantão] Page ${s(p.severityName)}: ${s(p.title)}`,
        paragraphs: [
          `You are being paged (step ${Number(p.step) + 1}${Number(p.round) > 0 ? `, repeat ${s(p.round)}` : ""}).`,
          s(p.title),
          ...(p.summary ? [s(p.summary)] : []),
          ...(p.url ? [`Details: ${s(p.url)}`] : []),
          ...(p.contacts ? [`Emergency contacts: ${s(p.contacts)}`] : []),
          "Unless someone acknowledges, the page moves to the next step of the escalation policy.",
        ],
        action: link("Acknowledge the page", p.ackUrl),
      }),
    },
  },
  /** To an affected customer: that the provider is on it, and nothing internal (no steps, names or links). */
  "page.customer": {
    kind: "page",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: `[Plantão] Estamos tratando um incidente: ${s(p.title)}`,
        paragraphs: [
          "Identificamos um incidente que pode afetar seus serviços e nossa equipe já está trabalhando nele.",
          s(p.title),
          "Enviaremos novidades assim que possível.",
        ],
      }),
      en: (p) => ({
        subject: `[Plantão] We are handling an incident: ${s(p.title)}`,
        paragraphs: [
          "We identified an incident that may affect your services and our team is already working on it.",
          s(p.title),
          "We will send news as soon as we can.",
        ],
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
        subject: `Escalonamento: ${ticketMark(p)} ${s(p.subject)}`,
        paragraphs: [
          "O SLA deste chamado pede atenção.",
          `#${s(p.number)} ${s(p.subject)}`,
          `${s(p.severity)} · ${s(p.tier)} · ${s(p.status)}`,
          `${s(p.clock)}: violação em ${s(p.breachAt)}`,
        ],
        action: link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `Escalation: ${ticketMark(p)} ${s(p.subject)}`,
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
  // To the requester: the ticket was resolved; with the satisfaction survey's signed link unless the organization opted out.
  "ticket.resolved": {
    kind: "ticket.resolved",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: `${ticketMark(p)} ${s(p.subject)}: resolvido`,
        paragraphs: [
          `Olá, ${s(p.name)}.`,
          `Seu chamado #${s(p.number)} "${s(p.subject)}" foi resolvido. Se algo ainda não estiver certo, responda pelo portal e ele será reaberto.`,
          ...(p.surveyUrl
            ? [`Como foi o atendimento? Dê uma nota de 1 a 5 (leva 10 segundos, sem login): ${s(p.surveyUrl)}`]
            : []),
        ],
        action: link("Avaliar o atendimento", p.surveyUrl) ?? link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `${ticketMark(p)} ${s(p.subject)}: resolved`,
        paragraphs: [
          `Hello ${s(p.name)},`,
          `Your ticket #${s(p.number)} "${s(p.subject)}" was resolved. If something is still not right, reply in the portal and it will be reopened.`,
          ...(p.surveyUrl ? [`How did we do? Rate us from 1 to 5 (10 seconds, no login): ${s(p.surveyUrl)}`] : []),
        ],
        action: link("Rate the support", p.surveyUrl) ?? link("Open the ticket", p.link),
      }),
    },
  },
  // To the requester, once, when the survey is still unanswered a few days after the resolution.
  "ticket.csat-reminder": {
    kind: "ticket.resolved",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: `${ticketMark(p)} ${s(p.subject)}: como foi o atendimento?`,
        paragraphs: [
          `Olá, ${s(p.name)}.`,
          `Ainda dá tempo de avaliar o atendimento do chamado #${s(p.number)} "${s(p.subject)}", de 1 a 5: ${s(p.surveyUrl)}`,
          "Este é o único lembrete.",
        ],
        action: link("Avaliar o atendimento", p.surveyUrl),
      }),
      en: (p) => ({
        subject: `${ticketMark(p)} ${s(p.subject)}: how did we do?`,
        paragraphs: [
          `Hello ${s(p.name)},`,
          `There is still time to rate the support on ticket #${s(p.number)} "${s(p.subject)}", from 1 to 5: ${s(p.surveyUrl)}`,
          "This is the only reminder.",
        ],
        action: link("Rate the support", p.surveyUrl),
      }),
    },
  },
  // To a ticket's watchers: a public reply (`body`) or a status change (`change`).
  "ticket.watcher-update": {
    kind: "ticket.watch",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `${ticketMark(p)} ${s(p.subject)}`,
        paragraphs: [p.change ? `${s(p.author)}: ${s(p.change)}` : `${s(p.author)}:`, ...(p.body ? [s(p.body)] : [])],
        action: link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `${ticketMark(p)} ${s(p.subject)}`,
        paragraphs: [p.change ? `${s(p.author)}: ${s(p.change)}` : `${s(p.author)}:`, ...(p.body ? [s(p.body)] : [])],
        action: link("Open the ticket", p.link),
      }),
    },
  },
  // Status page (modules/status): a maintenance window's notice, start and end, to subscribers and contacts.
  "status.maintenance": {
    kind: "status",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `[${p.phase === "started" ? "Manutenção iniciada" : p.phase === "ended" ? "Manutenção concluída" : "Manutenção programada"}] ${s(p.title)}`,
        paragraphs: [
          p.phase === "started"
            ? "A manutenção programada começou."
            : p.phase === "ended"
              ? "A manutenção programada terminou."
              : "Haverá uma manutenção programada.",
          `${s(p.title)}: de ${when(p.startsAt, p.timezone, "pt-BR")} a ${when(p.endsAt, p.timezone, "pt-BR")} (${s(p.timezone)}).`,
          `Componentes afetados: ${list(p.components)}.`,
          ...(p.description ? [s(p.description)] : []),
        ],
        action: link("Página de status", p.link),
      }),
      en: (p) => ({
        subject: `[${p.phase === "started" ? "Maintenance started" : p.phase === "ended" ? "Maintenance completed" : "Scheduled maintenance"}] ${s(p.title)}`,
        paragraphs: [
          p.phase === "started"
            ? "The scheduled maintenance has started."
            : p.phase === "ended"
              ? "The scheduled maintenance has ended."
              : "Maintenance is scheduled.",
          `${s(p.title)}: from ${when(p.startsAt, p.timezone, "en")} to ${when(p.endsAt, p.timezone, "en")} (${s(p.timezone)}).`,
          `Affected components: ${list(p.components)}.`,
          ...(p.description ? [s(p.description)] : []),
        ],
        action: link("Status page", p.link),
      }),
    },
  },
  "status.subscription-confirm": {
    kind: "account",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: "Confirme sua inscrição na página de status",
        paragraphs: [
          "Recebemos um pedido para enviar avisos da página de status a este endereço.",
          "Para confirmar, abra o link abaixo. Se não foi você, ignore este e-mail: nada será enviado.",
        ],
        action: link("Confirmar inscrição", p.link),
      }),
      en: (p) => ({
        subject: "Confirm your status page subscription",
        paragraphs: [
          "We were asked to send status page notices to this address.",
          "To confirm, open the link below. If it was not you, ignore this mail: nothing will be sent.",
        ],
        action: link("Confirm subscription", p.link),
      }),
    },
  },
  // Knowledge base (modules/kb/upkeep.ts): an article's review date came; to its owner.
  "kb.review-due": {
    kind: "kb.review",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `[Plantão] Revisão do artigo: ${s(p.title)}`,
        paragraphs: [
          `O artigo "${s(p.title)}" da base de conhecimento chegou à data de revisão (${when(p.reviewAt, "America/Sao_Paulo", "pt-BR")}).`,
          "Confira se continua correto e registre a revisão, ou arquive-o.",
        ],
        action: link("Abrir o artigo", p.link),
      }),
      en: (p) => ({
        subject: `[Plantão] Article review due: ${s(p.title)}`,
        paragraphs: [
          `The knowledge-base article "${s(p.title)}" reached its review date (${when(p.reviewAt, "America/Sao_Paulo", "en")}).`,
          "Check that it is still right and record the review, or archive it.",
        ],
        action: link("Open the article", p.link),
      }),
    },
  },
};

/**
 * How a subject names a ticket: `[Plantão] #1234`, the `#` being the plan's ticket tag (`email.ticketTag`, put in
 * the parameters at delivery as `ticketTag`), the same tag the mail intake threads replies by.
 */
export const ticketMark = (p: Params) =>
  `[Plantão] ${typeof p.ticketTag === "string" && p.ticketTag ? p.ticketTag : "#"}${s(p.number)}`;

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
