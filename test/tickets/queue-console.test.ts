import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import {
  createOrganization,
  createUser,
  engines,
  harnessActor,
  type TestContext,
  testApp,
  tokenFor,
} from "../harness.js";

type Headers = Record<string, string>;

describe.each(engines)("agent console on %s", (engine) => {
  // Friday 17:00 in São Paulo: a business-hours tier clock would be due on Monday.
  const clock = new ManualClock("2026-11-27T20:00:00.000Z");
  let t: TestContext;
  let acme: string;
  let other: string;
  let agent: Awaited<ReturnType<typeof tokenFor>>;
  let agent2: Awaited<ReturnType<typeof tokenFor>>;
  let manager: Headers;
  let customer: Awaited<ReturnType<typeof tokenFor>>;
  let otherCustomer: Awaited<ReturnType<typeof tokenFor>>;

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    acme = (await createOrganization(t, "Acme Telecom")).id;
    other = (await createOrganization(t, "Outra")).id;
    agent = await tokenFor(t, "agent");
    agent2 = await tokenFor(t, "agent");
    manager = (await tokenFor(t, "manager")).headers;
    customer = await tokenFor(t, "customer", { organizationId: acme });
    otherCustomer = await tokenFor(t, "customer", { organizationId: other });
  });
  afterAll(() => t.close());

  const open = async (headers: Headers, body: Record<string, unknown> = {}) => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers,
      payload: {
        subject: "Dúvida sobre o painel",
        description: "Como exporto o relatório?",
        type: "usage_question",
        severity: "low",
        ...body,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const get = async (url: string, headers: Headers) => t.app.inject({ url, headers });
  const slaOf = async (id: string) => (await get(`/api/v1/tickets/${id}/sla`, agent.headers)).json();
  /** The staff's view of a ticket a customer opened (the customer reads no tier, team or assignee). */
  const staffOf = async (ticket: { id: string }) => (await get(`/api/v1/tickets/${ticket.id}`, agent.headers)).json();

  it("routes a critical SIP-trunk outage to L2 on a 24x7 tier clock, and usage questions to L1", async () => {
    const outage = await open(customer.headers, {
      subject: "Tronco SIP fora do ar",
      type: "sip_trunk_integration",
      severity: "critical",
    });
    expect((await staffOf(outage)).tier).toBe("L2");
    const tierClock = (await slaOf(outage.id)).clocks.find((c: { kind: string }) => c.kind === "tier_response");
    expect(tierClock).toMatchObject({ tier: "L2", calendar: "24x7" });
    // 4 h on the clock, not Monday's business hours.
    expect(tierClock.targetAt).toBe("2026-11-28T00:00:00.000Z");
    const question = await open(customer.headers);
    expect((await staffOf(question)).tier).toBe("L1");
    const qClock = (await slaOf(question.id)).clocks.find((c: { kind: string }) => c.kind === "tier_response");
    expect(qClock.calendar).toBe("comercial");
    const bug = await open(customer.headers, { type: "bug", severity: "medium" });
    expect((await staffOf(bug)).tier).toBe("L3");
    // The rest of the plan's examples: login → L1, feature failures → L2, performance → L3.
    for (const [type, tier] of [
      ["login_problem", "L1"],
      ["feature_failure", "L2"],
      ["performance", "L3"],
    ] as const)
      expect((await staffOf(await open(customer.headers, { type, severity: "medium" }))).tier, type).toBe(tier);
    // Staff choices win over the rules.
    expect((await open(agent.headers, { organizationId: acme, type: "bug", tier: "L1" })).tier).toBe("L1");
  });

  it("lets admins replace the rules in order; the first rule setting a value wins; bad rules change nothing", async () => {
    const before = (await get("/api/v1/ticket-routing-rules", manager)).json().items;
    expect(before).toHaveLength(4);
    const put = (items: unknown[], headers = manager) =>
      t.app.inject({ method: "PUT", url: "/api/v1/ticket-routing-rules", headers, payload: { items } });
    expect((await put([], agent.headers)).statusCode).toBe(403);
    const bad = await put([
      { name: "x", conditions: {}, tier: null, team: null, assigneeId: null, calendar: "nenhum" },
    ]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe("/items/0/calendar");
    expect((await get("/api/v1/ticket-routing-rules", manager)).json().items).toEqual(before);
    const res = await put([
      {
        name: "Acme → N2 redes",
        conditions: { organizationIds: [acme] },
        tier: "L2",
        team: "redes",
        assigneeId: agent2.user.id,
        calendar: null,
      },
      { name: "tudo N3", conditions: {}, tier: "L3", team: "outro", assigneeId: null, calendar: null },
      ...before.map(({ id: _id, ...rule }: { id: string }) => rule),
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const routed = await open(customer.headers);
    expect(await staffOf(routed)).toMatchObject({ tier: "L2", team: "redes", assigneeId: agent2.user.id });
    expect((await staffOf(await open(otherCustomer.headers))).tier).toBe("L3");
    expect((await put(before.map(({ id: _id, ...rule }: { id: string }) => rule))).statusCode).toBe(200);
  });

  it("opens a ticket for a contact of the organization, who then watches it; a stranger is refused", async () => {
    const contact = await createUser(t, "customer", { organizationId: acme });
    const stranger = await createUser(t, "customer", { organizationId: other });
    const ticket = await open(agent.headers, {
      organizationId: acme,
      requesterId: contact.id,
      channel: "phone",
      assigneeId: agent.user.id,
    });
    expect(ticket).toMatchObject({ requesterId: contact.id, channel: "phone", assigneeId: agent.user.id });
    expect(ticket.requester.name).toBe(contact.name);
    const watchers = (await get(`/api/v1/tickets/${ticket.id}/watchers`, agent.headers)).json().items;
    expect(watchers.map((w: { userId: string }) => w.userId)).toContain(contact.id);
    const refused = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: agent.headers,
      payload: {
        subject: "x",
        description: "y",
        type: "bug",
        severity: "low",
        organizationId: acme,
        requesterId: stranger.id,
      },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].pointer).toBe("/requesterId");
    // A customer's own ticket: they watch it.
    const own = await open(customer.headers);
    const w = (await get(`/api/v1/tickets/${own.id}/watchers`, agent.headers)).json().items;
    expect(w.map((x: { userId: string }) => x.userId)).toEqual([customer.user.id]);
  });

  it("serves queues sorted by urgency with names, counts and keyset pages, to staff only", async () => {
    const mine = await open(agent.headers, {
      organizationId: acme,
      assigneeId: agent.user.id,
      severity: "critical",
      type: "feature_failure",
      subject: "Falha na URA",
    });
    const page = (await get("/api/v1/tickets/queue?queue=mine&limit=200", agent.headers)).json();
    const row = page.items.find((i: { id: string }) => i.id === mine.id);
    expect(row).toMatchObject({ organizationName: "Acme Telecom", assigneeName: agent.user.name, number: mine.number });
    const all = (await get("/api/v1/tickets/queue?limit=200", agent.headers)).json().items;
    const dues = all
      .filter((i: { slaDueAt: string | null }) => i.slaDueAt)
      .map((i: { slaDueAt: string }) => i.slaDueAt);
    expect(dues).toEqual([...dues].sort());
    expect(all[0].slaDueAt).toBe(dues[0]);
    // Keyset: pages of 2 cover the same tickets in the same order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/api/v1/tickets/queue?limit=2${cursor ? `&cursor=${cursor}` : ""}`, agent.headers);
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...res.json().items.map((i: { id: string }) => i.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((i: { id: string }) => i.id));
    expect((await get("/api/v1/tickets/queue?cursor=bm9wZQ", agent.headers)).statusCode).toBe(400);
    const counts = (await get("/api/v1/tickets/queue/counts", agent.headers)).json();
    expect(counts.queues.mine).toBeGreaterThanOrEqual(1);
    expect(counts.queues.open).toBe(all.length);
    expect(counts.tiers.reduce((s: number, x: { count: number }) => s + x.count, 0)).toBe(all.length);
    expect(counts.organizations.find((o: { name: string }) => o.name === "Acme Telecom").count).toBeGreaterThan(0);
    // Queue rows and counts tell tiers, assignees and the internal SLA state: customers use the portal.
    for (const url of ["/api/v1/tickets/queue?limit=200", "/api/v1/tickets/queue/counts"]) {
      const refused = await get(url, customer.headers);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().detail).toContain("/api/v1/portal");
    }
    // Unassigned, watched, breaching soon.
    const unassigned = (await get("/api/v1/tickets/queue?queue=unassigned&limit=200", agent.headers)).json().items;
    expect(unassigned.every((i: { assigneeId: string | null }) => i.assigneeId === null)).toBe(true);
    const watched = (await get("/api/v1/tickets/queue?queue=watched&limit=200", agent.headers)).json().items;
    expect(watched.map((i: { id: string }) => i.id)).toContain(mine.id); // its opener watches it
    const soon = (await get("/api/v1/tickets/queue?queue=breaching&limit=200", agent.headers)).json().items;
    expect(soon.map((i: { id: string }) => i.id)).toContain(mine.id); // critical: first response due in 30 min
  });

  it("finds tickets by any message (notes for staff only) and jumps to a number", async () => {
    const ticket = await open(customer.headers, { subject: "Ramal mudo" });
    const say = (headers: Headers, body: string, visibility: string) =>
      t.app.inject({
        method: "POST",
        url: `/api/v1/tickets/${ticket.id}/messages`,
        headers,
        payload: { body, visibility },
      });
    expect((await say(agent.headers, "Reinicie o telefone Grandstream", "public")).statusCode).toBe(201);
    expect((await say(agent.headers, "Suspeita de firmware quebradiço", "internal")).statusCode).toBe(201);
    const ids = async (url: string, headers: Headers) =>
      (await get(url, headers)).json().items.map((i: { id: string }) => i.id);
    expect(await ids("/api/v1/tickets/queue?q=grandstream", agent.headers)).toEqual([ticket.id]);
    // Customers search through the portal's search (subject and description).
    expect(await ids("/api/v1/tickets?q=ramal", customer.headers)).toEqual([ticket.id]);
    expect(await ids("/api/v1/tickets/queue?q=quebradico", agent.headers)).toEqual([ticket.id]);
    expect((await get("/api/v1/tickets/queue?q=quebradico", customer.headers)).statusCode).toBe(403);
    expect(await ids("/api/v1/tickets?q=quebradico", customer.headers)).toEqual([]);
    const jump = (await get(`/api/v1/tickets/queue?q=%23${ticket.number}&queue=all`, agent.headers)).json();
    expect(jump.jumpTo).toBe(ticket.id);
    expect(await ids(`/api/v1/tickets?q=${ticket.number}`, otherCustomer.headers)).toEqual([]);
  });

  it("saves personal and shared views; another organization's view is 404", async () => {
    const save = (headers: Headers, body: Record<string, unknown>) =>
      t.app.inject({ method: "POST", url: "/api/v1/ticket-views", headers, payload: body });
    const personal = await save(agent.headers, {
      name: "Meus críticos",
      shared: false,
      filters: { queue: "mine", severity: ["critical"] },
      sort: "urgency",
    });
    expect(personal.statusCode, personal.body).toBe(201);
    const shared = (
      await save(agent.headers, { name: "N2", shared: true, filters: { tier: ["L2"] }, sort: "newest" })
    ).json();
    const names = async (headers: Headers) =>
      (await get("/api/v1/ticket-views", headers)).json().items.map((v: { name: string }) => v.name);
    expect(await names(agent.headers)).toEqual(["Meus críticos", "N2"]);
    expect(await names(agent2.headers)).toEqual(["N2"]);
    expect(await names(customer.headers)).toEqual([]);
    // Another agent may read the shared view but not change it; nobody else sees the personal one.
    expect((await get(`/api/v1/ticket-views/${shared.id}`, agent2.headers)).statusCode).toBe(200);
    const patch = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/ticket-views/${shared.id}`,
      headers: agent2.headers,
      payload: { name: "meu" },
    });
    expect(patch.statusCode).toBe(403);
    expect((await get(`/api/v1/ticket-views/${personal.json().id}`, agent2.headers)).statusCode).toBe(404);
    // Customers: views filter the agents' queue, so they save none, and any view is a 404 to them.
    const byCustomer = await save(customer.headers, { name: "Abertos", shared: true, filters: {}, sort: "urgency" });
    expect(byCustomer.statusCode).toBe(403);
    expect(byCustomer.json().detail).toContain("/api/v1/portal");
    expect((await get(`/api/v1/ticket-views/${shared.id}`, customer.headers)).statusCode).toBe(404);
    const del = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/ticket-views/${shared.id}`,
      headers: otherCustomer.headers,
    });
    expect(del.statusCode).toBe(404);
    // A lone surrogate is stored as U+FFFD, as text columns do (PostgreSQL's jsonb refuses its escape).
    const odd = await save(agent.headers, { name: "x", shared: false, filters: { team: "x\ud800y" }, sort: "urgency" });
    expect(odd.statusCode, odd.body).toBe(201);
    expect(odd.json().filters.team).toBe("x\ufffdy");
    const bad = await save(agent.headers, { name: "x", shared: false, filters: { queue: "nope" }, sort: "urgency" });
    expect(bad.statusCode).toBe(400);
    const renamed = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/ticket-views/${shared.id}`,
      headers: agent.headers,
      payload: { name: "N2 abertos", filters: { tier: ["L2"], status: ["open"] } },
    });
    expect(renamed.json()).toMatchObject({ name: "N2 abertos", filters: { tier: ["L2"], status: ["open"] } });
  });

  it("runs a bulk action over 1,001 tickets, each all-or-nothing, with a result per ticket", async () => {
    const staff = {
      userId: agent.user.id,
      email: agent.user.email,
      name: agent.user.name,
      role: "agent" as const,
      organizationId: t.providerId,
      tier: null,
      teams: [],
      via: "token" as const,
    };
    const ids: string[] = new Array(1001);
    // Eight at a time: PostgreSQL overlaps their round trips; SQLite takes them in turn anyway.
    let made = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (made < ids.length) {
          const i = made++;
          const ticket = await t.services.tickets.create(
            staff,
            {
              subject: `Lote ${i}`,
              description: "em massa",
              type: "usage_question",
              severity: "low",
              organizationId: acme,
            },
            { ip: "127.0.0.1", headers: {} },
          );
          ids[i] = ticket.id;
        }
      }),
    );
    // One of them is already resolved and closed: "resolve" is refused for it alone.
    await t.app.inject({
      method: "PATCH",
      url: `/api/v1/tickets/${ids[500]}`,
      headers: agent.headers,
      payload: { status: "closed" },
    });
    const started = Date.now();
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets/bulk",
      headers: agent.headers,
      payload: { ticketIds: ids, action: "status", status: "resolved" },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    console.log(`bulk status over 1,001 tickets on ${engine}: ${Date.now() - started} ms`);
    expect(body.results).toHaveLength(1001);
    expect(body).toMatchObject({ succeeded: 1000, failed: 1 });
    expect(body.results[500]).toMatchObject({ ticketId: ids[500], ok: false, status: 409 });
    expect((await get(`/api/v1/tickets/${ids[500]}`, agent.headers)).json().status).toBe("closed");
    expect((await get(`/api/v1/tickets/${ids[1000]}`, agent.headers)).json().status).toBe("resolved");
    const history = (await get(`/api/v1/tickets/${ids[3]}/timeline`, agent.headers)).json().history;
    expect(history.at(-1)).toMatchObject({ field: "status", after: "resolved" });

    const tag = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets/bulk",
      headers: agent.headers,
      payload: { ticketIds: ids.slice(0, 3), action: "tag", addTags: ["lote"] },
    });
    expect(tag.json()).toMatchObject({ succeeded: 3 });
    expect((await get(`/api/v1/tickets/${ids[1]}`, agent.headers)).json().tags).toEqual(["lote"]);
    const assign = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets/bulk",
      headers: agent.headers,
      payload: { ticketIds: [ids[0], ids[1]], action: "assign", assigneeId: agent2.user.id },
    });
    expect(assign.json().succeeded).toBe(2);
    const merge = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets/bulk",
      headers: agent.headers,
      payload: { ticketIds: [ids[1], ids[2]], action: "merge", intoTicketId: ids[0] },
    });
    expect(merge.json().succeeded).toBe(2);
    expect((await get(`/api/v1/tickets/${ids[2]}`, agent.headers)).json().mergedIntoId).toBe(ids[0]);
    // The field the action needs; customers may not; another organization's ticket is a per-ticket 404.
    const missing = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets/bulk",
      headers: agent.headers,
      payload: { ticketIds: [ids[0]], action: "severity" },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].pointer).toBe("/severity");
    const byCustomer = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets/bulk",
      headers: otherCustomer.headers,
      payload: { ticketIds: [ids[0]], action: "status", status: "closed" },
    });
    expect(byCustomer.statusCode).toBe(403);
    expect((await get(`/api/v1/tickets/${ids[0]}`, agent.headers)).json().status).toBe("resolved");
  }, 600_000);

  it("shows the workload per agent and team by severity and SLA state, and today's compliance, to staff only", async () => {
    const res = await get("/api/v1/tickets/workload", manager);
    expect(res.statusCode, res.body).toBe(200);
    const w = res.json();
    const me = w.agents.find((a: { userId: string | null }) => a.userId === agent.user.id);
    expect(me.name).toBe(agent.user.name);
    expect(me.total).toBe(me.sla.breached + me.sla.breaching + me.sla.ok);
    expect(me.severity.critical).toBeGreaterThanOrEqual(1);
    expect(w.teams.length).toBeGreaterThan(0);
    expect(w.today).toHaveProperty("compliance");
    expect((await get("/api/v1/tickets/workload", customer.headers)).statusCode).toBe(403);
  });

  // Last: it moves the clock a month on, past every open ticket's deadline.
  it("lists in each queue what its count says: my team, breached, by tier and by organization", async () => {
    await t.services.directory.updateUser(
      harnessActor(t),
      agent.user.id,
      { teams: ["voz"] },
      {
        ip: "127.0.0.1",
        headers: {},
      },
    );
    const ours = await open(agent.headers, { organizationId: other, team: "voz", type: "performance" });
    await open(agent.headers, { organizationId: other, team: "dados", type: "performance" });
    const every = async (query: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(
          `/api/v1/tickets/queue?${query}&limit=50${cursor ? `&cursor=${cursor}` : ""}`,
          agent.headers,
        );
        expect(res.statusCode, res.body).toBe(200);
        ids.push(...res.json().items.map((i: { id: string }) => i.id));
        cursor = res.json().nextCursor;
      } while (cursor);
      return ids;
    };
    const counts = async () => (await get("/api/v1/tickets/queue/counts", agent.headers)).json();
    const team = await every("queue=team");
    expect(team).toContain(ours.id);
    for (const id of team) expect((await staffOf({ id })).team).toBe("voz");
    expect((await counts()).queues.team).toBe(team.length);
    expect((await counts()).queues.breached).toBe(0);
    // A month later every open ticket's clocks have run out.
    clock.advance(30 * 24 * 3600_000);
    await t.platform.jobs.drain();
    await t.platform.jobs.drain();
    const breached = await every("queue=breached");
    expect(breached).toContain(ours.id);
    for (const id of breached) expect((await staffOf({ id })).slaBreached).toBe(true);
    const after = await counts();
    expect(after.queues.breached).toBe(breached.length);
    for (const { tier, count } of after.tiers) expect(await every(`tier=${tier}`)).toHaveLength(count);
    expect(after.organizations.map((o: { organizationId: string }) => o.organizationId)).toEqual(
      expect.arrayContaining([acme, other]),
    );
    for (const { organizationId, count } of after.organizations)
      expect(await every(`organization=${organizationId}`)).toHaveLength(count);
  });
});
