import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { uuidv7 } from "../../src/platform/ids.js";
import { startSmtp } from "../fixtures/smtp.js";
import {
  createOrganization,
  engines,
  harnessActor,
  type TestContext,
  testApp,
  tokenFor,
  withoutRoutingRules,
} from "../harness.js";

const req = { ip: "127.0.0.1", headers: {} };

/**
 * Escalation steps that notify the ticket's team and its customer contact (over a real SMTP server), and system
 * notes stored as phrase keys and written in the reader's language.
 */
describe.each(engines)(
  "escalation to the team and the customer, and notes in the reader's language on %s",
  (engine) => {
    let t: TestContext;
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    const clock = new ManualClock("2026-11-25T12:00:00.000Z"); // Wednesday 09:00 in São Paulo

    beforeAll(async () => {
      smtp = await startSmtp();
      t = await testApp(engine, { clock, config: { smtpUrl: smtp.url } });
      await withoutRoutingRules(t);
    });
    afterAll(async () => {
      await t.close();
      await smtp.close();
    });

    const timeline = async (id: string, headers: Record<string, string>) =>
      (await t.app.inject({ url: `/api/v1/tickets/${id}/timeline`, headers })).json() as {
        messages: { kind: string; body: string; bodyKey: string | null; bodyParams: Record<string, unknown> | null }[];
      };

    it("mails the team's members and the requester (in their language, without internal details), once", async () => {
      const manager = (await tokenFor(t, "manager")).headers;
      const agentToken = await tokenFor(t, "agent");
      const agent = agentToken.headers;
      const org = (await createOrganization(t)).id;
      const customer = await tokenFor(t, "customer", { organizationId: org });
      await t.services.directory.updateUser(harnessActor(t), customer.user.id, { locale: "en" }, req);
      const member = (await tokenFor(t, "agent")).user;
      const outsider = (await tokenFor(t, "agent")).user;
      await t.services.directory.updateUser(harnessActor(t), member.id, { teams: ["voip"] }, req);
      await t.services.directory.updateUser(harnessActor(t), outsider.id, { teams: ["billing"] }, req);

      const plan = (await t.app.inject({ url: "/api/v1/plan", headers: manager })).json();
      const doc = structuredClone(plan.document);
      doc.escalation.medium.steps = [
        { clock: "resolution", trigger: "percentElapsed", value: 10, notify: ["team", "customerContact"] },
      ];
      const saved = await t.app.inject({
        method: "PUT",
        url: "/api/v1/plan",
        headers: manager,
        payload: { document: doc, comment: "avisar equipe e cliente" },
      });
      expect(saved.statusCode).toBe(200);

      // A customer's ticket, given to the voip team; and a staff ticket for a contact with a phone only.
      const mine = (
        await t.app.inject({
          method: "POST",
          url: "/api/v1/tickets",
          headers: customer.headers,
          payload: { subject: "Eco nas chamadas", description: "Eco", type: "performance", severity: "medium" },
        })
      ).json();
      await t.app.inject({
        method: "PATCH",
        url: `/api/v1/tickets/${mine.id}`,
        headers: agent,
        payload: { team: "voip" },
      });
      const phoneOnly = (
        await t.app.inject({
          method: "POST",
          url: "/api/v1/tickets",
          headers: agent,
          payload: {
            organizationId: org,
            requester: { name: "Rita", phone: "+55 11 5555-0000" },
            subject: "Ramal mudo",
            description: "Sem áudio",
            type: "feature_failure",
            severity: "medium",
          },
        })
      ).json();

      // 10 % of 24 business hours is 2 h 24 min: Wednesday 11:24 local.
      clock.set("2026-11-25T14:24:00.000Z");
      await t.platform.jobs.drain();
      await t.platform.jobs.drain();

      await expect.poll(() => smtp.inbox.map((m) => m.to).sort()).toEqual([customer.user.email, member.email].sort());
      const toCustomer = smtp.inbox.find((m) => m.to === customer.user.email)!;
      expect(toCustomer.subject).toBe(`[Plantão] Your ticket #${mine.number} is being followed up`);
      expect(toCustomer.text).toContain(`Eco nas chamadas`);
      // Nothing internal: no severity, tier, clocks, deadlines or the staff's wording.
      for (const word of ["medium", "L1", "SLA", "breach", "resolution", "2026", "Escalation", "voip"]) {
        expect(toCustomer.text + toCustomer.subject).not.toContain(word);
      }
      const toMember = smtp.inbox.find((m) => m.to === member.email)!;
      expect(toMember.subject).toBe(`Escalonamento: [Plantão] #${mine.number} Eco nas chamadas`);

      const en = await timeline(mine.id, { ...agent, "accept-language": "en-US,en;q=0.9" });
      const note = en.messages.filter((m) => m.kind === "system").at(-1)!;
      expect(note.body).toBe("Escalation step 1 (resolution): notified team, customerContact");
      expect(note.bodyKey).toBe("sla.escalation");
      expect(note.bodyParams).toMatchObject({ step: 1, clock: "resolution", notified: ["team", "customerContact"] });
      const pt = await timeline(mine.id, { ...agent, "accept-language": "pt-BR" });
      expect(pt.messages.filter((m) => m.kind === "system").at(-1)!.body).toBe(
        "Escalonamento, passo 1 (resolução): notificados equipe, contato do cliente",
      );

      // No team and no email: nobody to reach, and the timeline says so.
      const skipped = await timeline(phoneOnly.id, { ...agent, "accept-language": "en" });
      expect(skipped.messages.filter((m) => m.kind === "system").at(-1)!.body).toBe(
        "Escalation step 1 (resolution): notified nobody; not notified: team (the ticket has no team), customerContact (the requester has no email)",
      );
      const skippedPt = await timeline(phoneOnly.id, { ...agent, "accept-language": "pt" });
      expect(skippedPt.messages.filter((m) => m.kind === "system").at(-1)!.body).toContain(
        "não notificados: equipe (o chamado não tem equipe), contato do cliente (o solicitante não tem e-mail)",
      );

      // The job again sends nothing more.
      await t.services.tickets.onDeadline(mine.id);
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.inbox).toHaveLength(2);
    });

    it("writes system notes in the Accept-Language language, else the user's preference, else pt-BR; old rows as stored", async () => {
      const agent = await tokenFor(t, "agent");
      const english = await tokenFor(t, "agent");
      await t.services.directory.updateUser(harnessActor(t), english.user.id, { locale: "en" }, req);
      const org = (await createOrganization(t)).id;
      const ticket = (
        await t.app.inject({
          method: "POST",
          url: "/api/v1/tickets",
          headers: agent.headers,
          payload: { organizationId: org, subject: "Tronco", description: "Caiu", type: "bug", severity: "low" },
        })
      ).json();
      const escalated = await t.app.inject({
        method: "POST",
        url: `/api/v1/tickets/${ticket.id}/escalate`,
        headers: agent.headers,
        payload: { tier: "L2", reason: "precisa de análise" },
      });
      expect(escalated.statusCode).toBe(200);
      // A note stored before notes had keys: English text only.
      await t.platform.db
        .insertInto("ticket_messages")
        .values({
          id: uuidv7(),
          ticket_id: ticket.id,
          author_user_id: null,
          author_kind: "system",
          visibility: "internal",
          kind: "system",
          body: "SLA breached: first_response at 2026-01-01T00:00:00.000Z",
          body_key: null,
          body_params: null,
          created_at: clock.now().toISOString(),
        })
        .execute();
      const notes = async (headers: Record<string, string>) =>
        (await timeline(ticket.id, headers)).messages.filter((m) => m.kind === "system").map((m) => m.body);

      expect(await notes(agent.headers)).toEqual([
        "Escalonado de L1 para L2: precisa de análise",
        "SLA breached: first_response at 2026-01-01T00:00:00.000Z",
      ]);
      expect(await notes(english.headers)).toEqual([
        "Escalated from L1 to L2: precisa de análise",
        "SLA breached: first_response at 2026-01-01T00:00:00.000Z",
      ]);
      expect((await notes({ ...english.headers, "accept-language": "pt-BR,en;q=0.5" }))[0]).toBe(
        "Escalonado de L1 para L2: precisa de análise",
      );
      expect((await notes({ ...agent.headers, "accept-language": "fr, en;q=0.8" }))[0]).toBe(
        "Escalated from L1 to L2: precisa de análise",
      );
      // A language we do not write falls back to the preference.
      expect((await notes({ ...english.headers, "accept-language": "de" }))[0]).toBe(
        "Escalated from L1 to L2: precisa de análise",
      );
      // What is stored: the key, its parameters and the English text.
      const row = await t.platform.db
        .selectFrom("ticket_messages")
        .select(["body", "body_key", "body_params"])
        .where("ticket_id", "=", ticket.id)
        .where("body_key", "is not", null)
        .executeTakeFirstOrThrow();
      expect(row.body_key).toBe("ticket.escalated");
      expect(JSON.parse(row.body_params!)).toEqual({ from: "L1", to: "L2", reason: "precisa de análise" });
      expect(row.body).toBe("Escalated from L1 to L2: precisa de análise");
    });
  },
);
