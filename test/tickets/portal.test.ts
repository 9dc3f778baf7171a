import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import {
  createOrganization,
  engines,
  sessionFor,
  type TestContext,
  testApp,
  tokenFor,
  withoutRoutingRules,
} from "../harness.js";

type Headers = Record<string, string>;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Fields of the staff's ticket that the portal never shows. */
const STAFF_FIELDS = [
  "id",
  "tier",
  "team",
  "assigneeId",
  "assignee",
  "tags",
  "requesterId",
  "organizationId",
  "ticketId",
  "authorId",
  "visibility",
  "slaDueAt",
  "slaBreached",
  "mergedIntoId",
  "uploadedBy",
  "sha256",
  "bodyKey",
  "bodyParams",
];

function keysOf(value: unknown, path = "", out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) keysOf(v, `${path}[${i}]`, out);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      out.push(`${path}.${k}`);
      keysOf(v, `${path}.${k}`, out);
    }
  return out;
}

/**
 * The customer portal's API as a signed-in customer reads it: the customer SLA and the public conversation, and
 * nothing of the staff's side (internal notes, tier clocks, assignee, team, anybody's id); who sees which tickets.
 */
describe.each(engines)("customer portal API on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-10T12:00:00.000Z"); // Tuesday 09:00 in São Paulo
  let agent: { headers: Headers; user: { id: string } };
  let org: string;
  let customer: Headers;
  let customerId: string;
  let colleague: Headers;
  let admin: Headers;

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    // Every ticket starts at L1, so the suite's escalations to L2 are real moves, whatever triage would route it to.
    await withoutRoutingRules(t);
    agent = await tokenFor(t, "agent");
    org = (await createOrganization(t)).id;
    // Signed in through the login page, as the portal is used.
    const user = (await tokenFor(t, "customer", { organizationId: org })).user;
    customerId = user.id;
    customer = await sessionFor(t, user.email);
    colleague = (await tokenFor(t, "customer", { organizationId: org })).headers;
    admin = (await tokenFor(t, "customer-admin", { organizationId: org })).headers;
  });
  afterAll(() => t.close());

  const inject = (method: "GET" | "POST" | "PATCH", url: string, headers: Headers, payload?: object) =>
    t.app.inject({ method, url, headers, payload });
  const ok = async (method: "GET" | "POST" | "PATCH", url: string, headers: Headers, payload?: object) => {
    const res = await inject(method, url, headers, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  it("shows no staff-only field, clock, note or id in any portal answer", async () => {
    const guide = await ok("GET", "/api/v1/portal/guide", customer);
    expect(guide.severities.map((s: { id: string }) => s.id)).toEqual(["critical", "high", "medium", "low"]);
    expect(guide.severities[0]).toMatchObject({
      name: "Crítico",
      description: "Sistema indisponível ou função crítica afetada",
      response: { value: 30, unit: "minutes" },
      resolution: { value: 4, unit: "hours" },
    });

    const opened = await ok("POST", "/api/v1/portal/tickets", customer, {
      subject: "Tronco SIP caiu",
      description: "Sem chamadas de saída",
      type: "sip_trunk_integration",
      severity: "critical",
    });
    expect(opened).toMatchObject({ subject: "Tronco SIP caiu", status: "new", channel: "portal", requestedByMe: true });
    // The customer SLA: critical on 24x7, first response in 30 min and resolution in 4 h.
    expect(opened.sla).toEqual({
      firstResponse: { dueAt: "2026-11-10T12:30:00.000Z", status: "running", at: null },
      resolution: { dueAt: "2026-11-10T16:00:00.000Z", status: "running", at: null },
    });
    const staffView = (await ok("GET", `/api/v1/tickets?q=%23${opened.number}`, agent.headers)).items[0];
    const id = staffView.id as string;
    await ok("PATCH", `/api/v1/tickets/${id}`, agent.headers, { assigneeId: agent.user.id, team: "voip", tags: ["x"] });
    await ok("POST", `/api/v1/tickets/${id}/escalate`, agent.headers, { tier: "L2", reason: "interno: trunk" });
    await ok("POST", `/api/v1/tickets/${id}/messages`, agent.headers, {
      body: "NOTA INTERNA: cliente inadimplente",
      visibility: "internal",
    });
    const note = (await ok("GET", `/api/v1/tickets/${id}/timeline`, agent.headers)).messages.find(
      (m: { visibility: string; kind: string }) => m.kind === "note",
    );
    await ok("POST", `/api/v1/tickets/${id}/attachments`, agent.headers, {
      filename: "interno.txt",
      data: Buffer.from("segredo").toString("base64"),
      messageId: note.id,
    });
    clock.advance(10 * 60_000);
    await ok("POST", `/api/v1/tickets/${id}/messages`, agent.headers, {
      body: "Estamos verificando",
      visibility: "public",
    });
    await ok("POST", `/api/v1/portal/tickets/${opened.number}/attachments`, customer, {
      filename: "log.txt",
      data: Buffer.from("INVITE sip:...").toString("base64"),
    });
    await ok("POST", `/api/v1/portal/tickets/${opened.number}/messages`, customer, { body: "Obrigado" });

    const answers = [
      await ok("GET", "/api/v1/portal/tickets", customer),
      await ok("GET", `/api/v1/portal/tickets?q=tronco`, customer),
      await ok("GET", `/api/v1/portal/tickets/${opened.number}`, customer),
      await ok("POST", `/api/v1/portal/tickets/${opened.number}/status`, customer, { status: "resolved" }),
      await ok("POST", `/api/v1/portal/tickets/${opened.number}/status`, customer, { status: "open" }),
    ];
    const detail = answers[2];
    expect(
      detail.messages.map((m: { author: string; fromSupport: boolean; body: string }) => [m.fromSupport, m.body]),
    ).toEqual([
      [true, "Estamos verificando"],
      [false, "Obrigado"],
    ]);
    expect(detail.attachments.map((a: { filename: string }) => a.filename)).toEqual(["log.txt"]);
    expect(detail.ticket.sla.firstResponse).toEqual({
      dueAt: "2026-11-10T12:30:00.000Z",
      status: "met",
      at: "2026-11-10T12:10:00.000Z",
    });
    const allowedIds = new Set(detail.attachments.map((a: { id: string }) => a.id));
    for (const answer of answers) {
      const text = JSON.stringify(answer);
      const keys = keysOf(answer).map((k) => k.split(".").at(-1)!);
      for (const field of STAFF_FIELDS) {
        const found = keysOf(answer).filter((k) => k.endsWith(`.${field}`) && !/\.attachments\[\d+\]\.id$/.test(k));
        expect(found, `${field} in ${text.slice(0, 200)}`).toEqual([]);
      }
      expect(keys).not.toContain("tier_response");
      expect(text).not.toContain("tier_response");
      expect(text).not.toContain("NOTA INTERNA");
      expect(text).not.toContain("interno");
      expect(text).not.toContain('"L2"');
      expect((text.match(UUID) ?? []).filter((u) => !allowedIds.has(u))).toEqual([]);
    }
    // Downloads: its own file, never the internal one (404 as if it did not exist).
    const own = await inject(
      "GET",
      `/api/v1/portal/tickets/${opened.number}/attachments/${[...allowedIds][0]}`,
      customer,
    );
    expect(own.statusCode).toBe(200);
    expect(own.body).toBe("INVITE sip:...");
    const internal = (await ok("GET", `/api/v1/tickets/${id}/attachments`, agent.headers)).items.find(
      (a: { filename: string }) => a.filename === "interno.txt",
    );
    expect(
      (await inject("GET", `/api/v1/portal/tickets/${opened.number}/attachments/${internal.id}`, customer)).statusCode,
    ).toBe(404);
  });

  it("the customer's live event stream carries none of the staff's events or fields", async () => {
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    await t.platform.events.publish({
      type: "ticket.created",
      organizationId: org,
      subjectId: "done",
      payload: { ticketId: "00000000-0000-7000-8000-000000000001", number: 999_999 },
    });
    const ac = new AbortController();
    const res = await fetch(`${address}/api/v1/events?after=0`, { headers: customer, signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = "";
    const deadline = Date.now() + 5000;
    while (!text.includes('"subjectId":"done"') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ac.abort();
    expect(text).toContain("ticket.created");
    expect(text).toContain('"kind":"reply"');
    // Payloads carry what the portal shows: no visibility, acting agent or mentioned staff.
    for (const field of ['"visibility"', '"actorId"', '"mentions"']) expect(text, field).not.toContain(field);
    expect(text).toContain('"field":"status"');
    for (const staffOnly of [
      "ticket.sla.",
      "ticket.escalation",
      '"internal"',
      "assigneeId",
      '"tier"',
      "L2",
      "watcher",
      "interno",
    ])
      expect(text, staffOnly).not.toContain(staffOnly);
  });

  it("customers see theirs and those shared with them; customer-admins the organization's; others nothing", async () => {
    const mine = await ok("POST", "/api/v1/portal/tickets", customer, {
      subject: "Meu",
      description: "d",
      type: "usage_question",
      severity: "low",
    });
    const theirs = await ok("POST", "/api/v1/portal/tickets", colleague, {
      subject: "Do colega",
      description: "d",
      type: "usage_question",
      severity: "low",
    });
    const numbers = async (h: Headers) =>
      (await ok("GET", "/api/v1/portal/tickets?view=all", h)).items.map((x: { number: number }) => x.number);
    expect(await numbers(customer)).toContain(mine.number);
    expect(await numbers(customer)).not.toContain(theirs.number);
    expect((await inject("GET", `/api/v1/portal/tickets/${theirs.number}`, customer)).statusCode).toBe(404);
    expect(await numbers(admin)).toEqual(expect.arrayContaining([mine.number, theirs.number]));

    // Shared: the colleague's ticket is now watched by the customer.
    const theirId = (await ok("GET", `/api/v1/tickets?q=%23${theirs.number}`, agent.headers)).items[0].id;
    await ok("POST", `/api/v1/tickets/${theirId}/watchers`, agent.headers, { userId: customerId });
    expect(await numbers(customer)).toContain(theirs.number);
    expect((await ok("GET", `/api/v1/portal/tickets/${theirs.number}`, customer)).ticket.requestedByMe).toBe(false);

    // Another organization guessing the number: 404, and nothing in its list or search.
    const stranger = (await tokenFor(t, "customer-admin", { organizationId: (await createOrganization(t)).id }))
      .headers;
    expect((await inject("GET", `/api/v1/portal/tickets/${mine.number}`, stranger)).statusCode).toBe(404);
    expect(
      (await inject("POST", `/api/v1/portal/tickets/${mine.number}/messages`, stranger, { body: "x" })).statusCode,
    ).toBe(404);
    expect(await numbers(stranger)).toEqual([]);
    expect((await ok("GET", `/api/v1/portal/tickets?q=%23${mine.number}`, stranger)).items).toEqual([]);

    // The portal is the customers': staff are refused.
    expect((await inject("GET", "/api/v1/portal/tickets", agent.headers)).statusCode).toBe(403);
  });

  it("views and search: open and closed lists, by words or number", async () => {
    const a = await ok("POST", "/api/v1/portal/tickets", admin, {
      subject: "Ramal 204 mudo",
      description: "sem áudio",
      type: "extension_trunk_configuration",
      severity: "medium",
    });
    await ok("POST", `/api/v1/portal/tickets/${a.number}/status`, admin, { status: "closed" });
    const list = async (query: string) =>
      (await ok("GET", `/api/v1/portal/tickets?${query}`, admin)).items.map((x: { number: number }) => x.number);
    expect(await list("view=closed")).toContain(a.number);
    expect(await list("view=open")).not.toContain(a.number);
    expect(await list("q=ramal")).toEqual([a.number]);
    expect(await list(`q=${a.number}`)).toEqual([a.number]);
    const page = await ok("GET", "/api/v1/portal/tickets?limit=1", admin);
    expect(page.items).toHaveLength(1);
    const next = await ok("GET", `/api/v1/portal/tickets?limit=1&cursor=${page.nextCursor}`, admin);
    expect(next.items[0].number).toBeLessThan(page.items[0].number);
    expect((await inject("GET", "/api/v1/portal/tickets?cursor=abc", admin)).statusCode).toBe(400);
    expect(
      (await inject("POST", `/api/v1/portal/tickets/${a.number}/status`, admin, { status: "pending_vendor" }))
        .statusCode,
    ).toBe(400);
  });
});
