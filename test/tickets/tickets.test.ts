import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

describe.each(engines)("tickets on %s", (engine) => {
  let t: TestContext;
  let acme: string;
  let other: string;
  let agent: Awaited<ReturnType<typeof tokenFor>>;
  let customer: Awaited<ReturnType<typeof tokenFor>>;
  let otherCustomer: Awaited<ReturnType<typeof tokenFor>>;

  beforeAll(async () => {
    t = await testApp(engine);
    acme = (await createOrganization(t, "Acme")).id;
    other = (await createOrganization(t, "Outra")).id;
    agent = await tokenFor(t, "agent");
    customer = await tokenFor(t, "customer", { organizationId: acme });
    otherCustomer = await tokenFor(t, "customer", { organizationId: other });
  });
  afterAll(() => t.close());

  const open = (headers: Record<string, string>, body: Record<string, unknown> = {}) =>
    t.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers,
      payload: {
        subject: "Tronco SIP sem registro",
        description: "O tronco caiu às 10h",
        // A type the routing rules start at L1 (test/tickets/console.test.ts covers the others).
        type: "usage_question",
        severity: "high",
        ...body,
      },
    });

  it("numbers tickets sequentially and scopes them to the customer's organization", async () => {
    const a = await open(customer.headers);
    const b = await open(customer.headers, { organizationId: acme });
    expect(a.statusCode).toBe(201);
    expect(b.json().number).toBe(a.json().number + 1);
    // The customer reads the portal's shape; the staff see the organization and the tier.
    expect(a.json()).toMatchObject({ channel: "portal", status: "new", requestedByMe: true });
    expect(a.json().tier).toBeUndefined();
    expect(
      (await t.app.inject({ url: `/api/v1/tickets/${a.json().id}`, headers: agent.headers })).json(),
    ).toMatchObject({ organizationId: acme, tier: "L1" });
    // A customer cannot open a ticket for another organization, nor see its tickets.
    expect((await open(customer.headers, { organizationId: other })).statusCode).toBe(404);
    const foreign = (await open(otherCustomer.headers)).json();
    expect((await t.app.inject({ url: `/api/v1/tickets/${foreign.id}`, headers: customer.headers })).statusCode).toBe(
      404,
    );
    expect(
      (
        await t.app.inject({
          method: "PATCH",
          url: `/api/v1/tickets/${foreign.id}`,
          headers: customer.headers,
          payload: { status: "closed" },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: `/api/v1/tickets/${foreign.id}/messages`,
          headers: customer.headers,
          payload: { body: "x", visibility: "public" },
        })
      ).statusCode,
    ).toBe(404);
    const list = (await t.app.inject({ url: "/api/v1/tickets?limit=200", headers: customer.headers })).json();
    const listed = list.items.map((x: { id: string }) => x.id);
    expect(listed).toEqual(expect.arrayContaining([a.json().id, b.json().id]));
    expect(listed).not.toContain(foreign.id);
    expect((await t.app.inject({ url: `/api/v1/tickets/${foreign.id}`, headers: agent.headers })).statusCode).toBe(200);
  });

  it("counts only a public agent reply (or answered call) as first response; customers never see notes", async () => {
    const ticket = (await open(customer.headers)).json();
    const note = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: agent.headers,
      payload: { body: "verificar SBC", visibility: "internal" },
    });
    expect(note.statusCode).toBe(201);
    expect(
      (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}`, headers: agent.headers })).json().firstResponseAt,
    ).toBeNull();
    const call = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: agent.headers,
      payload: { body: "Liguei e expliquei", visibility: "public", kind: "phone_call" },
    });
    expect(call.json().kind).toBe("phone_call");
    const after = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}`, headers: agent.headers })).json();
    expect(after.firstResponseAt).toBe(call.json().createdAt);
    expect(after.status).toBe("open");
    const customerView = (
      await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/timeline`, headers: customer.headers })
    ).json();
    expect(customerView.messages.map((m: { fromSupport: boolean; body: string }) => [m.fromSupport, m.body])).toEqual([
      [true, "Liguei e expliquei"],
    ]);
    expect(customerView.history).toBeUndefined();
    const internal = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: customer.headers,
      payload: { body: "x", visibility: "internal" },
    });
    expect(internal.statusCode).toBe(403);
  });

  it("refuses transitions that make no sense and keeps a history of every change", async () => {
    const ticket = (
      await open(agent.headers, { organizationId: acme, severity: "low", requesterId: customer.user.id })
    ).json();
    const patch = (headers: Record<string, string>, body: Record<string, unknown>) =>
      t.app.inject({ method: "PATCH", url: `/api/v1/tickets/${ticket.id}`, headers, payload: body });
    expect((await patch(agent.headers, { severity: "critical", tags: ["tronco", "urgente"] })).statusCode).toBe(200);
    expect((await patch(agent.headers, { status: "closed" })).json().closedAt).not.toBeNull();
    const twice = await patch(agent.headers, { status: "closed" });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().type).toBe("urn:plantao:problem:invalid-transition");
    expect((await patch(agent.headers, { status: "pending_vendor" })).statusCode).toBe(409);
    const reply = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: agent.headers,
      payload: { body: "x", visibility: "public" },
    });
    expect(reply.statusCode).toBe(409);
    expect((await patch(customer.headers, { status: "open" })).statusCode).toBe(200);
    expect((await patch(customer.headers, { severity: "low" })).statusCode).toBe(403);
    const timeline = (
      await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/timeline`, headers: agent.headers })
    ).json();
    expect(timeline.history.map((h: { field: string; after: string }) => `${h.field}=${h.after}`)).toEqual([
      "severity=critical",
      'tags=["tronco","urgente"]',
      "status=closed",
      "status=open",
    ]);
    const unknown = await patch(agent.headers, { status: "archived" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].pointer).toBe("/status");
  });

  it("escalates between tiers with the reason on the timeline", async () => {
    const ticket = (await open(agent.headers, { organizationId: acme })).json();
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/escalate`,
      headers: agent.headers,
      payload: { tier: "L2", reason: "Precisa de análise de SIP" },
    });
    expect(res.json().tier).toBe("L2");
    const again = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/escalate`,
      headers: agent.headers,
      payload: { tier: "L2", reason: "de novo" },
    });
    expect(again.statusCode).toBe(409);
    const timeline = (
      await t.app.inject({
        url: `/api/v1/tickets/${ticket.id}/timeline`,
        headers: { ...agent.headers, "accept-language": "en" },
      })
    ).json();
    expect(timeline.messages.at(-1)).toMatchObject({ kind: "system", visibility: "internal" });
    expect(timeline.messages.at(-1).body).toContain("L1 to L2: Precisa de análise de SIP");
    const byCustomer = await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/escalate`,
      headers: customer.headers,
      payload: { tier: "L3", reason: "pressa" },
    });
    expect(byCustomer.statusCode).toBe(403);
  });

  it("filters the queue and pages through it in a stable order", async () => {
    for (let i = 0; i < 5; i++)
      await open(agent.headers, { organizationId: other, severity: "critical", subject: `Queda ${i}` });
    const first = (
      await t.app.inject({
        url: `/api/v1/tickets?severity=critical&organization=${other}&status=new,open&limit=2`,
        headers: agent.headers,
      })
    ).json();
    expect(first.items).toHaveLength(2);
    const ids: string[] = first.items.map((x: { id: string }) => x.id);
    let cursor = first.nextCursor;
    while (cursor) {
      const page = (
        await t.app.inject({
          url: `/api/v1/tickets?severity=critical&organization=${other}&status=new,open&limit=2&cursor=${cursor}`,
          headers: agent.headers,
        })
      ).json();
      ids.push(...page.items.map((x: { id: string }) => x.id));
      cursor = page.nextCursor;
    }
    expect(ids).toHaveLength(5);
    expect(ids).toEqual([...ids].sort().reverse());
    const q = (
      await t.app.inject({ url: `/api/v1/tickets?q=${encodeURIComponent("Queda 3")}`, headers: agent.headers })
    ).json();
    expect(q.items.map((x: { subject: string }) => x.subject)).toEqual(["Queda 3"]);
    const bad = await t.app.inject({ url: "/api/v1/tickets?status=new,bogus", headers: agent.headers });
    expect(bad.statusCode).toBe(400);
  });

  it("publishes ticket events for the organization and audits every write", async () => {
    const seen: string[] = [];
    const off = t.platform.events.subscribe((e) => seen.push(`${e.type}:${e.organizationId}`));
    await t.platform.events.start();
    const ticket = (await open(customer.headers)).json();
    await expect.poll(() => seen.includes(`ticket.created:${acme}`), { timeout: 3000 }).toBe(true);
    off();
    const admin = await tokenFor(t, "admin");
    const audit = (await t.app.inject({ url: `/api/v1/audit?targetId=${ticket.id}`, headers: admin.headers })).json();
    expect(audit.items.map((e: { action: string }) => e.action)).toEqual(["ticket.created"]);
  });
});
