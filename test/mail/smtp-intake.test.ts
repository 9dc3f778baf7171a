import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailRepository } from "../../src/modules/mail/repository.js";
import { SmtpIntake } from "../../src/modules/mail/smtp.js";
import { ManualClock } from "../../src/platform/clock.js";
import { burstTransport, intakeListener } from "../fixtures/smtp.js";
import { swaks } from "../fixtures/swaks.js";
import { selfSignedCertificate } from "../fixtures/tls-cert.js";
import {
  createOrganization,
  createUser,
  engines,
  harnessActor,
  type TestContext,
  testApp,
  tokenFor,
} from "../harness.js";
import { startInbox } from "../notifications/smtp.js";

const req = { ip: "127.0.0.1", headers: {} };

/**
 * Inbound email through the SMTP listener, sent by Debian's swaks: a customer's mail opens a ticket and gets the
 * acknowledgement with its number; a reply from another client linked only by References joins it; the customer
 * server's auto-reply creates nothing; unknown addresses are refused; the faults each leave a clear log entry.
 */
describe.each(engines)("mail intake over SMTP on %s", (engine) => {
  let t: TestContext;
  let sink: Awaited<ReturnType<typeof startInbox>>;
  let port: number;
  let mailboxId: string;
  const dir = mkdtempSync(join(tmpdir(), "plantao-mail-"));
  const clock = new ManualClock("2026-11-25T12:00:00.000Z");
  const support = "suporte@plantao.example";

  beforeAll(async () => {
    sink = await startInbox();
    t = await testApp(engine, {
      clock,
      config: {
        smtpUrl: sink.url,
        mailFrom: "plantao@plantao.example",
        mailIntake: intakeListener(50 * 1024 * 1024),
      },
    });
    port = await t.services.mail.smtp.start();
    mailboxId = (await t.services.mail.mailboxes.create(harnessActor(t), { address: support }, req)).id;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const flush = async () => {
    for (let i = 0; i < 3; i++) {
      await t.platform.fanOut.drain();
      await t.platform.jobs.drain();
    }
  };
  const send = async (from: string, subject: string, body: string, extra: string[] = []) => {
    const r = await swaks(port, ["--to", support, "--from", from, "--h-Subject", subject, "--body", body, ...extra]);
    expect(r.code, r.output).toBe(0);
  };
  const ticketsOf = (organizationId: string) =>
    t.services.tickets.list(harnessActor(t), { organization: organizationId, limit: 100 });
  const log = async () => (await t.services.mail.mailboxes.log(mailboxId, { limit: 200 })).map((e) => e.event);
  const timeline = (id: string) => t.services.tickets.timeline(harnessActor(t), id);

  it("opens a ticket, acknowledges it with the number, threads a References-only reply, ignores auto-replies", async () => {
    const org = await createOrganization(t, "Acme Telecom");
    const customer = await createUser(t, "customer", { organizationId: org.id, email: "ana@acme.example" });
    await send(customer.email, "Sem áudio no ramal 201", "As chamadas ficam mudas desde ontem.");
    const [ticket, ...more] = await ticketsOf(org.id);
    expect(more).toHaveLength(0);
    expect(ticket!).toMatchObject({ channel: "email", requesterId: customer.id, subject: "Sem áudio no ramal 201" });
    expect(ticket!.description).toBe("As chamadas ficam mudas desde ontem.");

    await flush();
    await expect.poll(() => sink.inbox.filter((m) => m.to === customer.email).length).toBe(1);
    const ack = sink.inbox.find((m) => m.to === customer.email)!;
    expect(ack.subject).toContain(`#${ticket!.number}`);
    expect(ack.header("auto-submitted")).toBe("auto-generated");

    // Another client (webmail on the phone): new subject, no In-Reply-To, only References to the acknowledgement.
    await send(customer.email, "mais uma coisa", "Também no ramal 202.\n\nOn Tue, Plantão wrote:\n> We received", [
      "--header",
      `References: <unrelated@elsewhere.example> ${ack.messageId}`,
    ]);
    // The customer's server answers the acknowledgement automatically.
    await send(customer.email, "Fora do escritório", "Estou de férias.", [
      "--header",
      "Auto-Submitted: auto-replied",
      "--header",
      `In-Reply-To: ${ack.messageId}`,
    ]);
    // And an out-of-office that names nothing of ours.
    await send(customer.email, "Fora do escritório", "Estou de férias.", ["--header", "X-Autoreply: yes"]);
    expect(await ticketsOf(org.id)).toHaveLength(1);
    const messages = (await timeline(ticket!.id)).messages;
    const reply = messages.find((m) => m.body.startsWith("Também no ramal 202"))!;
    expect(reply).toMatchObject({ visibility: "public", authorKind: "customer", authorId: customer.id });
    // The quoted history is folded away from the message, kept with the mail.
    expect(reply.body).not.toContain("We received");
    const auto = messages.find((m) => m.body === "Estou de férias.")!;
    expect(auto.visibility).toBe("internal");
    expect(await log()).toEqual(expect.arrayContaining(["opened", "threaded", "automatic"]));

    await flush();
    // No answer to the auto-reply: the customer got the acknowledgement only.
    expect(sink.inbox.filter((m) => m.to === customer.email)).toHaveLength(1);
    // Each mail a contact session of the email channel.
    const fcr = await t.platform.db
      .selectFrom("ticket_contacts")
      .selectAll()
      .where("ticket_id", "=", ticket!.id)
      .execute();
    expect(fcr.map((c) => [c.kind, c.channel])).toEqual([["opened", "email"]]);
  });

  it("threads by the [#n] subject tag only within the sender's organization", async () => {
    const acme = await createOrganization(t, "Tag Acme");
    const other = await createOrganization(t, "Tag Other");
    const a = await createUser(t, "customer", { organizationId: acme.id });
    const b = await createUser(t, "customer", { organizationId: other.id });
    await send(a.email, "Tronco SIP caiu", "Desde 10h.");
    const [ticket] = await ticketsOf(acme.id);
    await send(a.email, `Re: [#${ticket!.number}] Tronco SIP caiu`, "Voltou agora.");
    expect(await ticketsOf(acme.id)).toHaveLength(1);
    // Someone of another customer naming the number opens their own ticket, never joins this one.
    await send(b.email, `[#${ticket!.number}] Tronco SIP caiu`, "Aqui também.");
    expect(await ticketsOf(acme.id)).toHaveLength(1);
    expect(await ticketsOf(other.id)).toHaveLength(1);
  });

  it("places senders by contact, domain rule, or the unknown senders' queue", async () => {
    const org = await createOrganization(t, "Domínio SA");
    await t.services.directory.updateOrganization(
      harnessActor(t),
      org.id,
      { contacts: [{ name: "Carlos", email: "Carlos@Contato.example" }] },
      req,
    );
    await t.services.mail.mailboxes.replaceDomainRules(
      harnessActor(t),
      [{ domain: "dominio.example", organizationId: org.id }],
      req,
    );
    await send("carlos@contato.example", "Fatura", "Segunda via.");
    await send("alguem@dominio.example", "Ramal", "Ramal 300 mudo.");
    await send("estranho@nowhere.example", "Olá", "Quem é?");
    expect((await ticketsOf(org.id)).map((x) => x.subject).sort()).toEqual(["Fatura", "Ramal"]);
    const unknown = (await ticketsOf(t.providerId)).find((x) => x.subject === "Olá")!;
    expect(unknown.tags).toContain("unknown-sender");
    expect(unknown.requester.email).toBe("estranho@nowhere.example");
  });

  it("refuses mail for addresses it has no mailbox for", async () => {
    const r = await swaks(port, ["--to", "ninguem@plantao.example", "--from", "x@y.example", "--body", "oi"]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/550/);
  });

  it("asks for AUTH and offers STARTTLS when configured", async () => {
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    const pair = selfSignedCertificate(30);
    writeFileSync(key, pair.key);
    writeFileSync(cert, pair.cert);
    const secured = new SmtpIntake({
      intake: t.services.mail.intake,
      repo: new MailRepository(t.platform.db, t.platform.dialect),
      config: { ...t.config.mailIntake, user: "mx", password: "senha-do-mx-1", tlsKeyFile: key, tlsCertFile: cert },
      log: pino({ level: "silent" }),
    });
    const securedPort = await secured.start();
    try {
      const c = await createUser(t, "customer", { organizationId: (await createOrganization(t, "Auth")).id });
      const base = ["--to", support, "--from", c.email, "--h-Subject", "Via TLS", "--body", "oi"];
      const noAuth = await swaks(securedPort, [...base, "--tls"]);
      expect(noAuth.code).not.toBe(0);
      expect(noAuth.output).toMatch(/530/);
      const wrong = await swaks(securedPort, [
        ...base,
        "--tls",
        "--auth",
        "PLAIN",
        "--auth-user",
        "mx",
        "--auth-password",
        "errada",
      ]);
      expect(wrong.output).toMatch(/535/);
      const ok = await swaks(securedPort, [
        ...base,
        "--tls",
        "--auth",
        "PLAIN",
        "--auth-user",
        "mx",
        "--auth-password",
        "senha-do-mx-1",
      ]);
      expect(ok.code, ok.output).toBe(0);
      expect(ok.output).toMatch(/STARTTLS/);
      expect(await ticketsOf(c.organizationId)).toHaveLength(1);
    } finally {
      await secured.stop();
    }
  });

  it("reopens a closed ticket by default, or opens a linked one per the plan", async () => {
    const org = await createOrganization(t, "Fechados");
    const c = await createUser(t, "customer", { organizationId: org.id });
    await send(c.email, "Fax não sai", "Erro 5.");
    const [ticket] = await ticketsOf(org.id);
    await t.services.tickets.update(harnessActor(t), ticket!.id, { status: "closed" }, req);
    await send(c.email, `[#${ticket!.number}] Fax não sai`, "Voltou a falhar.");
    expect((await t.services.tickets.get(harnessActor(t), ticket!.id)).status).toBe("open");

    await t.services.tickets.update(harnessActor(t), ticket!.id, { status: "closed" }, req);
    const { document } = await t.services.plan.current();
    await t.services.plan.update(
      { document: { ...document, email: { ticketTag: "#", closedTicket: "new_linked" } }, comment: "novo chamado" },
      { cli: true },
    );
    await send(c.email, `[#${ticket!.number}] Fax não sai`, "De novo.");
    const all = await ticketsOf(org.id);
    expect(all).toHaveLength(2);
    const linked = all.find((x) => x.id !== ticket!.id)!;
    const links = await t.services.tickets.linksOf(harnessActor(t), linked.id);
    expect(JSON.stringify(links)).toContain(ticket!.id);
    // More replies to the closed ticket within the burst window join the linked one: no ticket per reply.
    for (const n of [1, 2, 3]) await send(c.email, `[#${ticket!.number}] Fax não sai`, `Insistindo ${n}.`);
    expect(await ticketsOf(org.id)).toHaveLength(2);
    const bodies = (await timeline(linked.id)).messages.map((m) => m.body);
    expect(bodies.filter((b) => b.startsWith("Insistindo"))).toHaveLength(3);
    await t.services.plan.update({ document, comment: "volta" }, { cli: true });
    // The number in the subject names its ticket, though the linked ticket's subject quotes it too.
    await send(c.email, `[#${ticket!.number}] Fax não sai`, "Reabram este.");
    expect((await t.services.tickets.get(harnessActor(t), ticket!.id)).status).toBe("open");
    expect(await ticketsOf(org.id)).toHaveLength(2);
  });

  it("gives each faulty mail a clear record and never crashes", async () => {
    const org = await createOrganization(t, "Falhas");
    const c = await createUser(t, "customer", { organizationId: org.id });
    // Malformed MIME: a multipart without its boundary, and a broken base64 part.
    const malformed = join(dir, "malformed.eml");
    writeFileSync(
      malformed,
      `From: ${c.email}\r\nTo: ${support}\r\nSubject: quebrado\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="nunca"\r\n\r\n--outra\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@ não é base64 @@@\r\n`,
    );
    expect((await swaks(port, ["--to", support, "--from", c.email, "--data", `@${malformed}`])).code).toBe(0);
    // An 8-bit header in Latin-1 (no encoded-word) and an HTML-only body.
    const latin1 = join(dir, "latin1.eml");
    writeFileSync(
      latin1,
      Buffer.concat([
        Buffer.from(`From: ${c.email}\r\nTo: ${support}\r\nSubject: `),
        Buffer.from("Ligação não completa", "latin1"),
        Buffer.from(
          "\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<html><body><p>Bom dia,</p><p><b>Ramal 204</b> n",
        ),
        Buffer.from("ão toca.</p></body></html>\r\n", "latin1"),
      ]),
    );
    expect((await swaks(port, ["--to", support, "--from", c.email, "--data", `@${latin1}`])).code).toBe(0);
    // A 30 MB attachment: the mail is taken, the attachment refused by the ticket limit (10 MB), the raw kept.
    const big = join(dir, "captura.pcap");
    writeFileSync(big, Buffer.alloc(30 * 1024 * 1024, 7));
    const r = await swaks(
      port,
      ["--to", support, "--from", c.email, "--h-Subject", "Captura", "--body", "Segue.", "--attach", `@${big}`],
      240_000,
    );
    expect(r.code, r.output.slice(-500)).toBe(0);

    const tickets = await ticketsOf(org.id);
    const subjects = tickets.map((x) => x.subject).sort();
    expect(subjects).toEqual(["Captura", "Ligação não completa", "quebrado"]);
    const html = tickets.find((x) => x.subject === "Ligação não completa")!;
    expect(html.description).toContain("Ramal 204");
    expect(html.description).toContain("não toca");
    expect(html.description).not.toContain("<");
    const capture = tickets.find((x) => x.subject === "Captura")!;
    expect(capture.description).toContain("not stored");
    expect(await t.services.tickets.attachmentsOf(harnessActor(t), capture.id)).toHaveLength(0);
    expect(await log()).toContain("attachment_refused");
    const kept = await t.platform.db
      .selectFrom("mail_messages")
      .selectAll()
      .where("ticket_id", "=", capture.id)
      .execute();
    expect(kept[0]!.raw_size).toBeGreaterThan(30 * 1024 * 1024);
  }, 300_000);

  it("turns a mail bomb into one ticket: rate-limited, none lost", async () => {
    const org = await createOrganization(t, "Bomba");
    const c = await createUser(t, "customer", { organizationId: org.id });
    const transport = burstTransport(port);
    const sends = [];
    for (let i = 0; i < 1000; i++)
      sends.push(transport.sendMail({ from: c.email, to: support, subject: "URGENTE!!!", text: `mensagem ${i}` }));
    await Promise.all(sends);
    transport.close();
    const tickets = await ticketsOf(org.id);
    expect(tickets).toHaveLength(1);
    const messages = (await timeline(tickets[0]!.id)).messages;
    // The opening mail is the description; the other 999 are on the ticket.
    expect(messages.filter((m) => /^mensagem \d+$/.test(m.body))).toHaveLength(999);
    const stored = await t.platform.db.selectFrom("mail_messages").select("id").where("sender", "=", c.email).execute();
    expect(stored).toHaveLength(1000);
    expect(await log()).toContain("rate_limited");
  }, 600_000);

  it("is managed by administrators only; the IMAP password is sealed and never returned", async () => {
    const org = await createOrganization(t, "Tenant");
    const customer = await tokenFor(t, "customer", { organizationId: org.id });
    const agent = await tokenFor(t, "agent");
    const admin = await tokenFor(t, "admin");
    const body = {
      address: "Acme@Plantao.example",
      organizationId: org.id,
      imap: { host: "127.0.0.1", port: 143, tls: false, user: "acme", password: "segredo-imap-123" },
    };
    for (const h of [customer.headers, agent.headers]) {
      expect((await t.app.inject({ method: "GET", url: "/api/v1/mailboxes", headers: h })).statusCode).toBe(403);
      expect(
        (await t.app.inject({ method: "POST", url: "/api/v1/mailboxes", headers: h, payload: body })).statusCode,
      ).toBe(403);
      expect(
        (await t.app.inject({ method: "GET", url: `/api/v1/mailboxes/${mailboxId}/log`, headers: h })).statusCode,
      ).toBe(403);
    }
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/mailboxes",
      headers: admin.headers,
      payload: body,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.body).not.toContain("segredo-imap-123");
    expect(created.json()).toMatchObject({
      address: "acme@plantao.example",
      imap: { passwordSet: true, folder: "INBOX" },
    });
    const row = await t.platform.db
      .selectFrom("mailboxes")
      .selectAll()
      .where("id", "=", created.json().id)
      .executeTakeFirstOrThrow();
    expect(row.imap_password).not.toContain("segredo");
    expect(t.platform.secrets.open(row.imap_password!)).toBe("segredo-imap-123");
    const dup = await t.app.inject({ method: "POST", url: "/api/v1/mailboxes", headers: admin.headers, payload: body });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().errors[0].pointer).toBe("/address");
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/v1/mailboxes",
      headers: admin.headers,
      payload: { address: "x@plantao.example", imap: { host: "h", port: 143, tls: false, user: "u" } },
    });
    expect(bad.statusCode).toBe(400);
    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/mailboxes/${created.json().id}`,
      headers: admin.headers,
      payload: { team: "noc", imap: { host: "127.0.0.1", port: 143, tls: false, user: "acme" } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().imap.passwordSet).toBe(true);
    const list = await t.app.inject({ method: "GET", url: "/api/v1/mailboxes?limit=1", headers: admin.headers });
    expect(list.json().nextCursor).not.toBeNull();
    const gone = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/mailboxes/${created.json().id}`,
      headers: admin.headers,
    });
    expect(gone.statusCode).toBe(204);
  });
});
