import nodemailer, { type Transporter } from "nodemailer";
import type { Logger } from "pino";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Outgoing mail over SMTP (PLANTAO_SMTP_URL); without it, mail is written to the log so a first install still works. */
export class Mailer {
  readonly #transport: Transporter | undefined;

  constructor(
    smtpUrl: string | undefined,
    private readonly from: string,
    private readonly log: Logger,
  ) {
    this.#transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : undefined;
  }

  async send(mail: Mail): Promise<void> {
    if (!this.#transport) {
      this.log.warn(
        { to: mail.to, subject: mail.subject, text: mail.text },
        "SMTP is not configured; mail logged instead",
      );
      return;
    }
    await this.#transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
  }
}
