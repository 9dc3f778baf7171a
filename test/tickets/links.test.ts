import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtp } from "../fixtures/smtp.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

describe.each(engines)("ticket links and merge on %s", (engine) => {
  let t: TestContext;
  let acme: string;
  let other: string;
  let agent: Record<string, string>;
  let customer: Record<string, string>;

  beforeAll(async () => {
    t = await testApp(engine);
    acme = (await createOrganization(t, "Acme")).id;
    other = (await createOrganization(t, "Outra")).id;
    agent = (await tokenFor(t, "agent")).headers;
    // A customer-admin reads every ticket of its organization in the portal.
    customer = (await tokenFor(t, "customer-admin", { organizationId: acme })).headers;
  });
  afterAll(() => t.close());

  const open = async (organizationId: string, subject = "Queda do tronco") =>
    (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: agent,
        payload: {
          organizationId,
          subject,
          description: "Sem chamadas",
          type: "sip_trunk_integration",
          severity: "high",
        },
      })
    ).json();

  it("links parent and child from either side, once, and shows each side its reading", async () => {
    const parent = await open(acme, "Queda geral");
    const child = await open(acme, "Ramal 201 sem tom");
    const made = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${child.id}/links`,
      headers: agent,
      payload: { ticketId: parent.id, kind: "child_of" },
    });
    expect(made.statusCode).toBe(201);
    expect(made.json().items).toMatchObject([{ kind: "child_of", ticketId: parent.id, number: parent.number }]);
    const fromParent = await t.app.inject({ url: `/api/v1/tickets/${parent.id}/links`, headers: agent });
    expect(fromParent.json().items).toMatchObject([{ kind: "parent_of", ticketId: child.id }]);
    const again = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${parent.id}/links`,
      headers: agent,
      payload: { ticketId: child.id, kind: "parent_of" },
    });
    expect(again.statusCode).toBe(409);
    const self = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${parent.id}/links`,
      headers: agent,
      payload: { ticketId: parent.id, kind: "related" },
    });
    expect(self.statusCode).toBe(400);
    // Customers read links in the portal (by number, no ids) but do not make them; the staff route is refused.
    expect(
      (await t.app.inject({ url: `/api/v1/portal/tickets/${parent.number}`, headers: customer })).json().links,
    ).toEqual([{ kind: "parent_of", number: child.number, subject: "Ramal 201 sem tom", status: "new" }]);
    expect((await t.app.inject({ url: `/api/v1/tickets/${parent.id}/links`, headers: customer })).statusCode).toBe(403);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: `/api/v1/tickets/${parent.id}/links`,
          headers: customer,
          payload: { ticketId: child.id, kind: "related" },
        })
      ).statusCode,
    ).toBe(403);
    const linkId = fromParent.json().items[0].id;
    expect(
      (await t.app.inject({ method: "DELETE", url: `/api/v1/tickets/${parent.id}/links/${linkId}`, headers: agent }))
        .statusCode,
    ).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/tickets/${child.id}/links`, headers: agent })).json().items).toEqual([]);
  });

  it("keeps other organizations out of a customer's view of links", async () => {
    const mine = await open(acme, "Meu chamado");
    const theirs = await open(other, "Chamado de outra empresa");
    const cross = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${mine.id}/links`,
      headers: agent,
      payload: { ticketId: theirs.id, kind: "duplicate_of" },
    });
    expect(cross.statusCode).toBe(400);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: `/api/v1/tickets/${mine.id}/links`,
          headers: agent,
          payload: { ticketId: theirs.id, kind: "related" },
        })
      ).statusCode,
    ).toBe(201);
    expect((await t.app.inject({ url: `/api/v1/tickets/${mine.id}/links`, headers: agent })).json().items).toHaveLength(
      1,
    );
    expect(
      (await t.app.inject({ url: `/api/v1/portal/tickets/${mine.number}`, headers: customer })).json().links,
    ).toEqual([]);
  });

  it("merges a duplicate: closed, pointing to the target, refusing replies and changes, noted on both timelines", async () => {
    const target = await open(acme, "Áudio picotado");
    const dup = await open(acme, "Áudio picotando nas chamadas");
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${dup.id}/merge`,
      headers: agent,
      payload: { intoTicketId: target.id },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "closed", mergedIntoId: target.id });
    const reply = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${dup.id}/messages`,
      headers: customer,
      payload: { body: "e agora?", visibility: "public" },
    });
    expect(reply.statusCode).toBe(409);
    expect(
      (
        await t.app.inject({
          method: "PATCH",
          url: `/api/v1/tickets/${dup.id}`,
          headers: agent,
          payload: { severity: "low" },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: `/api/v1/tickets/${dup.id}/merge`,
          headers: agent,
          payload: { intoTicketId: target.id },
        })
      ).statusCode,
    ).toBe(409);
    const notes = (
      await t.app.inject({
        url: `/api/v1/tickets/${target.id}/timeline`,
        headers: { ...agent, "accept-language": "en" },
      })
    )
      .json()
      .messages.map((m: { body: string }) => m.body);
    expect(notes).toContain(`#${dup.number} was merged into this ticket`);
    expect((await t.app.inject({ url: `/api/v1/tickets/${dup.id}/links`, headers: agent })).json().items).toMatchObject(
      [{ kind: "duplicate_of", ticketId: target.id }],
    );
    const across = await open(other, "Outra empresa");
    const bad = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${target.id}/merge`,
      headers: agent,
      payload: { intoTicketId: across.id },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe("/intoTicketId");
    // The merged ticket's SLA clocks stop counting.
    const sla = (await t.app.inject({ url: `/api/v1/tickets/${dup.id}`, headers: agent })).json();
    expect(sla.slaDueAt).toBeNull();
  });
});

describe.each(engines)("ticket watchers on %s", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await testApp(engine, { config: { smtpUrl: smtp.url } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it("mails watchers public replies and status changes, never internal notes or their own actions", async () => {
    const acme = (await createOrganization(t)).id;
    const agent = await tokenFor(t, "agent");
    const customer = await tokenFor(t, "customer", { organizationId: acme });
    const stranger = await tokenFor(t, "customer", { organizationId: (await createOrganization(t)).id });
    const ticket = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: customer.headers,
        payload: { subject: "Fax não envia", description: "ATA com fax", type: "feature_failure", severity: "low" },
      })
    ).json();
    // The requester watches its ticket; watching again through the portal changes nothing.
    const watch = await t.app.inject({
      method: "PUT",
      url: `/api/v1/portal/tickets/${ticket.number}/watch`,
      headers: customer.headers,
    });
    expect(watch.json()).toEqual({ watching: true });
    const strangerWatch = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/watchers`,
      headers: agent.headers,
      payload: { userId: stranger.user.id },
    });
    expect(strangerWatch.statusCode).toBe(400);
    expect(
      (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/watchers`, headers: agent.headers })).json().items,
    ).toMatchObject([{ userId: customer.user.id }]);
    // A colleague the ticket is shared with, and an agent, watch it too.
    const colleague = await tokenFor(t, "customer", { organizationId: acme });
    const other = await tokenFor(t, "agent");
    for (const who of [colleague, other])
      await t.app.inject({
        method: "POST",
        url: `/api/v1/tickets/${ticket.id}/watchers`,
        headers: agent.headers,
        payload: { userId: who.user.id },
      });

    await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: agent.headers,
      payload: { body: "nota interna", visibility: "internal" },
    });
    await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: agent.headers,
      payload: { body: "Reinicie o ATA, por favor.", visibility: "public" },
    });
    await t.app.inject({
      method: "PATCH",
      url: `/api/v1/tickets/${ticket.id}`,
      headers: agent.headers,
      payload: { status: "pending_customer" },
    });
    await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: customer.headers,
      payload: { body: "Reiniciei.", visibility: "public" },
    });
    // The fan-out queues the ticket's notifications; the outbox sends them.
    for (let i = 0; i < 3; i++) {
      await t.platform.fanOut.drain();
      await t.platform.jobs.drain();
    }
    // A watcher who is also the requester gets the requester's mail once (received, the reply, waiting on them).
    await expect.poll(() => smtp.inbox.filter((m) => m.to === customer.user.email).length).toBe(3);
    const texts = smtp.inbox.filter((m) => m.to === customer.user.email).map((m) => m.text);
    expect(texts.some((text) => text.includes("Reinicie o ATA"))).toBe(true);
    expect(texts.some((text) => text.includes("Precisamos da sua resposta"))).toBe(true);
    expect(texts.join()).not.toContain("nota interna");
    // Each watcher's link opens the ticket where they follow it: the portal for a customer, the staff page for staff.
    const replyTo = async (email: string) => {
      await expect.poll(() => smtp.inbox.some((m) => m.to === email && m.text.includes("Reinicie o ATA"))).toBe(true);
      return smtp.inbox.find((m) => m.to === email && m.text.includes("Reinicie o ATA"))!.text;
    };
    const colleagueMail = await replyTo(colleague.user.email);
    expect(colleagueMail).toContain(`/portal/tickets/${ticket.number}`);
    expect(colleagueMail).not.toContain(ticket.id);
    expect(await replyTo(other.user.email)).toContain(`/tickets/${ticket.id}`);
    // The portal's unwatch button; the staff route is refused to customers.
    const stop = () =>
      t.app.inject({
        method: "DELETE",
        url: `/api/v1/portal/tickets/${ticket.number}/watch`,
        headers: customer.headers,
      });
    expect((await stop()).json()).toEqual({ watching: false });
    expect((await stop()).json()).toEqual({ watching: false });
    expect(
      (await t.app.inject({ url: `/api/v1/portal/tickets/${ticket.number}`, headers: customer.headers })).json()
        .watching,
    ).toBe(false);
    expect(
      (
        await t.app.inject({
          method: "DELETE",
          url: `/api/v1/tickets/${ticket.id}/watchers/${customer.user.id}`,
          headers: customer.headers,
        })
      ).statusCode,
    ).toBe(403);
  });
});
