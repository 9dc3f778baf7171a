import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL_MAILBOX_JOB } from "../../src/modules/mail/imap.js";
import { ManualClock } from "../../src/platform/clock.js";
import { startCuttingProxy, startDovecot } from "../fixtures/dovecot.js";
import { createOrganization, createUser, engines, harnessActor, type TestContext, testApp } from "../harness.js";
import { startInbox } from "../notifications/smtp.js";

const req = { ip: "127.0.0.1", headers: {} };

/**
 * IMAP polling against Debian's dovecot-imapd on loopback: mail appended to the folder becomes the same tickets as
 * through the SMTP listener; a connection cut in the middle of a fetch ends the poll with a log entry and the next
 * poll resumes after the last UID taken, without a duplicate; IDLE picks up new mail while watching; one poller per
 * mailbox at a time.
 */
describe.each(engines)("IMAP polling on %s", (engine) => {
  let t: TestContext;
  let dovecot: Awaited<ReturnType<typeof startDovecot>>;
  let proxy: Awaited<ReturnType<typeof startCuttingProxy>>;
  let sink: Awaited<ReturnType<typeof startInbox>>;
  let writer: ImapFlow;
  let mailboxId: string;
  const clock = new ManualClock("2026-11-25T12:00:00.000Z");
  const address = "suporte@plantao.example";

  beforeAll(async () => {
    dovecot = await startDovecot({ suporte: "senha-imap-1" });
    proxy = await startCuttingProxy(dovecot.port);
    sink = await startInbox();
    t = await testApp(engine, { clock, config: { smtpUrl: sink.url, mailFrom: "plantao@plantao.example" } });
    mailboxId = (
      await t.services.mail.mailboxes.create(
        harnessActor(t),
        {
          address,
          imap: { host: "127.0.0.1", port: proxy.port, tls: false, user: "suporte", password: "senha-imap-1" },
        },
        req,
      )
    ).id;
    writer = new ImapFlow({
      host: "127.0.0.1",
      port: dovecot.port,
      secure: false,
      auth: { user: "suporte", pass: "senha-imap-1" },
      logger: false,
    });
    await writer.connect();
  }, 180_000);
  afterAll(async () => {
    await writer?.logout().catch(() => undefined);
    await t?.close();
    await proxy?.close();
    await dovecot?.stop();
    await sink?.close();
  });

  let seq = 0;
  const deliver = (from: string, subject: string, body: string, headers: string[] = []) =>
    writer.append(
      "INBOX",
      [
        `From: ${from}`,
        `To: ${address}`,
        `Subject: ${subject}`,
        `Message-ID: <imap-${++seq}-${engine}@client.example>`,
        "Date: Wed, 25 Nov 2026 09:00:00 -0300",
        ...headers,
        "",
        body,
        "",
      ].join("\r\n"),
    );
  const poll = (watchMs = 0) => t.services.mail.poller.poll(mailboxId, undefined, watchMs);
  const ticketsOf = (organizationId: string) =>
    t.services.tickets.list(harnessActor(t), { organization: organizationId, limit: 100 });
  const flush = async () => {
    for (let i = 0; i < 3; i++) {
      await t.platform.fanOut.drain();
      await t.platform.jobs.drain();
    }
  };

  it("creates the same tickets as the SMTP intake: ack, References-only reply, auto-reply ignored", async () => {
    const org = await createOrganization(t, "IMAP Acme");
    const c = await createUser(t, "customer", { organizationId: org.id });
    await deliver(c.email, "PABX reiniciando", "Reinicia a cada hora.");
    expect(await poll()).toEqual({ taken: 1 });
    const [ticket] = await ticketsOf(org.id);
    expect(ticket).toMatchObject({ channel: "email", requesterId: c.id });
    await flush();
    await expect.poll(() => sink.inbox.filter((m) => m.to === c.email).length).toBe(1);
    const ack = sink.inbox.find((m) => m.to === c.email)!;
    expect(ack.subject).toContain(`#${ticket!.number}`);
    await deliver(c.email, "outra", "Continua.", [`References: ${ack.messageId}`]);
    await deliver(c.email, "Automatic reply", "Ausente.", [
      "Auto-Submitted: auto-replied",
      `In-Reply-To: ${ack.messageId}`,
    ]);
    await deliver(c.email, "Out of office", "Ausente.", ["Precedence: bulk"]);
    expect(await poll()).toEqual({ taken: 3 });
    expect(await ticketsOf(org.id)).toHaveLength(1);
    const messages = (await t.services.tickets.timeline(harnessActor(t), ticket!.id)).messages;
    expect(messages.map((m) => [m.body, m.visibility])).toEqual(
      expect.arrayContaining([
        ["Continua.", "public"],
        ["Ausente.", "internal"],
      ]),
    );
    // Polling again finds nothing new.
    expect(await poll()).toEqual({ taken: 0 });
  });

  it("survives a connection dropped mid-fetch: resumes by UID, no duplicate", async () => {
    const org = await createOrganization(t, "IMAP Queda");
    const c = await createUser(t, "customer", { organizationId: org.id });
    for (const n of [1, 2, 3, 4]) await deliver(c.email, `Problema ${n}`, `Detalhe ${n}.`);
    proxy.cutAt(2);
    const cut = await poll();
    expect(proxy.state.cuts).toBe(1);
    expect(cut.taken).toBe(1);
    expect(cut.error).toBeTruthy();
    const log = await t.services.mail.mailboxes.log(mailboxId, { limit: 50 });
    expect(log.find((e) => e.event === "poll_failed")!.detail).toMatch(/resumes after UID \d+/);
    expect((await t.services.mail.mailboxes.get(mailboxId)).lastError).toBeTruthy();
    proxy.cutAt(0);
    // Past the mail-bomb guard's window (three new tickets a minute per sender).
    clock.advance(120_000);
    expect(await poll()).toEqual({ taken: 3 });
    const tickets = await ticketsOf(org.id);
    expect(tickets.map((x) => x.subject).sort()).toEqual(["Problema 1", "Problema 2", "Problema 3", "Problema 4"]);
    const rows = await t.platform.db
      .selectFrom("mail_messages")
      .select("imap_uid")
      .where("sender", "=", c.email)
      .execute();
    expect(new Set(rows.map((r) => r.imap_uid)).size).toBe(4);
    expect((await t.services.mail.mailboxes.get(mailboxId)).lastError).toBeNull();
  });

  it("watches with IDLE and takes new mail as it arrives", async () => {
    const org = await createOrganization(t, "IMAP Idle");
    const c = await createUser(t, "customer", { organizationId: org.id });
    const polling = poll(4000);
    // Appended while the poll is idling: the server's EXISTS wakes it.
    await expect
      .poll(
        async () =>
          (
            await t.platform.db
              .selectFrom("mailboxes")
              .select("poll_owner")
              .where("id", "=", mailboxId)
              .executeTakeFirst()
          )?.poll_owner,
      )
      .toBeTruthy();
    await new Promise((r) => setTimeout(r, 500));
    await deliver(c.email, "Chegou durante o IDLE", "Oi.");
    expect((await polling).taken).toBe(1);
    expect(await ticketsOf(org.id)).toHaveLength(1);
  });

  it("lets one poller at a time read a mailbox, and queues one poll job per mailbox per tick", async () => {
    const [a, b] = await Promise.all([poll(1000), poll(1000)]);
    expect([a.skipped, b.skipped].filter(Boolean)).toEqual(["leased"]);
    await t.services.mail.poller.tick();
    await t.services.mail.poller.tick();
    const jobs = await t.platform.db
      .selectFrom("jobs")
      .select("dedupe_key")
      .where("kind", "=", POLL_MAILBOX_JOB)
      .execute();
    expect(jobs).toHaveLength(1);
  });
});
