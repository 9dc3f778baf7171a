import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mayReadEvent } from "../../src/modules/identity/event-visibility.js";
import { ManualClock } from "../../src/platform/clock.js";
import {
  createOrganization,
  engines,
  harnessActor,
  type TestContext,
  testApp,
  tokenFor,
  withoutRoutingRules,
} from "../harness.js";
import { startInbox } from "../notifications/smtp.js";

const req = { ip: "127.0.0.1", headers: {} };

/**
 * Ticket notifications over a real SMTP server: to the requester in their language (received with the due time,
 * agent reply, status change, waiting on them and its reminder timer) and to staff (assigned, mentioned, customer
 * replied, SLA breach, escalation), threaded per ticket; preferences; SMTP down; internal notes stay internal.
 */
describe.each(engines)("ticket notifications on %s", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startInbox>>;
  const clock = new ManualClock("2026-11-25T12:00:00.000Z"); // Wednesday 09:00 in São Paulo

  beforeAll(async () => {
    smtp = await startInbox();
    t = await testApp(engine, { clock, config: { smtpUrl: smtp.url } });
    // Every ticket starts at L1, so the suite's escalations to L2 are real moves, whatever triage would route it to.
    await withoutRoutingRules(t);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  /** What background work does: the fan-out queues ticket.notify jobs, which fill the outbox, which mails. */
  const flush = async () => {
    for (let i = 0; i < 3; i++) {
      await t.platform.fanOut.drain();
      await t.platform.jobs.drain();
    }
  };
  const mailTo = (email: string) => smtp.inbox.filter((m) => m.to === email);
  const api = async (
    method: "POST" | "PATCH" | "PUT",
    url: string,
    headers: Record<string, string>,
    payload: object,
  ) => {
    const res = await t.app.inject({ method, url, headers, payload });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json();
  };

  it("tells the customer and the staff what happened, in their language, in one thread per ticket", async () => {
    const org = await createOrganization(t, "Acme Telecom");
    const customer = await tokenFor(t, "customer", { organizationId: org.id });
    await t.services.directory.updateUser(harnessActor(t), customer.user.id, { locale: "en" }, req);
    const manager = await tokenFor(t, "manager");
    const ana = await tokenFor(t, "agent");
    const bruno = await tokenFor(t, "agent");
    await t.services.directory.updateUser(harnessActor(t), ana.user.id, { name: "Ana Souza" }, req);
    await t.services.directory.updateUser(harnessActor(t), bruno.user.id, { name: "Bruno Lima" }, req);

    // The customer's own feed (a webhook scoped to its organization) and the provider's feed of every ticket.
    const hook = (organizationId?: string) =>
      t.services.webhooks.create(
        harnessActor(t),
        {
          name: `feed ${organizationId ?? "all"}`,
          url: "http://127.0.0.1:9/hook",
          eventTypes: ["ticket.message.created"],
          organizationId,
        },
        req,
      );
    const customerFeed = await hook(org.id);
    const providerFeed = await hook();
    const ticket = await api("POST", "/api/v1/tickets", customer.headers, {
      subject: "Sem áudio no ramal 201",
      description: "Chamadas ficam mudas",
      type: "feature_failure",
      severity: "high",
    });
    await flush();
    await expect.poll(() => mailTo(customer.user.email).length).toBe(1);
    const received = mailTo(customer.user.email)[0]!;
    expect(received.subject).toBe(`[Plantão] #${ticket.number} Sem áudio no ramal 201 — received`);
    expect(received.text).toContain(`We received your ticket #${ticket.number}`);
    expect(received.text).toMatch(/You will have our first answer by 11\/25\/2026, 11:00\sAM GMT-3/);
    // Its link opens the ticket in the customer's portal, not the staff page (which would send them to the portal's home).
    expect(received.text).toContain(`/portal/tickets/${ticket.number}`);
    expect(received.text).not.toContain(ticket.id);
    const root = received.inReplyTo;
    expect(root).toMatch(/^<ticket\./);
    expect(received.references).toBe(root);

    // Assigned by the manager: Ana hears of it (in pt-BR), with the organization.
    await api("PATCH", `/api/v1/tickets/${ticket.id}`, manager.headers, { assigneeId: ana.user.id });
    await flush();
    await expect.poll(() => mailTo(ana.user.email).length).toBe(1);
    expect(mailTo(ana.user.email)[0]!.subject).toBe(
      `Atribuído a você: [Plantão] #${ticket.number} Sem áudio no ramal 201`,
    );
    expect(mailTo(ana.user.email)[0]!.text).toContain("Acme Telecom");
    expect(mailTo(ana.user.email)[0]!.text).toContain(`/tickets/${ticket.id}`);

    // An internal note that @mentions Bruno: he is told, the customer is not, and no customer sees its event.
    const note = await api("POST", `/api/v1/tickets/${ticket.id}/messages`, ana.headers, {
      body: "@Bruno Lima pode olhar o SBC?",
      visibility: "internal",
      mentions: [bruno.user.id],
    });
    await flush();
    await expect.poll(() => mailTo(bruno.user.email).length).toBe(1);
    expect(mailTo(bruno.user.email)[0]!.subject).toBe(
      `Ana Souza mencionou você: [Plantão] #${ticket.number} Sem áudio no ramal 201`,
    );
    expect(mailTo(bruno.user.email)[0]!.text).toContain("pode olhar o SBC?");
    const noteEvent = (await t.platform.events.since(0, 10_000)).find(
      (e) => e.type === "ticket.message.created" && (e.payload as { messageId: string }).messageId === note.id,
    )!;
    const customerActor = (await t.services.directory.findUserByEmail(customer.user.email))!;
    const anaActor = (await t.services.directory.findUserByEmail(ana.user.email))!;
    expect(mayReadEvent(customerActor, noteEvent)).toBe(false);
    expect(mayReadEvent(anaActor, noteEvent)).toBe(true);
    const fed = async (id: string) => (await t.services.webhooks.deliveries(id, { limit: 50 })).map((d) => d.eventId);
    expect(await fed(providerFeed.id)).toContain(noteEvent.id);
    expect(await fed(customerFeed.id)).not.toContain(noteEvent.id);

    // Mentions are of active staff only, by staff only.
    const badMention = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: ana.headers,
      payload: { body: "oi", visibility: "internal", mentions: [customer.user.id] },
    });
    expect(badMention.statusCode).toBe(400);
    expect(badMention.json().errors[0].pointer).toBe("/mentions/0");
    const customerMention = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: customer.headers,
      payload: { body: "oi", visibility: "public", mentions: [ana.user.id] },
    });
    expect(customerMention.statusCode).toBe(400);

    // Ana's public reply reaches the customer with the message, in the thread.
    await api("POST", `/api/v1/tickets/${ticket.id}/messages`, ana.headers, {
      body: "Reinicie o SBC, por favor.",
      visibility: "public",
    });
    await flush();
    await expect.poll(() => mailTo(customer.user.email).length).toBe(2);
    const reply = mailTo(customer.user.email)[1]!;
    expect(reply.subject).toBe(`[Plantão] #${ticket.number} Sem áudio no ramal 201`);
    expect(reply.text).toContain("Ana Souza replied to your ticket:");
    expect(reply.text).toContain("Reinicie o SBC, por favor.");
    expect(reply.text).not.toContain("pode olhar o SBC");
    expect(reply.text).toContain(`/portal/tickets/${ticket.number}`);
    expect(reply.inReplyTo).toBe(root);
    expect((await fed(customerFeed.id)).length).toBe(1); // the public reply, not the note

    // Waiting on the customer: told at once, reminded two days later by the timer.
    await api("PATCH", `/api/v1/tickets/${ticket.id}`, ana.headers, { status: "pending_customer" });
    await flush();
    await expect.poll(() => mailTo(customer.user.email).length).toBe(3);
    expect(mailTo(customer.user.email)[2]!.subject).toBe(
      `[Plantão] #${ticket.number} Sem áudio no ramal 201 — waiting for your answer`,
    );
    clock.advance(2 * 24 * 3600_000 + 1000);
    await flush();
    await expect.poll(() => mailTo(customer.user.email).length).toBe(4);
    expect(mailTo(customer.user.email)[3]!.subject).toMatch(/^Reminder: /);
    expect(mailTo(customer.user.email)[3]!.inReplyTo).toBe(root);
    expect(mailTo(customer.user.email)[3]!.text).toContain(`/portal/tickets/${ticket.number}`);

    // Bruno watches: the customer's answer reaches him as a watcher too.
    await api("POST", `/api/v1/tickets/${ticket.id}/watchers`, bruno.headers, {});
    // The customer answers: Ana (the assignee) hears of it; the customer is not mailed their own words.
    await api("POST", `/api/v1/tickets/${ticket.id}/messages`, customer.headers, {
      body: "Reiniciei e voltou.",
      visibility: "public",
    });
    await flush();
    await expect.poll(() => mailTo(ana.user.email).some((m) => m.subject.startsWith("Resposta do cliente"))).toBe(true);
    expect(mailTo(ana.user.email).find((m) => m.subject.startsWith("Resposta do cliente"))!.text).toContain(
      "Reiniciei e voltou.",
    );
    expect(mailTo(customer.user.email)).toHaveLength(4);
    await expect.poll(() => mailTo(bruno.user.email).some((m) => m.text.includes("Reiniciei e voltou."))).toBe(true);

    // Any other status change: the customer is told the new status, in English, in the thread.
    await api("PATCH", `/api/v1/tickets/${ticket.id}`, ana.headers, { status: "pending_vendor" });
    await flush();
    await expect.poll(() => mailTo(customer.user.email).length).toBe(5);
    expect(mailTo(customer.user.email)[4]!.text).toContain("Your ticket's status changed to: Waiting for a vendor.");
    expect(mailTo(customer.user.email)[4]!.inReplyTo).toBe(root);

    // A status change the customer switched off (their preferences) reaches nobody.
    await api("PUT", "/api/v1/me/notification-preferences", customer.headers, {
      items: [{ kind: "ticket.status", channel: "email", enabled: false }],
    });
    await api("PATCH", `/api/v1/tickets/${ticket.id}`, ana.headers, { status: "on_hold" });
    await flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(mailTo(customer.user.email)).toHaveLength(5);

    // Escalated by hand: the assignee is told (the escalating agent is not).
    await api("POST", `/api/v1/tickets/${ticket.id}/escalate`, manager.headers, { tier: "L2", reason: "SBC" });
    await flush();
    await expect.poll(() => mailTo(ana.user.email).some((m) => m.subject.startsWith("Escalonado para L2"))).toBe(true);

    // Timeline: authors and assignees by name, never ids.
    const timeline = (
      await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/timeline`, headers: bruno.headers })
    ).json();
    const assigned = timeline.history.find((h: { field: string }) => h.field === "assigneeId");
    expect(assigned).toMatchObject({ afterLabel: "Ana Souza", beforeLabel: null });
    expect(assigned.actorName).toBe(manager.user.name);
    expect(timeline.messages.find((m: { body: string }) => m.body.startsWith("Reinicie")).authorName).toBe("Ana Souza");
  });

  it("warns the assignee of an SLA breach, and keeps the action working while SMTP is down", async () => {
    const org = await createOrganization(t);
    const agent = await tokenFor(t, "agent");
    const ticket = await api("POST", "/api/v1/tickets", agent.headers, {
      organizationId: org.id,
      requester: { name: "Rita", email: "rita@cliente.example" },
      subject: "Tronco caiu",
      description: "Sem chamadas",
      type: "sip_trunk_integration",
      severity: "critical",
      assigneeId: agent.user.id,
    });
    await flush();
    // The requester without an account is written at their address; the agent assigned themselves: no mail.
    await expect.poll(() => mailTo("rita@cliente.example").length).toBe(1);
    expect(mailTo(agent.user.email)).toHaveLength(0);

    smtp.state.refuse = { code: 451, message: "try again later" };
    const reply = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: agent.headers,
      payload: { body: "Estamos verificando o tronco.", visibility: "public" },
    });
    expect(reply.statusCode).toBe(201);
    await flush();
    const failed = await t.services.notifications.deliveryLog({ limit: 50 });
    expect(failed.find((n) => n.template === "ticket.reply")).toMatchObject({ status: "failed", attempts: 1 });
    smtp.state.refuse = null;
    clock.advance(31_000);
    await flush();
    await expect.poll(() => mailTo("rita@cliente.example").length).toBe(2);
    expect(mailTo("rita@cliente.example")[1]!.text).toContain("Estamos verificando o tronco.");

    // Far past every deadline: the assignee gets the breach (in pt-BR).
    clock.advance(30 * 24 * 3600_000);
    await t.services.tickets.onDeadline(ticket.id);
    await flush();
    await expect.poll(() => mailTo(agent.user.email).some((m) => m.subject.startsWith("SLA violado"))).toBe(true);

    // Past a clock's target, before its breach (the tier clock: target 2 h, breach 4 h of business time), the
    // assignee is warned (in pt-BR), once.
    const next = await api("POST", "/api/v1/tickets", agent.headers, {
      organizationId: org.id,
      subject: "Ramal mudo",
      description: "Sem áudio",
      type: "feature_failure",
      severity: "low",
      assigneeId: agent.user.id,
    });
    const sla = (await t.app.inject({ url: `/api/v1/tickets/${next.id}/sla`, headers: agent.headers })).json();
    const tierClock = sla.clocks.find((c: { kind: string }) => c.kind === "tier_response");
    expect(Date.parse(tierClock.targetAt)).toBeLessThan(Date.parse(tierClock.breachAt));
    clock.set(new Date(Date.parse(tierClock.targetAt) + 60_000).toISOString());
    await t.services.tickets.onDeadline(next.id);
    await t.services.tickets.onDeadline(next.id);
    await flush();
    const warnings = () =>
      mailTo(agent.user.email).filter(
        (m) => m.subject.startsWith("SLA em risco") && m.subject.includes(`#${next.number}`),
      );
    await expect.poll(() => warnings().length).toBe(1);
    // The clock named in words, never its internal kind.
    expect(warnings()[0]!.text).toContain("O prazo de resposta do nível (L1) vence em");
  });
});
