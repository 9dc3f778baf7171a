import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/modules/identity/actor.js";
import { WebhookRepository } from "../../src/modules/webhooks/repository.js";
import { MAX_ATTEMPTS, RETRY_DELAYS_MS } from "../../src/modules/webhooks/service.js";
import { ManualClock } from "../../src/platform/clock.js";
import { uuidv7 } from "../../src/platform/ids.js";
import { createServices } from "../../src/services.js";
import { planUpdated, ticketUpdated } from "../fixtures/events.js";
import { openNode, waitFor } from "../fixtures/nodes.js";
import {
  createOrganization,
  engines,
  harnessActor,
  scratchDatabase,
  type TestContext,
  testApp,
  tokenFor,
} from "../harness.js";
import { Receiver, verifies } from "./receiver.js";

type Headers = Record<string, string>;

describe.each(engines)("webhooks on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-03-02T12:00:00.000Z");
  const receiver = new Receiver();
  let admin: Headers;
  let org: string;
  let otherOrg: string;
  let repo: WebhookRepository;

  // Events flow live (the bus is started); jobs run only when a test drains them, at the clock's time.
  beforeAll(async () => {
    t = await testApp(engine, { clock, start: true, config: { jobsEnabled: false } });
    repo = new WebhookRepository(t.platform.db, t.platform.dialect);
    await receiver.start();
    admin = (await tokenFor(t, "admin")).headers;
    org = (await createOrganization(t)).id;
    otherOrg = (await createOrganization(t)).id;
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const create = async (body: Record<string, unknown>, headers = admin) => {
    const res = await t.app.inject({ method: "POST", url: "/api/v1/webhooks", headers, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; secret: string } & Record<string, unknown>;
  };
  const deliveriesOf = async (id: string, query = "") => {
    const res = await t.app.inject({ url: `/api/v1/webhooks/${id}/deliveries${query}`, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: Record<string, any>[]; nextCursor: string | null };
  };
  /** Waits until every event published so far has been fanned out. */
  const fannedOut = () => waitFor("the fan-out", async () => (await t.platform.fanOut.pending()).count === 0);

  it("is for admins and managers only, and shows the secret only at creation and rotation", async () => {
    const manager = (await tokenFor(t, "manager")).headers;
    const hook = await create({ name: "CRM", url: `${receiver.url}?a=1`, eventTypes: ["plan.updated"] }, manager);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(hook).toMatchObject({ enabled: true, organizationId: null, eventTypes: ["plan.updated"] });

    for (const role of ["agent", "noc", "auditor"] as const) {
      const h = (await tokenFor(t, role)).headers;
      expect((await t.app.inject({ url: "/api/v1/webhooks", headers: h })).statusCode).toBe(403);
    }
    const customer = (await tokenFor(t, "customer-admin", { organizationId: org })).headers;
    for (const [method, url] of [
      ["GET", "/api/v1/webhooks"],
      ["GET", `/api/v1/webhooks/${hook.id}`],
      ["POST", `/api/v1/webhooks/${hook.id}/rotate-secret`],
      ["DELETE", `/api/v1/webhooks/${hook.id}`],
    ] as const) {
      expect((await t.app.inject({ method, url, headers: customer })).statusCode).toBe(403);
    }
    expect((await t.app.inject({ url: "/api/v1/webhooks" })).statusCode).toBe(401);

    const got = await t.app.inject({ url: `/api/v1/webhooks/${hook.id}`, headers: admin });
    const listed = await t.app.inject({ url: "/api/v1/webhooks", headers: admin });
    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/webhooks/${hook.id}`,
      headers: admin,
      payload: { name: "CRM (prod)", organizationId: org },
    });
    expect(patched.json()).toMatchObject({ name: "CRM (prod)", organizationId: org });
    const rotated = await t.app.inject({
      method: "POST",
      url: `/api/v1/webhooks/${hook.id}/rotate-secret`,
      headers: admin,
    });
    expect(rotated.statusCode).toBe(200);
    const { secret } = rotated.json();
    expect(secret).not.toBe(hook.secret);
    const stored = await repo.find(hook.id);
    const audit = await t.platform.db
      .selectFrom("audit_log")
      .select("details")
      .where("target_id", "=", hook.id)
      .execute();
    expect(audit.length).toBe(3);
    for (const text of [got.body, listed.body, patched.body, stored!.secret, JSON.stringify(audit)]) {
      expect(text).not.toContain(hook.secret);
      expect(text).not.toContain(secret);
    }
    expect(t.platform.secrets.open(stored!.secret)).toBe(secret);

    const del = await t.app.inject({ method: "DELETE", url: `/api/v1/webhooks/${hook.id}`, headers: admin });
    expect(del.statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/webhooks/${hook.id}`, headers: admin })).statusCode).toBe(404);
  });

  it("refuses bad input with problem+json naming the fields", async () => {
    const post = (payload: unknown) =>
      t.app.inject({ method: "POST", url: "/api/v1/webhooks", headers: admin, payload: payload as object });
    const pointers = async (payload: unknown) => {
      const res = await post(payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      return res.json().errors.map((e: { pointer: string }) => e.pointer);
    };
    expect(await pointers({ name: "", url: receiver.url, eventTypes: ["Ticket", "ticket.*.x"], extra: 1 })).toEqual(
      expect.arrayContaining(["/name", "/eventTypes/0", "/eventTypes/1", "/extra"]),
    );
    expect(await pointers({ name: "x", url: receiver.url, eventTypes: [] })).toEqual(["/eventTypes"]);
    // Each entry must select a type of the event catalogue.
    expect(
      await pointers({ name: "x", url: receiver.url, eventTypes: ["ticket.created", "probe.*", "ticket.closed"] }),
    ).toEqual(["/eventTypes/1", "/eventTypes/2"]);
    for (const url of ["ftp://127.0.0.1/x", "not a url", "http://user:pw@127.0.0.1/x", "javascript:alert(1)"]) {
      expect(await pointers({ name: "x", url, eventTypes: ["*"] })).toEqual(["/url"]);
    }
    const unknownOrg = "01890000-0000-7000-8000-000000000000";
    expect(await pointers({ name: "x", url: receiver.url, eventTypes: ["*"], organizationId: unknownOrg })).toEqual([
      "/organizationId",
    ]);
    const missing = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/webhooks/${unknownOrg}`,
      headers: admin,
      payload: { enabled: false },
    });
    expect(missing.statusCode).toBe(404);
    expect((await t.app.inject({ url: "/api/v1/webhooks/nope", headers: admin })).statusCode).toBe(400);
    const hook = await create({ name: "x", url: receiver.url, eventTypes: ["webhook.test"] });
    const typo = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/webhooks/${hook.id}`,
      headers: admin,
      payload: { eventTypes: ["tickets.*"] },
    });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().errors).toEqual([
      { in: "body", pointer: "/eventTypes/0", message: "no event type starts with tickets." },
    ]);
    const empty = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/webhooks/${hook.id}`,
      headers: admin,
      payload: {},
    });
    expect(empty.statusCode).toBe(400);
    const badCursor = await t.app.inject({ url: `/api/v1/webhooks/${hook.id}/deliveries?cursor=%%%`, headers: admin });
    expect(badCursor.statusCode).toBe(400);
  });

  it("delivers a ticket event, signed, to a receiver that checks the signature", async () => {
    clock.advance(1000);
    const hook = await create({
      name: "Tickets",
      url: receiver.url,
      eventTypes: ["ticket.created"],
      organizationId: org,
    });
    receiver.received.length = 0;
    const customer = (await tokenFor(t, "customer", { organizationId: org })).headers;
    const ticket = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: customer,
      payload: { subject: "Sem áudio", description: "Chamadas mudas", type: "usage_question", severity: "high" },
    });
    expect(ticket.statusCode, ticket.body).toBe(201);
    const [pending] = await waitFor(
      "a delivery",
      async () => (await deliveriesOf(hook.id)).items.length > 0 && (await deliveriesOf(hook.id)).items,
    );
    expect(pending).toMatchObject({ status: "pending", eventType: "ticket.created", attempts: 0 });

    await t.platform.jobs.drain();
    expect(receiver.received).toHaveLength(1);
    const [got] = receiver.received;
    expect(got!.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Plantao-Webhooks/1",
      "x-plantao-event": "ticket.created",
      "x-plantao-delivery": pending!.id,
      "x-plantao-timestamp": String(clock.now().getTime() / 1000),
    });
    expect(verifies(hook.secret, got!)).toBe(true);
    expect(verifies("whsec_wrong", got!)).toBe(false);
    const body = JSON.parse(got!.body);
    expect(Object.keys(body).sort()).toEqual(["createdAt", "id", "organizationId", "payload", "subjectId", "type"]);
    expect(body).toMatchObject({
      id: pending!.eventId,
      type: "ticket.created",
      organizationId: org,
      subjectId: ticket.json().id,
    });
    const [done] = (await deliveriesOf(hook.id)).items;
    expect(done).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200, lastError: null });
    expect(done!.responseMs).toBeGreaterThanOrEqual(0);

    await t.app.inject({
      method: "PATCH",
      url: `/api/v1/webhooks/${hook.id}`,
      headers: admin,
      payload: { enabled: false },
    });
  });

  it("retries a failing receiver with backoff and logs every attempt", async () => {
    clock.advance(1000);
    const hook = await create({ name: "Flaky", url: receiver.url, eventTypes: ["webhook.test"], enabled: false });
    receiver.received.length = 0;
    receiver.script = [500, 502];
    const test = await t.app.inject({ method: "POST", url: `/api/v1/webhooks/${hook.id}/test`, headers: admin });
    expect(test.statusCode, test.body).toBe(202);
    const delivery = test.json();
    expect(delivery).toMatchObject({ status: "pending", eventType: "webhook.test" });

    const state = async () => (await deliveriesOf(hook.id)).items.find((d) => d.id === delivery.id)!;
    await t.platform.jobs.drain();
    expect(await state()).toMatchObject({
      status: "failed",
      attempts: 1,
      lastStatusCode: 500,
      lastError: "HTTP 500: nope 500",
      nextAttemptAt: new Date(clock.now().getTime() + RETRY_DELAYS_MS[0]!).toISOString(),
    });
    await t.platform.jobs.drain(); // not due yet
    expect(receiver.received).toHaveLength(1);

    clock.advance(RETRY_DELAYS_MS[0]!);
    await t.platform.jobs.drain();
    expect(await state()).toMatchObject({ status: "failed", attempts: 2, lastStatusCode: 502 });
    clock.advance(RETRY_DELAYS_MS[1]!);
    await t.platform.jobs.drain();
    expect(await state()).toMatchObject({
      status: "succeeded",
      attempts: 3,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(receiver.received.map((r) => r.headers["x-plantao-delivery"])).toEqual(Array(3).fill(delivery.id));
    expect(receiver.received.every((r) => verifies(hook.secret, r))).toBe(true);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: "webhook.test", subjectId: hook.id });
  });

  it("leaves a delivery dead after the last attempt, and a retry sends it again", async () => {
    clock.advance(1000);
    // A receiver that has gone away: every attempt is a network error.
    const gone = await new Receiver().start();
    await gone.stop();
    const hook = await create({ name: "Down", url: gone.url, eventTypes: ["webhook.test"] });
    const delivery = (
      await t.app.inject({ method: "POST", url: `/api/v1/webhooks/${hook.id}/test`, headers: admin })
    ).json();
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await t.platform.jobs.drain();
      const [d] = (await deliveriesOf(hook.id)).items;
      expect(d).toMatchObject({
        attempts: attempt,
        lastStatusCode: null,
        status: attempt < MAX_ATTEMPTS ? "failed" : "dead",
      });
      expect(d!.lastError).toMatch(/ECONNREFUSED/);
      if (attempt < MAX_ATTEMPTS) clock.advance(RETRY_DELAYS_MS[attempt - 1]!);
    }
    expect((await deliveriesOf(hook.id, "?status=dead")).items.map((d) => d.id)).toEqual([delivery.id]);
    expect((await deliveriesOf(hook.id, "?status=failed")).items).toEqual([]);

    await t.app.inject({
      method: "PATCH",
      url: `/api/v1/webhooks/${hook.id}`,
      headers: admin,
      payload: { url: receiver.url },
    });
    const retry = () =>
      t.app.inject({
        method: "POST",
        url: `/api/v1/webhooks/${hook.id}/deliveries/${delivery.id}/retry`,
        headers: admin,
      });
    const again = await retry();
    expect(again.statusCode, again.body).toBe(202);
    expect(again.json()).toMatchObject({ status: "pending", attempts: MAX_ATTEMPTS });
    expect((await retry()).statusCode).toBe(409);
    await t.platform.jobs.drain();
    expect((await deliveriesOf(hook.id)).items[0]).toMatchObject({ status: "succeeded", attempts: MAX_ATTEMPTS + 1 });
    const elsewhere = await t.app.inject({
      method: "POST",
      url: `/api/v1/webhooks/${hook.id}/deliveries/01890000-0000-7000-8000-000000000000/retry`,
      headers: admin,
    });
    expect(elsewhere.statusCode).toBe(404);
  });

  it("sends each webhook only the event types and organization it asked for", async () => {
    clock.advance(1000);
    const byPrefix = await create({ name: "A", url: receiver.url, eventTypes: ["ticket.*"], organizationId: org });
    const exact = await create({ name: "B", url: receiver.url, eventTypes: ["ticket.created", "plan.updated"] });
    const all = await create({ name: "C", url: receiver.url, eventTypes: ["*"], organizationId: otherOrg });
    const off = await create({ name: "D", url: receiver.url, eventTypes: ["*"], enabled: false });
    const created = (organizationId: string) => {
      const { payload, ...rest } = ticketUpdated(organizationId);
      return { ...rest, type: "ticket.created" as const, payload: { ticketId: payload.ticketId, number: 1 } };
    };
    const monitorId = uuidv7();
    for (const e of [
      created(org),
      ticketUpdated(org),
      created(otherOrg),
      {
        type: "monitor.created" as const,
        organizationId: org,
        subjectId: monitorId,
        payload: { monitorId, name: "SIP", type: "sip" },
      },
      planUpdated(9),
    ]) {
      await t.platform.events.publish(e);
    }
    await fannedOut();
    const seen = async (id: string) => (await deliveriesOf(id)).items.map((d) => d.eventType).sort();
    expect(await seen(byPrefix.id)).toEqual(["ticket.created", "ticket.updated"]);
    expect(await seen(exact.id)).toEqual(["plan.updated", "ticket.created", "ticket.created"]);
    expect(await seen(all.id)).toEqual(["ticket.created"]);
    expect(await seen(off.id)).toEqual([]);

    // Keyset pages of the log, newest first.
    const first = await deliveriesOf(exact.id, "?limit=2");
    expect(first.items).toHaveLength(2);
    const rest = await deliveriesOf(exact.id, `?limit=2&cursor=${first.nextCursor}`);
    expect(rest).toMatchObject({ nextCursor: null });
    expect([...first.items, ...rest.items].map((d) => d.eventId)).toEqual(
      [...first.items, ...rest.items].map((d) => d.eventId).sort((a, b) => b - a),
    );
  });

  it("never carries a security incident or a page about one, whoever made the webhook", async () => {
    clock.advance(1000);
    // Only the security role and admins see security incidents, in the app: a webhook has no reader to check.
    const manager = (await tokenFor(t, "manager")).headers;
    for (const headers of [admin, manager]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/webhooks",
        headers,
        payload: { name: "SIEM", url: receiver.url, eventTypes: ["incident.*", "security_incident.*"] },
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/eventTypes/1"]);
    }
    const all = await create({ name: "Everything", url: receiver.url, eventTypes: ["*"] }, manager);
    const pages = await create({ name: "Pages", url: receiver.url, eventTypes: ["page.*", "incident.*"] });
    const incident = {
      incidentId: uuidv7(),
      title: "Intrusion on pbx-3",
      severity: "critical",
      stage: "identification",
    };
    const page = (subjectType: string) => ({
      type: "page.triggered" as const,
      organizationId: null,
      subjectId: uuidv7(),
      payload: { pageId: uuidv7(), subjectType, subjectId: uuidv7(), policyId: null, severity: "critical" },
    });
    for (const e of [
      {
        type: "security_incident.created" as const,
        organizationId: null,
        subjectId: incident.incidentId,
        payload: { ...incident, source: "manual" },
      },
      page("security_incident"),
      {
        type: "incident.created" as const,
        organizationId: null,
        subjectId: uuidv7(),
        payload: { ...incident, title: "Trunk down", incidentId: uuidv7(), source: "alert" },
      },
      page("incident"),
    ]) {
      await t.platform.events.publish(e);
    }
    await fannedOut();
    const seen = async (id: string) => (await deliveriesOf(id)).items.map((d) => d.eventType).sort();
    expect(await seen(all.id)).toEqual(["incident.created", "page.triggered"]);
    expect(await seen(pages.id)).toEqual(["incident.created", "page.triggered"]);
    for (const hook of [all, pages])
      await t.app.inject({
        method: "PATCH",
        url: `/api/v1/webhooks/${hook.id}`,
        headers: admin,
        payload: { enabled: false },
      });
  });

  it("gives a webhook scoped to an organization only what that organization's users may see", async () => {
    clock.advance(1000);
    const scoped = await create({ name: "Feed", url: receiver.url, eventTypes: ["*"], organizationId: org });
    const staff = await create({ name: "Staff", url: receiver.url, eventTypes: ["ticket.*"] });
    const agentId = uuidv7();
    const ticketId = uuidv7();
    const base = { organizationId: org, subjectId: ticketId };
    const change = (field: string) => ({ field, before: null, after: field === "assignee" ? agentId : "high" });
    for (const e of [
      { ...base, type: "ticket.created" as const, payload: { ticketId, number: 7, actorId: agentId } },
      { ...base, type: "ticket.updated" as const, payload: { ticketId, number: 7, changes: [change("severity")] } },
      { ...base, type: "ticket.updated" as const, payload: { ticketId, number: 7, changes: [change("assignee")] } },
      {
        ...base,
        type: "ticket.message.created" as const,
        payload: { ticketId, number: 7, messageId: uuidv7(), visibility: "public", kind: "reply", mentions: [agentId] },
      },
      {
        ...base,
        type: "ticket.message.created" as const,
        payload: { ticketId, number: 7, messageId: uuidv7(), visibility: "internal", kind: "note" },
      },
      { ...base, type: "ticket.watcher.added" as const, payload: { ticketId, number: 7, userId: agentId } },
    ]) {
      await t.platform.events.publish(e);
    }
    await fannedOut();
    const seen = async (id: string) => (await deliveriesOf(id)).items.map((d) => d.eventType).sort();
    expect(await seen(staff.id)).toHaveLength(6);
    expect(await seen(scoped.id)).toEqual(["ticket.created", "ticket.message.created", "ticket.updated"]);
    receiver.received.length = 0;
    await t.platform.jobs.drain();
    const bodies = (secret: string) =>
      receiver.received
        .filter((r) => verifies(secret, r))
        .map((r) => JSON.parse(r.body) as { type: string; payload: Record<string, unknown> });
    // The staff webhook gets the acting agent, the assignee and the mention; the organization's feed none of it.
    expect(bodies(staff.secret).filter((b) => JSON.stringify(b.payload).includes(agentId))).toHaveLength(4);
    const toScoped = bodies(scoped.secret);
    expect(toScoped.map((b) => b.type).sort()).toEqual(["ticket.created", "ticket.message.created", "ticket.updated"]);
    for (const b of toScoped) {
      expect(JSON.stringify(b.payload)).not.toContain(agentId);
      expect(b.payload).not.toHaveProperty("visibility");
    }
    for (const hook of [scoped, staff])
      await t.app.inject({
        method: "PATCH",
        url: `/api/v1/webhooks/${hook.id}`,
        headers: admin,
        payload: { enabled: false },
      });
  });

  it("documents the routes under the webhooks tag", async () => {
    const spec = (await t.app.inject({ url: "/api/openapi.json" })).json();
    const ops = Object.entries(spec.paths as Record<string, Record<string, { tags: string[] }>>).filter(([p]) =>
      p.startsWith("/api/v1/webhooks"),
    );
    expect(ops.map(([p]) => p).sort()).toEqual([
      "/api/v1/webhooks",
      "/api/v1/webhooks/{id}",
      "/api/v1/webhooks/{id}/deliveries",
      "/api/v1/webhooks/{id}/deliveries/{deliveryId}/retry",
      "/api/v1/webhooks/{id}/rotate-secret",
      "/api/v1/webhooks/{id}/test",
    ]);
    for (const [, methods] of ops) for (const op of Object.values(methods)) expect(op.tags).toEqual(["webhooks"]);
  });
});

describe.each(engines)("webhook catch-up on %s", (engine) => {
  let t: TestContext;
  const receiver = new Receiver();

  beforeAll(async () => {
    t = await testApp(engine);
    await receiver.start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  it("fans out the events committed while no node ran, once", async () => {
    const hook = await t.services.webhooks.create(
      harnessActor(t),
      { name: "Late", url: receiver.url, eventTypes: ["plan.*"] },
      { ip: "127.0.0.1", headers: {} },
    );
    const before = await t.platform.events.publish(planUpdated(1));
    await t.platform.events.publish(planUpdated(2));
    expect(await t.platform.fanOut.drain()).toBe(2);
    expect(await t.platform.fanOut.drain()).toBe(0);
    const items = await t.services.webhooks.deliveries(hook.id, { limit: 10 });
    expect(items.map((d) => d.eventId).sort()).toEqual([before, before + 1]);
    await t.platform.jobs.drain();
    expect(receiver.received.map((r) => JSON.parse(r.body).payload.version).sort()).toEqual([1, 2]);
  });
});

describe.each(engines)("webhooks on two nodes sharing a %s database", (engine) => {
  it("delivers each event exactly once although both nodes hear it", async () => {
    const scratch = await scratchDatabase(engine);
    const receiver = await new Receiver().start();
    const a = await openNode(scratch.url, "node-a", { config: { jobPollMs: 50 } });
    const b = await openNode(scratch.url, "node-b", { config: { jobPollMs: 50 } });
    try {
      const nodes = [
        { platform: a, services: createServices(a) },
        { platform: b, services: createServices(b) },
      ];
      for (const n of nodes) await n.platform.start();
      const actor: Actor = {
        userId: "00000000-0000-7000-8000-000000000000",
        email: "ops@example.com",
        name: "ops",
        role: "admin",
        organizationId: "00000000-0000-7000-8000-000000000001",
        tier: null,
        teams: [],
        via: "session",
      };
      await nodes[0]!.services.webhooks.create(
        actor,
        { name: "Both", url: receiver.url, eventTypes: ["plan.updated"] },
        { ip: "127.0.0.1", headers: {} },
      );
      for (let i = 0; i < 6; i++) await nodes[i % 2]!.platform.events.publish(planUpdated(i));
      await waitFor("six deliveries", () => receiver.received.length >= 6);
      // Both nodes race to claim every event; give the slower one time to try before counting.
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received).toHaveLength(6);
      expect(receiver.received.map((r) => JSON.parse(r.body).payload.version).sort()).toEqual([0, 1, 2, 3, 4, 5]);
      const rows = await a.db.selectFrom("webhook_deliveries").select(["status", "attempts"]).execute();
      expect(rows).toEqual(Array(6).fill({ status: "succeeded", attempts: 1 }));
      const jobs = await a.db.selectFrom("jobs").select("id").where("kind", "=", "webhook.deliver").execute();
      expect(jobs).toHaveLength(6);
    } finally {
      await a.close();
      await b.close();
      await receiver.stop();
      await scratch.drop();
    }
  });
});
