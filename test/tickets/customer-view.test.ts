import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventAsReadBy } from "../../src/modules/identity/event-visibility.js";
import { ManualClock } from "../../src/platform/clock.js";
import { openSse } from "../fixtures/sse.js";
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
type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** Field names only the provider's staff read: the tier and its clocks, who works the ticket, notes, staff ids. */
const STAFF_FIELDS = new Set([
  "tier",
  "tierClock",
  "tiers",
  "assignee",
  "assigneeId",
  "assigneeName",
  "team",
  "teams",
  "tags",
  "visibility",
  "authorId",
  "authorKind",
  "actorId",
  "actorName",
  "requesterId",
  "organizationId",
  "userId",
  "uploadedBy",
  "sha256",
  "slaDueAt",
  "slaBreached",
  "mergedIntoId",
  "bodyKey",
  "bodyParams",
  "clocks",
  "history",
  "mentions",
  "ownerId",
]);

/** Routes a customer's token or session may reach that concern tickets: walked one by one below. */
const TICKET_ROUTES = /^\/api\/v1\/(tickets|ticket-views|ticket-routing-rules|canned-responses|portal)(\/|$)/;

function keysOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) keysOf(v, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      keysOf(v, out);
    }
  return out;
}

/**
 * A customer (and a customer-admin) walking every ticket route of the OpenAPI document: each answer is the
 * portal's shape or a refusal pointing to the portal, never a staff-only field, an internal note, a tier clock,
 * a staff member's id or another organization's ticket; and the live event stream says no more.
 */
