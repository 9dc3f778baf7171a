import type { Mail } from "../../platform/mail.js";
import type { NoteLocale } from "./system-notes.js";

/**
 * The mail an escalation step sends to the ticket's requester: it says the ticket is being followed up and
 * nothing else. No severity, tier, deadlines, internal notes or staff names: those are the provider's business.
 */
export function customerEscalationMail(
  to: string,
  ticket: { number: number; subject: string; requesterName: string },
  locale: NoteLocale,
): Mail {
  if (locale === "en") {
    return {
      to,
      subject: `[Plantão] Your ticket #${ticket.number} is being followed up`,
      text:
        `Hello ${ticket.requesterName},\n\n` +
        `Your ticket #${ticket.number} "${ticket.subject}" has been brought to the attention of more of our team, ` +
        "who are following it up as a priority. We will write to you as soon as we have news.\n\n" +
        "Thank you for your patience.",
    };
  }
  return {
    to,
    subject: `[Plantão] Seu chamado #${ticket.number} está em acompanhamento`,
    text:
      `Olá, ${ticket.requesterName}.\n\n` +
      `Seu chamado #${ticket.number} "${ticket.subject}" foi levado a mais pessoas da nossa equipe, ` +
      "que o acompanham com prioridade. Escreveremos assim que tivermos novidades.\n\n" +
      "Obrigado pela paciência.",
  };
}
