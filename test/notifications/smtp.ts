import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo: string | undefined;
  references: string | undefined;
  /** Raw header lines by lower-case name. */
  header(name: string): string | undefined;
  contentType: string;
}

/**
 * A real SMTP server on loopback that parses what it receives, with switches for the fault tests: refuse
 * every message with a code, or hold one message's final answer (the sender never hears it was accepted).
 */
export async function startInbox(port = 0) {
  const inbox: ReceivedMail[] = [];
  const state = { refuse: null as null | { code: number; message: string }, holdAfter: Number.POSITIVE_INFINITY };
  const held: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    closeTimeout: 200,
    onData(stream, session, done) {
      simpleParser(stream)
        .then((mail) => {
          if (state.refuse) {
            const err = new Error(state.refuse.message) as Error & { responseCode: number };
            err.responseCode = state.refuse.code;
            return done(err);
          }
          const lines = new Map(mail.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(":") + 1).trim()]));
          inbox.push({
            to: session.envelope.rcptTo.map((r) => r.address).join(","),
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            messageId: mail.messageId ?? "",
            inReplyTo: mail.inReplyTo,
            references: Array.isArray(mail.references) ? mail.references.join(" ") : mail.references,
            header: (name) => lines.get(name.toLowerCase()),
            contentType: lines.get("content-type") ?? "",
          });
          // Received in full, but the sender is kept waiting for the answer: a crash now means a resend.
          if (inbox.length >= state.holdAfter) held.push(() => done());
          else done();
        })
        .catch(done);
    },
  });
  // A sender killed mid-message resets its connection: that is the point of the crash test, not an error.
  server.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "ECONNRESET") throw err;
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const bound = (server.server.address() as { port: number }).port;
  return {
    inbox,
    state,
    held,
    port: bound,
    url: `smtp://127.0.0.1:${bound}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
