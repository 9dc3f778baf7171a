import { type Template, ticketMark } from "./templates.js";

/**
 * Ticket notifications (sent by modules/tickets/ticket-notifications.ts). To customers: nothing internal (no
 * tier, severity, clocks, staff-only fields), only what the customer SLA promises. To staff: the facts to act on.
 */

type Params = Record<string, unknown>;
const s = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const link = (label: string, url: unknown) => (typeof url === "string" && url ? { label, url } : undefined);

/** An instant in the recipient's language and zone (the user's, else the installation's default). */
function when(p: Params, locale: "pt-BR" | "en"): string {
  if (typeof p.dueAt !== "string") return "";
  try {
    return new Intl.DateTimeFormat(locale, {
      day: "2-digit",
      month: "2-digit",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: typeof p.timeZone === "string" ? p.timeZone : "America/Sao_Paulo",
      timeZoneName: "short",
    }).format(new Date(p.dueAt));
  } catch {
    return p.dueAt;
  }
}

const statusWords: Record<"pt-BR" | "en", Record<string, string>> = {
  "pt-BR": {
    new: "Novo",
    open: "Em atendimento",
    pending_customer: "Aguardando você",
    pending_vendor: "Aguardando fornecedor",
    on_hold: "Em espera",
    resolved: "Resolvido",
    closed: "Fechado",
  },
  en: {
    new: "New",
    open: "In progress",
    pending_customer: "Waiting for you",
    pending_vendor: "Waiting for a vendor",
    on_hold: "On hold",
    resolved: "Resolved",
    closed: "Closed",
  },
};
const statusWord = (locale: "pt-BR" | "en", status: unknown) => statusWords[locale][s(status)] ?? s(status);
const clockWords: Record<"pt-BR" | "en", Record<string, string>> = {
  "pt-BR": { first_response: "primeira resposta", resolution: "resolução", tier_response: "resposta do nível" },
  en: { first_response: "first response", resolution: "resolution", tier_response: "tier response" },
};
const clockWord = (locale: "pt-BR" | "en", clock: unknown) => clockWords[locale][s(clock)] ?? s(clock);
const subjectLine = (p: Params) => `${ticketMark(p)} ${s(p.subject)}`;
const quote = (p: Params) => (p.body ? [s(p.body)] : []);