describe.each(engines)("customer view of the staff ticket routes on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-10T12:00:00.000Z");
  let agent: { headers: Headers; user: { id: string } };
  let otherAgent: { user: { id: string } };
  let org: string;
  let customer: { headers: Headers; user: { id: string } };
  let admin: { headers: Headers; user: { id: string } };
  let ticket: { id: string; number: number };
  let related: { id: string; number: number };
  let foreign: { id: string; number: number };
  let internalAttachment: string;
  let publicAttachment: string;
  let linkId: string;
  let staffView: { id: string };
  let doc: { paths: Record<string, Record<string, unknown>> };

  const inject = (method: Method, url: string, headers: Headers, payload?: object) =>
    t.app.inject({ method, url, headers, payload });
  const ok = async (method: Method, url: string, headers: Headers, payload?: object) => {
    const res = await inject(method, url, headers, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? null : res.json();
  };

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    await withoutRoutingRules(t);
    agent = await tokenFor(t, "agent");
    otherAgent = await tokenFor(t, "agent");
    org = (await createOrganization(t)).id;
    const customerToken = await tokenFor(t, "customer", { organizationId: org });
    // The customer signs in as the portal does; the customer-admin uses a token, as a customer tool would.
    customer = { user: customerToken.user, headers: await sessionFor(t, customerToken.user.email) };
    admin = await tokenFor(t, "customer-admin", { organizationId: org });
    const foreignOrg = (await createOrganization(t)).id;

    const open = (organizationId: string, subject: string, requesterId?: string) =>
      ok("POST", "/api/v1/tickets", agent.headers, {
        organizationId,
        subject,
        description: "descrição",
        type: "sip_trunk_integration",
        severity: "high",
        tier: "L2",
        assigneeId: agent.user.id,
        team: "voip",
        tags: ["vip-interno"],
        ...(requesterId ? { requesterId } : {}),
      });
    ticket = await open(org, "Tronco SIP caiu", customer.user.id);
    related = await open(org, "Outro chamado", customer.user.id);
    foreign = await open(foreignOrg, "SEGREDO DE OUTRA EMPRESA");
    await ok("POST", `/api/v1/tickets/${ticket.id}/escalate`, agent.headers, { tier: "L3", reason: "interno" });
    const note = await ok("POST", `/api/v1/tickets/${ticket.id}/messages`, agent.headers, {
      body: "NOTA INTERNA: cliente inadimplente",
      visibility: "internal",
      mentions: [otherAgent.user.id],
    });
    internalAttachment = (
      await ok("POST", `/api/v1/tickets/${ticket.id}/attachments`, agent.headers, {
        filename: "interno.txt",
        data: Buffer.from("segredo").toString("base64"),
        messageId: note.id,
      })
    ).id;
    clock.advance(5 * 60_000);
    await ok("POST", `/api/v1/tickets/${ticket.id}/messages`, agent.headers, {
      body: "Estamos verificando @colega",
      visibility: "public",
      mentions: [otherAgent.user.id],
    });
    publicAttachment = (
      await ok("POST", `/api/v1/tickets/${ticket.id}/attachments`, customer.headers, {
        filename: "log.txt",
        data: Buffer.from("INVITE sip:...").toString("base64"),
      })
    ).id;
    linkId = (
      await ok("POST", `/api/v1/tickets/${ticket.id}/links`, agent.headers, { ticketId: related.id, kind: "related" })
    ).items[0].id;
    await ok("POST", `/api/v1/tickets/${ticket.id}/watchers`, agent.headers, { userId: otherAgent.user.id });
    await ok("PATCH", `/api/v1/tickets/${ticket.id}`, agent.headers, { status: "pending_customer" });
    staffView = await ok("POST", "/api/v1/ticket-views", agent.headers, {
      name: "Visão da equipe",
      shared: true,
      filters: { queue: "team" },
      sort: "urgency",
    });
    doc = (await t.app.inject("/api/openapi.json")).json();
  }, 240_000);
  afterAll(() => t.close());

  /** What no customer answer may contain: staff ids, internal words, the other organization's ticket. */
  const secrets = () => [
    agent.user.id,
    otherAgent.user.id,
    foreign.id,
    "SEGREDO DE OUTRA EMPRESA",
    "NOTA INTERNA",
    "interno",
    "vip-interno",
    '"L2"',
    '"L3"',
    "tier_response",
    internalAttachment,
  ];

  const fill = (path: string) =>
    path
      .replace(
        "{id}",
        path.startsWith("/api/v1/tickets/")
          ? ticket.id
          : path.startsWith("/api/v1/ticket-views/")
            ? staffView.id
            : "00000000-0000-7000-8000-000000000009",
      )
      .replace("{number}", String(ticket.number))
      .replace("{attachmentId}", publicAttachment)
      .replace("{linkId}", linkId)
      .replace("{userId}", customerUserId());
  let customerUserId = () => customer.user.id;

  /** A valid body for each writing route, so the walk reads real answers, not validation errors. */
  const bodies: Record<string, () => object> = {
    "POST /api/v1/tickets": () => ({
      subject: "Aberto pela API",
      description: "d",
      type: "usage_question",
      severity: "low",
    }),
    "PATCH /api/v1/tickets/{id}": () => ({ status: "open" }),
    "POST /api/v1/tickets/{id}/messages": () => ({ body: "Resposta do cliente", visibility: "public" }),
    "POST /api/v1/tickets/{id}/links": () => ({ ticketId: related.id, kind: "related" }),
    "POST /api/v1/tickets/{id}/watchers": () => ({}),
    "POST /api/v1/tickets/{id}/merge": () => ({ intoTicketId: related.id }),
    "POST /api/v1/tickets/{id}/attachments": () => ({
      filename: "mais.txt",
      data: Buffer.from("mais").toString("base64"),
    }),
    "POST /api/v1/tickets/{id}/escalate": () => ({ tier: "L1", reason: "x" }),
    "POST /api/v1/tickets/bulk": () => ({ ticketIds: [ticket.id], action: "status", status: "open" }),
    "POST /api/v1/ticket-views": () => ({ name: "Minha", shared: false, filters: {}, sort: "urgency" }),
    "PATCH /api/v1/ticket-views/{id}": () => ({ name: "Outra" }),
    "PUT /api/v1/ticket-routing-rules": () => ({ items: [] }),
    "POST /api/v1/canned-responses": () => ({ title: "x", body: "y" }),
    "PATCH /api/v1/canned-responses/{id}": () => ({ title: "x" }),
    "POST /api/v1/canned-responses/{id}/render": () => ({ ticketId: ticket.id }),
    "PUT /api/v1/tickets/{id}/presence": () => ({ activity: "viewing" }),
    "POST /api/v1/tickets/{id}/presence": () => ({ activity: "viewing" }),
    "POST /api/v1/portal/tickets": () => ({
      subject: "Pelo portal",
      description: "d",
      type: "usage_question",
      severity: "low",
    }),
    "POST /api/v1/portal/tickets/{number}/messages": () => ({ body: "Obrigado" }),
    "POST /api/v1/portal/tickets/{number}/status": () => ({ status: "open" }),
    "POST /api/v1/portal/tickets/{number}/attachments": () => ({
      filename: "p.txt",
      data: Buffer.from("p").toString("base64"),
    }),
    "POST /api/v1/portal/tickets/{number}/rating": () => ({ rating: 5 }),
  };

  /** Staff-only operations: refused to customers with a pointer to the portal. */
  const refused = [
    /^GET \/api\/v1\/tickets\/\{id\}\/(sla|links|watchers)$/,
    /^(POST|DELETE) \/api\/v1\/tickets\/\{id\}\/(links|watchers)/,
    /^POST \/api\/v1\/tickets\/\{id\}\/(merge|escalate)$/,
    /^(GET|POST) \/api\/v1\/tickets\/(queue|queue\/counts|workload|bulk)$/,
    /^POST \/api\/v1\/ticket-views$/,
  ];

  async function walk(who: { headers: Headers; user: { id: string } }, role: string) {
    customerUserId = () => who.user.id;
    const routes = Object.entries(doc.paths)
      .filter(([path]) => TICKET_ROUTES.test(path))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase() as Method, path })));
    // Reads first, then writes, deletions last: every route answers about a ticket that still exists.
    const order = (m: Method) => ({ GET: 0, POST: 1, PUT: 1, PATCH: 1, DELETE: 2 })[m];
    routes.sort((a, b) => order(a.method) - order(b.method));
    expect(routes.length).toBeGreaterThan(40);
    const seen: string[] = [];
    for (const { method, path } of routes) {
      const key = `${method} ${path}`;
      const res = await inject(method, fill(path), who.headers, bodies[key]?.());
      seen.push(`${key} ${res.statusCode}`);
      expect(res.statusCode, `${role} ${key}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
      if (refused.some((r) => r.test(key))) {
        expect(res.statusCode, `${role} ${key} is staff only`).toBe(403);
        expect(res.json().detail, key).toContain("/api/v1/portal");
      }
      if (res.statusCode === 403 || res.statusCode === 404 || res.statusCode === 204) continue;
      const text = res.body;
      for (const secret of secrets()) expect(text, `${role} ${key} leaks ${secret}`).not.toContain(secret);
      if (!res.headers["content-type"]?.toString().includes("json")) continue;
      const staffFields = keysOf(res.json()).filter((k) => STAFF_FIELDS.has(k));
      expect(staffFields, `${role} ${key}: ${text.slice(0, 300)}`).toEqual([]);
    }
    return seen;
  }

  it("a customer reads the customer shape on list, ticket, messages and files, and is refused the rest", async () => {
    const seen = await walk(customer, "customer");
    // What a customer tool uses works, in the portal's shape.
    expect(seen).toEqual(
      expect.arrayContaining([
        "GET /api/v1/tickets 200",
        "GET /api/v1/tickets/{id} 200",
        "GET /api/v1/tickets/{id}/timeline 200",
        "GET /api/v1/tickets/{id}/attachments 200",
        "GET /api/v1/tickets/{id}/attachments/{attachmentId} 200",
        "POST /api/v1/tickets 201",
        "POST /api/v1/tickets/{id}/messages 201",
        "PATCH /api/v1/tickets/{id} 200",
        "GET /api/v1/tickets/{id}/sla 403",
        "GET /api/v1/tickets/queue 403",
      ]),
    );
    const one = await ok("GET", `/api/v1/tickets/${ticket.id}`, customer.headers);
    expect(one).toMatchObject({
      id: ticket.id,
      number: ticket.number,
      subject: "Tronco SIP caiu",
      requestedByMe: true,
    });
    expect(one.sla.firstResponse).toMatchObject({ status: "met" });
    const timeline = await ok("GET", `/api/v1/tickets/${ticket.id}/timeline`, customer.headers);
    const said = timeline.messages.map((m: { body: string; fromSupport: boolean }) => [m.fromSupport, m.body]);
    expect(said[0]).toEqual([true, "Estamos verificando @colega"]);
    expect(said).toContainEqual([false, "Resposta do cliente"]);
    const files = await ok("GET", `/api/v1/tickets/${ticket.id}/attachments`, customer.headers);
    expect(files.items.map((a: { filename: string }) => a.filename).sort()).toEqual(["log.txt", "mais.txt", "p.txt"]);
    // The internal note's file does not exist for the customer.
    expect(
      (await inject("GET", `/api/v1/tickets/${ticket.id}/attachments/${internalAttachment}`, customer.headers))
        .statusCode,
    ).toBe(404);
    // Another organization's ticket does not exist either.
    for (const url of [`/api/v1/tickets/${foreign.id}`, `/api/v1/tickets/${foreign.id}/timeline`])
      expect((await inject("GET", url, customer.headers)).statusCode).toBe(404);
    // Filters that would reveal the tier, team, assignee or internal SLA state are refused.
    for (const q of [
      "tier=L3",
      "team=voip",
      `assignee=${agent.user.id}`,
      "breached=true",
      "dueBefore=2030-01-01T00:00:00Z",
    ])
      expect((await inject("GET", `/api/v1/tickets?${q}`, customer.headers)).statusCode, q).toBe(403);
  });

  it("a customer-admin walks the same routes with the same result, over its organization's tickets", async () => {
    await walk(admin, "customer-admin");
    const list = await ok("GET", "/api/v1/tickets?limit=200", admin.headers);
    const numbers = list.items.map((x: { number: number }) => x.number);
    expect(numbers).toEqual(expect.arrayContaining([ticket.number, related.number]));
    expect(numbers).not.toContain(foreign.number);
    // Keyset pages by id, newest first, as the staff list does.
    const first = await ok("GET", "/api/v1/tickets?limit=1", admin.headers);
    const second = await ok("GET", `/api/v1/tickets?limit=1&cursor=${first.nextCursor}`, admin.headers);
    expect(second.items[0].id < first.items[0].id).toBe(true);
  });

  /**
   * Fields of the staff's organisation of work, wherever they would appear (a user, a ticket, a message); outside
   * tickets a customer's own ids, a status page's uptime history and an article's tags are theirs to read.
   */
  const STAFF_ONLY = new Set(
    [...STAFF_FIELDS].filter((k) => !["organizationId", "userId", "ownerId", "history", "tags"].includes(k)),
  );

  it("every other API read a customer or customer-admin may make carries no staff field or staff id either", async () => {
    const reads = Object.entries(doc.paths)
      .filter(([path, ops]) => path.startsWith("/api/v1/") && !TICKET_ROUTES.test(path) && "get" in ops)
      .map(([path]) => path)
      // The live stream is walked below, as a stream.
      .filter((path) => path !== "/api/v1/events");
    expect(reads.length).toBeGreaterThan(100);
    for (const who of [customer, admin]) {
      const answered: string[] = [];
      for (const path of reads) {
        const url = path
          .replace("{id}", path.startsWith("/api/v1/organizations/") ? org : who.user.id)
          .replace("{userId}", who.user.id);
        if (url.includes("{")) continue;
        const res = await inject("GET", url, who.headers);
        expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
        if (res.statusCode !== 200) continue;
        answered.push(path);
        for (const secret of secrets()) expect(res.body, `${url} leaks ${secret}`).not.toContain(secret);
        if (!res.headers["content-type"]?.toString().includes("json")) continue;
        const staffFields = keysOf(res.json()).filter((k) => STAFF_ONLY.has(k));
        expect(staffFields, `${url}: ${res.body.slice(0, 300)}`).toEqual([]);
      }
      // The reads a customer's own screens make were among them: its profile, its organization, its notifications.
      expect(answered).toEqual(
        expect.arrayContaining(["/api/v1/me", "/api/v1/organizations/{id}", "/api/v1/me/notifications"]),
      );
    }
    // The customer-admin manages its organization's users, without their staff fields; staff accounts do not exist.
    const users = await ok("GET", "/api/v1/users?limit=200", admin.headers);
    expect(users.items.map((u: { id: string }) => u.id)).toContain(customer.user.id);
    expect((await inject("GET", `/api/v1/users/${agent.user.id}`, admin.headers)).statusCode).toBe(404);
    // Staff users keep their tier and teams.
    const staffMe = await ok("GET", "/api/v1/me", agent.headers);
    expect(staffMe.user).toHaveProperty("tier");
    expect(staffMe.user).toHaveProperty("teams");
  });

  it("a plain customer lists only its own tickets and those shared with it", async () => {
    const colleague = await tokenFor(t, "customer", { organizationId: org });
    const theirs = await ok("POST", "/api/v1/tickets", colleague.headers, {
      subject: "Do colega",
      description: "d",
      type: "usage_question",
      severity: "low",
    });
    const mine = async () =>
      (await ok("GET", "/api/v1/tickets?limit=200", customer.headers)).items.map((x: { id: string }) => x.id);
    expect(await mine()).not.toContain(theirs.id);
    expect((await inject("GET", `/api/v1/tickets/${theirs.id}`, customer.headers)).statusCode).toBe(404);
    await ok("POST", `/api/v1/tickets/${theirs.id}/watchers`, agent.headers, { userId: customer.user.id });
    expect(await mine()).toContain(theirs.id);
  });

  it("the events a customer receives carry no staff field or staff id", async () => {
    // A marker at the end: once the replay from the first event reaches it, everything before it came too.
    await ok("PATCH", `/api/v1/tickets/${ticket.id}`, agent.headers, { status: "resolved" });
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const stream = await openSse(`${address}/api/v1/events?after=0`, admin.headers);
    expect(stream.status).toBe(200);
    const deadline = Date.now() + 10_000;
    const resolved = () => stream.frames.some((f) => JSON.stringify(f.data).includes('"after":"resolved"'));
    while (!resolved() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    stream.close();
    expect(resolved()).toBe(true);
    const types = new Set(stream.frames.map((f) => f.event));
    expect(types).toContain("ticket.message.created");
    for (const type of types)
      expect(["ticket.created", "ticket.updated", "ticket.message.created", "ticket.csat.rated"]).toContain(type);
    for (const frame of stream.frames) {
      const text = JSON.stringify(frame.data);
      for (const secret of secrets()) expect(text, `${frame.event} leaks ${secret}`).not.toContain(secret);
      const payload = (frame.data as { payload: object }).payload;
      expect(
        keysOf(payload).filter((k) => STAFF_FIELDS.has(k)),
        text,
      ).toEqual([]);
    }

    // Every event stored, as a customer would read it: the same holds.
    const all = await t.platform.events.since(0, 5000);
    const reader = {
      userId: customer.user.id,
      email: "c@example.com",
      name: "c",
      role: "customer" as const,
      organizationId: org,
      tier: null,
      teams: [],
      via: "session" as const,
    };
    for (const e of all) {
      const shown = eventAsReadBy(reader, e);
      if (!shown) continue;
      expect(shown.organizationId).toBe(org);
      const text = JSON.stringify(shown.payload);
      for (const secret of secrets()) expect(text, `${e.type} leaks ${secret}`).not.toContain(secret);
    }
  });
});
