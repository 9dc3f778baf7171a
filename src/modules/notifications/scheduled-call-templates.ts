import type { Rendered, Template } from "./templates.js";

/**
 * Scheduled calls (sent by modules/scheduling): the invitation and its updates carry the iCalendar part the
 * scheduling module wrote (`calendar`), so the recipient's calendar client adds, moves or removes the event.
 * Times are shown in the zone the booker used (`timeZone`), with its abbreviation.
 */

type Params = Record<string, unknown>;
type Locale = "pt-BR" | "en";
const s = (v: unknown) => (v === undefined || v === null ? "" : String(v));
const link = (label: string, url: unknown) => (typeof url === "string" && url ? { label, url } : undefined);

function at(p: Params, key: "startsAt" | "endsAt", locale: Locale): string {
  const value = p[key];
  if (typeof value !== "string") return "";
  try {
    return new Intl.DateTimeFormat(locale, {
      weekday: "short",
      day: "2-digit",
      month: "2-digit",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone: typeof p.timeZone === "string" ? p.timeZone : "America/Sao_Paulo",
      timeZoneName: "short",
    }).format(new Date(value));
  } catch {
    return value;
  }
}

function calendarOf(p: Params): Rendered["calendar"] {
  const c = p.calendar as { method?: unknown; content?: unknown } | undefined;
  if (!c || typeof c.content !== "string" || (c.method !== "REQUEST" && c.method !== "CANCEL")) return undefined;
  return { method: c.method, content: c.content };
}

const ticketRef = (p: Params) => `#${s(p.number)} ${s(p.subject)}`;

export const scheduledCallTemplates: Record<string, Template> = {
  // To the customer and the engineer: a new call, or the new time of a rescheduled one (`update`).
  "scheduled-call.invitation": {
    kind: "scheduled_call",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: `[Plantão] ${p.update ? "Chamada reagendada" : "Chamada agendada"}: ${s(p.topic)} (${at(p, "startsAt", "pt-BR")})`,
        paragraphs: [
          p.update
            ? `A chamada sobre o chamado ${ticketRef(p)} mudou de horário.`
            : `Uma chamada sobre o chamado ${ticketRef(p)} foi agendada.`,
          `Quando: ${at(p, "startsAt", "pt-BR")} até ${at(p, "endsAt", "pt-BR")}`,
          `Com: ${s(p.engineerName)} e ${s(p.attendeeName)}`,
          "O convite em anexo adiciona a chamada à sua agenda.",
        ],
        action: link("Ver agendamentos", p.link),
        calendar: calendarOf(p),
      }),
      en: (p) => ({
        subject: `[Plantão] ${p.update ? "Call rescheduled" : "Call scheduled"}: ${s(p.topic)} (${at(p, "startsAt", "en")})`,
        paragraphs: [
          p.update
            ? `The call about ticket ${ticketRef(p)} moved to a new time.`
            : `A call about ticket ${ticketRef(p)} was scheduled.`,
          `When: ${at(p, "startsAt", "en")} to ${at(p, "endsAt", "en")}`,
          `With: ${s(p.engineerName)} and ${s(p.attendeeName)}`,
          "The attached invitation adds the call to your calendar.",
        ],
        action: link("See bookings", p.link),
        calendar: calendarOf(p),
      }),
    },
  },
  "scheduled-call.cancelled": {
    kind: "scheduled_call",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: `[Plantão] Chamada cancelada: ${s(p.topic)} (${at(p, "startsAt", "pt-BR")})`,
        paragraphs: [
          `A chamada sobre o chamado ${ticketRef(p)} de ${at(p, "startsAt", "pt-BR")} foi cancelada.`,
          ...(p.reason ? [`Motivo: ${s(p.reason)}`] : []),
        ],
        action: link("Agendar outro horário", p.link),
        calendar: calendarOf(p),
      }),
      en: (p) => ({
        subject: `[Plantão] Call cancelled: ${s(p.topic)} (${at(p, "startsAt", "en")})`,
        paragraphs: [
          `The call about ticket ${ticketRef(p)} on ${at(p, "startsAt", "en")} was cancelled.`,
          ...(p.reason ? [`Reason: ${s(p.reason)}`] : []),
        ],
        action: link("Book another time", p.link),
        calendar: calendarOf(p),
      }),
    },
  },
  // `minutes` before the start, to both.
  "scheduled-call.reminder": {
    kind: "scheduled_call",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: `[Plantão] Lembrete: chamada ${at(p, "startsAt", "pt-BR")}: ${s(p.topic)}`,
        paragraphs: [
          `Lembrete: a chamada sobre o chamado ${ticketRef(p)} começa em ${at(p, "startsAt", "pt-BR")}.`,
          `Com: ${s(p.engineerName)} e ${s(p.attendeeName)}`,
        ],
        action: link("Ver agendamentos", p.link),
      }),
      en: (p) => ({
        subject: `[Plantão] Reminder: call ${at(p, "startsAt", "en")}: ${s(p.topic)}`,
        paragraphs: [
          `Reminder: the call about ticket ${ticketRef(p)} starts at ${at(p, "startsAt", "en")}.`,
          `With: ${s(p.engineerName)} and ${s(p.attendeeName)}`,
        ],
        action: link("See bookings", p.link),
      }),
    },
  },
  // To the engineer at the booked time: call now, then record whether it was held.
  "scheduled-call.starting": {
    kind: "scheduled_call",
    optOut: false,
    render: {
      "pt-BR": (p) => ({
        subject: `[Plantão] Agora: chamada com ${s(p.attendeeName)}: ${s(p.topic)}`,
        paragraphs: [
          `A chamada sobre o chamado ${ticketRef(p)} começa agora (${at(p, "startsAt", "pt-BR")}).`,
          "Depois dela, registre se foi realizada ou se o cliente não compareceu.",
        ],
        action: link("Abrir a chamada", p.link),
      }),
      en: (p) => ({
        subject: `[Plantão] Now: call with ${s(p.attendeeName)}: ${s(p.topic)}`,
        paragraphs: [
          `The call about ticket ${ticketRef(p)} starts now (${at(p, "startsAt", "en")}).`,
          "Afterwards, record whether it was held or the customer did not show up.",
        ],
        action: link("Open the call", p.link),
      }),
    },
  },
};