export const ticketTemplates: Record<string, Template> = {
  // To the requester: the ticket exists, its number, and when the first answer is due.
  "ticket.received": {
    kind: "ticket.received",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `${subjectLine(p)} — recebido`,
        paragraphs: [
          `Olá, ${s(p.name)}.`,
          `Recebemos seu chamado #${s(p.number)} "${s(p.subject)}".`,
          ...(p.dueAt ? [`Você terá nossa primeira resposta até ${when(p, "pt-BR")}.`] : []),
          "Responda a este e-mail ou acesse o portal para acompanhar.",
        ],
        action: link("Ver o chamado", p.link),
      }),
      en: (p) => ({
        subject: `${subjectLine(p)} — received`,
        paragraphs: [
          `Hello ${s(p.name)},`,
          `We received your ticket #${s(p.number)} "${s(p.subject)}".`,
          ...(p.dueAt ? [`You will have our first answer by ${when(p, "en")}.`] : []),
          "Reply to this email or open the portal to follow it.",
        ],
        action: link("See the ticket", p.link),
      }),
    },
  },
  // To the requester: an agent's public reply, with the message.
  "ticket.reply": {
    kind: "ticket.reply",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: subjectLine(p),
        paragraphs: [`${s(p.author)} respondeu ao seu chamado:`, ...quote(p)],
        action: link("Ver o chamado", p.link),
      }),
      en: (p) => ({
        subject: subjectLine(p),
        paragraphs: [`${s(p.author)} replied to your ticket:`, ...quote(p)],
        action: link("See the ticket", p.link),
      }),
    },
  },
  // To the requester: the ticket's status changed (resolution mail with its survey is the CSAT module's).
  "ticket.status": {
    kind: "ticket.status",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: subjectLine(p),
        paragraphs: [`A situação do seu chamado mudou para: ${statusWord("pt-BR", p.status)}.`],
        action: link("Ver o chamado", p.link),
      }),
      en: (p) => ({
        subject: subjectLine(p),
        paragraphs: [`Your ticket's status changed to: ${statusWord("en", p.status)}.`],
        action: link("See the ticket", p.link),
      }),
    },
  },
  // To the requester: we need their answer; `reminder` when it is the later nudge.
  "ticket.waiting": {
    kind: "ticket.waiting",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `${p.reminder ? "Lembrete: " : ""}${subjectLine(p)} — aguardando sua resposta`,
        paragraphs: [
          p.reminder
            ? `Ainda aguardamos sua resposta no chamado #${s(p.number)} "${s(p.subject)}".`
            : `Precisamos da sua resposta para continuar o chamado #${s(p.number)} "${s(p.subject)}".`,
          "Responda a este e-mail ou pelo portal.",
        ],
        action: link("Responder", p.link),
      }),
      en: (p) => ({
        subject: `${p.reminder ? "Reminder: " : ""}${subjectLine(p)} — waiting for your answer`,
        paragraphs: [
          p.reminder
            ? `We are still waiting for your answer on ticket #${s(p.number)} "${s(p.subject)}".`
            : `We need your answer to go on with ticket #${s(p.number)} "${s(p.subject)}".`,
          "Reply to this email or through the portal.",
        ],
        action: link("Reply", p.link),
      }),
    },
  },
  // To an agent: a ticket was given to them.
  "ticket.assigned": {
    kind: "ticket.assigned",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `Atribuído a você: ${subjectLine(p)}`,
        paragraphs: [
          `${s(p.by) || "O Plantão"} atribuiu a você o chamado #${s(p.number)} "${s(p.subject)}".`,
          `${s(p.organization)} · ${s(p.severity)} · ${s(p.tier)}`,
        ],
        action: link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `Assigned to you: ${subjectLine(p)}`,
        paragraphs: [
          `${s(p.by) || "Plantão"} assigned ticket #${s(p.number)} "${s(p.subject)}" to you.`,
          `${s(p.organization)} · ${s(p.severity)} · ${s(p.tier)}`,
        ],
        action: link("Open the ticket", p.link),
      }),
    },
  },
  // To a staff user named with @ in a reply or note.
  "ticket.mentioned": {
    kind: "ticket.mentioned",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `${s(p.author)} mencionou você: ${subjectLine(p)}`,
        paragraphs: [`${s(p.author)} mencionou você no chamado #${s(p.number)}:`, ...quote(p)],
        action: link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `${s(p.author)} mentioned you: ${subjectLine(p)}`,
        paragraphs: [`${s(p.author)} mentioned you on ticket #${s(p.number)}:`, ...quote(p)],
        action: link("Open the ticket", p.link),
      }),
    },
  },
  // To the assignee (or the team when nobody is assigned): the customer wrote.
  "ticket.customer-replied": {
    kind: "ticket.customer_reply",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `Resposta do cliente: ${subjectLine(p)}`,
        paragraphs: [`${s(p.author)} (${s(p.organization)}) respondeu:`, ...quote(p)],
        action: link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `Customer replied: ${subjectLine(p)}`,
        paragraphs: [`${s(p.author)} (${s(p.organization)}) replied:`, ...quote(p)],
        action: link("Open the ticket", p.link),
      }),
    },
  },
  // To the assignee (or the team): an SLA clock reached its warning share or breached.
  "ticket.sla.staff": {
    kind: "ticket.sla",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `${p.breached ? "SLA violado" : "SLA em risco"}: ${subjectLine(p)}`,
        paragraphs: [
          p.breached
            ? `O prazo de ${clockWord("pt-BR", p.clock)}${p.tier ? ` (${s(p.tier)})` : ""} foi violado.`
            : `O prazo de ${clockWord("pt-BR", p.clock)}${p.tier ? ` (${s(p.tier)})` : ""} vence em ${when(p, "pt-BR")}.`,
        ],
        action: link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `${p.breached ? "SLA breached" : "SLA at risk"}: ${subjectLine(p)}`,
        paragraphs: [
          p.breached
            ? `The ${clockWord("en", p.clock)} deadline${p.tier ? ` (${s(p.tier)})` : ""} was missed.`
            : `The ${clockWord("en", p.clock)} deadline${p.tier ? ` (${s(p.tier)})` : ""} falls at ${when(p, "en")}.`,
        ],
        action: link("Open the ticket", p.link),
      }),
    },
  },
  // To the assignee and the new tier's team: a ticket was escalated by hand to another tier.
  "ticket.escalated.staff": {
    kind: "ticket.escalation",
    optOut: true,
    render: {
      "pt-BR": (p) => ({
        subject: `Escalonado para ${s(p.to)}: ${subjectLine(p)}`,
        paragraphs: [`${s(p.by)} escalonou o chamado de ${s(p.from)} para ${s(p.to)}.`, ...quote(p)],
        action: link("Abrir o chamado", p.link),
      }),
      en: (p) => ({
        subject: `Escalated to ${s(p.to)}: ${subjectLine(p)}`,
        paragraphs: [`${s(p.by)} escalated the ticket from ${s(p.from)} to ${s(p.to)}.`, ...quote(p)],
        action: link("Open the ticket", p.link),
      }),
    },
  },
};

/** The preference kinds these templates add, customers' first. */
export const ticketPreferenceKinds = [
  "ticket.received",
  "ticket.reply",
  "ticket.status",
  "ticket.waiting",
  "ticket.assigned",
  "ticket.mentioned",
  "ticket.customer_reply",
  "ticket.sla",
] as const;
