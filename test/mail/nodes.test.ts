import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_BURST } from "../../src/modules/mail/core.js";
import { ManualClock } from "../../src/platform/clock.js";
import { createServices } from "../../src/services.js";
import { openNode } from "../fixtures/nodes.js";
import { burstTransport, intakeListener } from "../fixtures/smtp.js";
import { engines, scratchDatabase, TEST_PASSWORD } from "../harness.js";

const req = { ip: "127.0.0.1", headers: {} };
const support = "suporte@plantao.example";
const MAILS = 40;

/**
 * Two app nodes on one database each take part of one sender's mail bomb through their own SMTP listener, at the
 * same moment where the engine allows it: the burst guard holds across them, opening the tickets one node would
 * (the limit's new tickets for new subjects, one for the same subject again, one linked ticket for replies to a
 * closed ticket under `new_linked`), and every mail is filed.
 */
describe.each(engines)("mail bomb across nodes on %s", (engine) => {
  it("opens the limit's tickets, not some per node, and files every mail; replies to a closed ticket open one linked ticket", async () => {
    const scratch = await scratchDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), "plantao-mail-nodes-"));
    const clock = new ManualClock("2026-12-07T12:00:00.000Z");
    const mailIntake = intakeListener(1024 * 1024);
    const nodes = [
      await openNode(scratch.url, "a", { clock, config: { dataDir, mailIntake } }),
      await openNode(scratch.url, "b", { clock, config: { dataDir, mailIntake } }),
    ];
    try {
      const services = nodes.map((n) => createServices(n));
      const s = services[0]!;
      await s.plan.ensureSeeded();
      await s.directory.bootstrap({ providerName: "Provedor" });
      const user = (email: string, role: "admin" | "customer", organizationId?: string) =>
        s.directory.createUser(null, { email, name: email, role, organizationId, password: TEST_PASSWORD });
      await user("gil@provedor.example", "admin");
      const admin = (await s.directory.findUserByEmail("gil@provedor.example"))!;
      await s.mail.mailboxes.create(admin, { address: support }, req);
      const varied = await s.directory.createOrganization(admin, { name: "Assuntos" }, req);
      const repeated = await s.directory.createOrganization(admin, { name: "Repetido" }, req);
      const ana = await user("ana@assuntos.example", "customer", varied.id);
      const bia = await user("bia@repetido.example", "customer", repeated.id);

      const ports = await Promise.all(services.map((x) => x.mail.smtp.start()));
      const transports = ports.map((port) => burstTransport(port));
      // Each sender's mails alternate between the nodes: a new subject each (ana), or the same one (bia).
      const mails = Array.from({ length: MAILS }, (_, i) => [
        { from: ana.email, subject: `Ramal ${i} mudo`, text: `mensagem ${i}` },
        { from: bia.email, subject: "URGENTE!!!", text: `mensagem ${i}` },
      ]).flat();
      const send = (m: (typeof mails)[number], i: number) =>
        transports[Math.floor(i / 2) % 2]!.sendMail({ ...m, to: support });
      try {
        // SQLite's two connections in one process would wait on each other's write lock: one mail at a time.
        if (engine === "postgres") await Promise.all(mails.map(send));
        else for (const [i, m] of mails.entries()) await send(m, i);
      } finally {
        for (const tr of transports) tr.close();
      }

      const outcomes = async (sender: string) =>
        (
          await nodes[0]!.db
            .selectFrom("mail_messages")
            .select(["outcome", "ticket_id"])
            .where("sender", "=", sender)
            .execute()
        ).map((r) => r.outcome);
      const ticketsOf = (organization: string) => s.tickets.list(admin, { organization, limit: 100 });
      const count = (list: string[], outcome: string) => list.filter((o) => o === outcome).length;

      expect(await ticketsOf(varied.id)).toHaveLength(DEFAULT_BURST.newTickets);
      const anas = await outcomes(ana.email);
      expect(anas).toHaveLength(MAILS);
      expect(count(anas, "opened")).toBe(DEFAULT_BURST.newTickets);
      expect(count(anas, "threaded")).toBe(MAILS - DEFAULT_BURST.newTickets);

      const [one, ...more] = await ticketsOf(repeated.id);
      expect(more).toHaveLength(0);
      const bias = await outcomes(bia.email);
      expect(count(bias, "opened")).toBe(1);
      expect(count(bias, "threaded")).toBe(MAILS - 1);
      // The opening mail is the description; every other one is on the ticket.
      const messages = (await s.tickets.timeline(admin, one!.id)).messages;
      expect(messages.filter((m) => /^mensagem \d+$/.test(m.body))).toHaveLength(MAILS - 1);

      // Under `new_linked` a burst of replies to a closed ticket opens one linked ticket, not one per reply or per
      // node: the reply that opens it passes the same guard as a new mail.
      const closedOrg = await s.directory.createOrganization(admin, { name: "Fechado" }, req);
      const cai = await user("cai@fechado.example", "customer", closedOrg.id);
      const again = ports.map((port) => burstTransport(port));
      try {
        await again[0]!.sendMail({ from: cai.email, to: support, subject: "Fax não sai", text: "Erro 5." });
        const [closed] = await ticketsOf(closedOrg.id);
        await s.tickets.update(admin, closed!.id, { status: "closed" }, req);
        const { document } = await s.plan.current();
        await s.plan.update(
          { document: { ...document, email: { ticketTag: "#", closedTicket: "new_linked" } }, comment: "novo chamado" },
          { cli: true },
        );
        const replies = Array.from({ length: MAILS }, (_, i) => ({
          from: cai.email,
          to: support,
          subject: `Re: [#${closed!.number}] Fax não sai`,
          text: `resposta ${i}`,
        }));
        const reply = (m: (typeof replies)[number], i: number) => again[i % 2]!.sendMail(m);
        if (engine === "postgres") await Promise.all(replies.map(reply));
        else for (const [i, m] of replies.entries()) await reply(m, i);

        const after = await ticketsOf(closedOrg.id);
        expect(after).toHaveLength(2);
        expect((await s.tickets.get(admin, closed!.id)).status).toBe("closed");
        const linked = after.find((x) => x.id !== closed!.id)!;
        expect(JSON.stringify(await s.tickets.linksOf(admin, linked.id))).toContain(closed!.id);
        const cais = await outcomes(cai.email);
        expect(count(cais, "linked")).toBe(1);
        expect(count(cais, "threaded")).toBe(MAILS - 1);
        const onLinked = (await s.tickets.timeline(admin, linked.id)).messages;
        expect(onLinked.filter((m) => /^resposta \d+$/.test(m.body))).toHaveLength(MAILS - 1);
      } finally {
        for (const tr of again) tr.close();
      }
    } finally {
      for (const n of nodes) await n.close();
      await scratch.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
