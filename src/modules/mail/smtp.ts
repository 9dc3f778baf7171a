import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from "smtp-server";
import type { MailIntakeConfig } from "../../platform/config.js";
import { safeEqual } from "../identity/credentials.js";
import { normalizeAddress } from "./core.js";
import type { MailIntake } from "./intake.js";
import type { MailboxRow, MailRepository } from "./repository.js";

export interface SmtpIntakeDeps {
  intake: MailIntake;
  repo: MailRepository;
  config: MailIntakeConfig;
  log: Logger;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

/**
 * The SMTP listener for providers who point an MX or a forward at Plantão: it accepts RCPT only for enabled
 * mailboxes (550 for any other address), enforces the size limit, and answers 250 to DATA only once the mail is
 * filed, so a mail the sender saw accepted is never lost; a failure to store it answers 451 and the sender retries.
 */
export class SmtpIntake {
  #server: SMTPServer | undefined;

  constructor(private readonly deps: SmtpIntakeDeps) {}

  async #mailbox(address: string): Promise<MailboxRow | undefined> {
    const m = await this.deps.repo.findMailboxByAddress(normalizeAddress(address));
    return m?.enabled ? m : undefined;
  }

  async start(): Promise<number> {
    const { config, intake, log } = this.deps;
    const auth = Boolean(config.user);
    const tls = config.tlsKeyFile
      ? { key: readFileSync(config.tlsKeyFile), cert: readFileSync(config.tlsCertFile!) }
      : undefined;
    this.#server = new SMTPServer({
      name: "plantao",
      banner: "Plantão mail intake",
      size: config.maxBytes,
      authOptional: !auth,
      authMethods: ["PLAIN", "LOGIN"],
      // Credentials over plain text only on loopback; elsewhere STARTTLS first when it is offered.
      allowInsecureAuth: !tls,
      disabledCommands: [...(tls ? [] : ["STARTTLS"]), ...(auth ? [] : ["AUTH"])],
      ...(tls ?? {}),
      logger: false,
      onAuth: (a: SMTPServerAuthentication, _s: SMTPServerSession, done) => {
        const ok = safeEqual(a.username ?? "", config.user ?? "") && safeEqual(a.password ?? "", config.password ?? "");
        if (ok) done(null, { user: a.username });
        else done(smtpError(535, "5.7.8 Authentication credentials invalid"));
      },
      onRcptTo: (address, _session, done) => {
        this.#mailbox(address.address).then(
          (m) => (m ? done() : done(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`))),
          (err: Error) => done(smtpError(451, `4.3.0 ${err.message}`)),
        );
      },
      onData: (stream, session, done) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            void intake.log(null, "warn", "refused", `A mail over ${config.maxBytes} bytes was refused (552)`, {
              sender: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            });
            return done(smtpError(552, `5.3.4 Message exceeds the ${config.maxBytes}-byte limit`));
          }
          const raw = Buffer.concat(chunks);
          void (async () => {
            // One copy per mailbox addressed: each files it on its own (the same mail to two mailboxes is two entries).
            for (const rcpt of session.envelope.rcptTo) {
              const mailbox = await this.#mailbox(rcpt.address);
              if (!mailbox) continue;
              await intake.take(raw, {
                mailbox,
                via: "smtp",
                envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
                remoteAddress: session.remoteAddress,
              });
            }
          })().then(
            () => done(),
            (err: Error) => {
              log.error({ err }, "inbound mail not stored");
              done(smtpError(451, "4.3.0 Temporary failure storing the message, try again"));
            },
          );
        });
      },
    });
    this.#server.on("error", (err) => log.warn({ err }, "mail intake connection error"));
    await new Promise<void>((resolve, reject) => {
      this.#server!.server.once("error", reject);
      this.#server!.listen(config.port, config.host, () => resolve());
    });
    const port = (this.#server.server.address() as AddressInfo).port;
    log.info({ port, auth, starttls: Boolean(tls) }, "mail intake listening");
    return port;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
