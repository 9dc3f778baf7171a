import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RateLimiter, signVisitor, transcriptOf, verifyVisitor } from "../../src/modules/chat/model.js";
import { ChatRepository } from "../../src/modules/chat/repository.js";
import { contactKindOf } from "../../src/modules/tickets/fcr-core.js";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

type Headers = Record<string, string>;
const W = "/api/v1/chat/widget";

describe("chat signatures and transcripts (pure)", () => {
  it("verifies an HMAC-SHA256 signature of the visitor id and refuses anything else", () => {
    const secret = "k".repeat(64);
    const sig = signVisitor(secret, "cliente-42");
    expect(sig).toBe(createHmac("sha256", secret).update("cliente-42").digest("hex"));
    expect(verifyVisitor(secret, "cliente-42", sig)).toBe(true);
    expect(verifyVisitor(secret, "cliente-42", sig.toUpperCase())).toBe(true);
    expect(verifyVisitor(secret, "cliente-43", sig)).toBe(false);
    expect(verifyVisitor("other", "cliente-42", sig)).toBe(false);
    expect(verifyVisitor(secret, "cliente-42", sig.slice(0, 63))).toBe(false);
    expect(verifyVisitor(secret, "cliente-42", `${sig.slice(0, 63)}g`)).toBe(false);
    expect(verifyVisitor(secret, "cliente-42", "")).toBe(false);
  });

  it("writes a transcript line per event in the conversation's language", () => {
    const at = "2026-11-10T13:00:05.000Z";
    const lines = [
      { seq: 1, kind: "message", authorName: "Ana", body: "Olá", attachment: null, at },
      { seq: 2, kind: "accepted", authorName: "Agente", body: "Agente", attachment: null, at },
      { seq: 3, kind: "attachment", authorName: "Ana", body: null, attachment: { filename: "log.txt", size: 12 }, at },
      { seq: 4, kind: "closed", authorName: "Agente", body: null, attachment: null, at },
    ];
    expect(transcriptOf("Tronco", lines, "pt-BR")).toBe(
      [
        "Transcrição do chat: Tronco",
        "",
        "[2026-11-10 13:00:05Z] Ana: Olá",
        "[2026-11-10 13:00:05Z] Agente atendeu a conversa",
        "[2026-11-10 13:00:05Z] Ana: [arquivo: log.txt (12 B)]",
        "[2026-11-10 13:00:05Z] Agente encerrou a conversa",
      ].join("\n"),
    );
    expect(transcriptOf("Trunk", lines.slice(0, 1), "en")).toContain("Chat transcript: Trunk");
  });

  it("counts a chat transcript joining a ticket as a contact session of its own", () => {
    const agent = { authorKind: "agent", kind: "chat" };
    expect(contactKindOf([{ authorKind: "customer", kind: "reply" }], agent)).toBe("chat");
    expect(contactKindOf([], { authorKind: "customer", kind: "chat" })).toBe("chat");
  });
});

/**
 * Live chat through the API on both engines, with the job workers running and a manual clock on a Tuesday
 * morning in São Paulo (the plan's business hours): forged identities, idempotent posts, the cursor replay over
 * a real SSE connection, the console's actions, tenancy, the offline form and the transcript ticket.
 */
describe.each(engines)("live chat on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-10T13:00:00.000Z");
  let admin: Headers;
  let agent: Headers;
  let agentId: string;
  let agent2Id: string;
  let orgA: string;
  let orgB: string;
  let site: { id: string; secret: string };
  let siteB: { id: string; secret: string };
  let base: string;

  const inject = async (method: "GET" | "POST" | "PATCH", url: string, payload?: object, headers: Headers = {}) =>
    t.app.inject({ method, url, payload, headers });
  const ok = async (method: "GET" | "POST" | "PATCH", url: string, payload?: object, headers: Headers = {}) => {
    const res = await inject(method, url, payload, headers);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const visitor = (s: { id: string; secret: string }, visitorId: string) => ({
    siteId: s.id,
    visitorId,
    signature: signVisitor(s.secret, visitorId),
  });
  const form = { name: "Ana Lima", email: "ana@acme.example", subject: "Tronco SIP sem registro", locale: "pt-BR" };

  beforeAll(async () => {
    t = await testApp(engine, { clock, start: true, config: { attachmentMaxBytes: 2048 } });
    admin = (await tokenFor(t, "admin")).headers;
    const a = await tokenFor(t, "agent");
    agent = a.headers;
    agentId = a.user.id;
    agent2Id = (await tokenFor(t, "agent")).user.id;
    orgA = (await createOrganization(t, "Acme Telecom")).id;
    orgB = (await createOrganization(t, "Beta Voz")).id;
    site = await ok("POST", "/api/v1/chat/sites", { name: "Site Acme", organizationId: orgA }, admin);
    siteB = await ok(
      "POST",
      "/api/v1/chat/sites",
      { name: "Site Beta", organizationId: orgB, visitors: "anonymous" },
      admin,
    );
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }, 240_000);
  afterAll(() => t?.close());

  it("serves the widget script to other origins", async () => {
    const res = await inject("GET", "/chat/widget.js");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("javascript");
    expect(res.headers["cross-origin-resource-policy"]).toBe("cross-origin");
    expect(res.body).toContain("document.currentScript");
    expect(res.body).not.toMatch(/\bimport\s/);
  });

  it("refuses a forged identity on every call, changing nothing", async () => {
    const forged = { ...visitor(site, "cliente-1"), visitorId: "cliente-2" };
    const before = await t.platform.db.selectFrom("chat_conversations").select("id").execute();
    for (const [url, body] of [
      [`${W}/conversations`, { ...forged, ...form }],
      [`${W}/offline`, { ...forged, ...form, message: "x" }],
    ] as const) {
      const res = await inject("POST", url, body);
      expect(res.statusCode).toBe(403);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.json().type).toBe("urn:plantao:problem:chat-identity-refused");
    }
    // Refusals reach the widget on another origin too (CORS on the problem as well).
    const cross = await t.app.inject({
      method: "POST",
      url: `${W}/conversations`,
      payload: { ...forged, ...form },
      headers: { origin: "https://www.acme.example" },
    });
    expect(cross.statusCode).toBe(403);
    expect(cross.headers["access-control-allow-origin"]).toBe("https://www.acme.example");
    const preflight = await t.app.inject({
      method: "OPTIONS",
      url: `${W}/conversations`,
      headers: { origin: "https://www.acme.example", "access-control-request-method": "POST" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-headers"]).toContain("content-type");
    // Signed with another site's key: refused the same way.
    const wrongSite = { ...visitor(siteB, "cliente-1"), siteId: site.id };
    expect((await inject("POST", `${W}/conversations`, { ...wrongSite, ...form })).statusCode).toBe(403);
    // Not a signature at all: a 400 naming the field.
    const bad = await inject("POST", `${W}/conversations`, { ...forged, signature: "zz", ...form });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain("signature");
    expect(await t.platform.db.selectFrom("chat_conversations").select("id").execute()).toEqual(before);
  });

  it("numbers events per conversation, posts idempotently and replays from a cursor over SSE", async () => {
    const v = visitor(site, "cliente-sse");
    const conv = await ok("POST", `${W}/conversations`, { ...v, ...form });
    expect(conv).toMatchObject({ status: "waiting", organizationId: orgA, lastSeq: 0 });
    // The same visitor again resumes the open conversation.
    expect((await ok("POST", `${W}/conversations`, { ...v, ...form })).id).toBe(conv.id);

    const first = await inject("POST", `${W}/conversations/${conv.id}/messages`, { ...v, clientId: "m1", body: "Olá" });
    expect(first.statusCode).toBe(201);
    const again = await inject("POST", `${W}/conversations/${conv.id}/messages`, { ...v, clientId: "m1", body: "Olá" });
    expect(again.statusCode).toBe(200);
    expect(again.json().seq).toBe(first.json().seq);

    // A real stream from cursor 0: the replay, then live events, each once and in order.
    const seen: number[] = [];
    const controller = new AbortController();
    const qs = new URLSearchParams({ siteId: v.siteId, visitorId: v.visitorId, signature: v.signature });
    const read = async (after: number, header?: number) => {
      const res = await fetch(`${base}${W}/conversations/${conv.id}/stream?${qs}&after=${after}`, {
        signal: controller.signal,
        headers: header === undefined ? {} : { "last-event-id": String(header) },
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let buffer = "";
      void (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            buffer += new TextDecoder().decode(value);
            let i = buffer.indexOf("\n\n");
            while (i >= 0) {
              const frame = buffer.slice(0, i);
              buffer = buffer.slice(i + 2);
              const data = frame.split("\n").find((l) => l.startsWith("data: "));
              if (frame.includes("event: chat") && data) seen.push(JSON.parse(data.slice(6)).seq);
              i = buffer.indexOf("\n\n");
            }
          }
        } catch {
          /* aborted */
        }
      })();
    };
    await read(0);
    await vi.waitFor(() => expect(seen).toEqual([1]), { timeout: 5000 });
    await ok("POST", `/api/v1/chat/conversations/${conv.id}/messages`, { clientId: "a1", body: "Bom dia!" }, agent);
    await vi.waitFor(() => expect(seen).toEqual([1, 2, 3]), { timeout: 5000 }); // accepted, then the answer
    controller.abort();

    // Written while the visitor is away; the reconnect names its cursor in Last-Event-ID.
    await ok("POST", `${W}/conversations/${conv.id}/messages`, { ...v, clientId: "m2", body: "Caiu a conexão" });
    await ok("POST", `/api/v1/chat/conversations/${conv.id}/messages`, { clientId: "a2", body: "Sem problema" }, agent);
    const resumed: number[] = [];
    seen.length = 0;
    const c2 = new AbortController();
    Object.assign(controller, c2);
    const res = await fetch(`${base}${W}/conversations/${conv.id}/stream?${qs}&after=0`, {
      signal: c2.signal,
      headers: { "last-event-id": "3" },
    });
    const reader = res.body!.getReader();
    let text = "";
    while (!/id: 5\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    for (const m of text.matchAll(/id: (\d+)\n/g)) resumed.push(Number(m[1]));
    c2.abort();
    expect(resumed).toEqual([4, 5]);

    const events = (await ok("GET", `${W}/conversations/${conv.id}/events?${qs}&after=0`)).items;
    expect(events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(events.map((e: { kind: string }) => e.kind)).toEqual([
      "message",
      "accepted",
      "message",
      "message",
      "message",
    ]);
  });

  it("never lets a visitor read or write another visitor's conversation", async () => {
    const a = visitor(site, "cliente-a");
    const b = visitor(site, "cliente-b");
    const conv = await ok("POST", `${W}/conversations`, { ...a, ...form });
    const qs = new URLSearchParams(b).toString();
    expect((await inject("GET", `${W}/conversations/${conv.id}/events?${qs}`)).statusCode).toBe(404);
    expect((await inject("GET", `${W}/conversations/${conv.id}/stream?${qs}`)).statusCode).toBe(404);
    expect(
      (await inject("POST", `${W}/conversations/${conv.id}/messages`, { ...b, clientId: "x", body: "oi" })).statusCode,
    ).toBe(404);
    expect((await inject("POST", `${W}/conversations/${conv.id}/close`, b)).statusCode).toBe(404);
    // a's identifier with b's signature is a forgery.
    const forged = new URLSearchParams({ ...a, signature: b.signature }).toString();
    expect((await inject("GET", `${W}/conversations/${conv.id}/events?${forged}`)).statusCode).toBe(403);
  });

  it("lets customer users see only their organization's conversations, and never act as agents", async () => {
    const inA = await ok("POST", `${W}/conversations`, { ...visitor(site, "tenancy-a"), ...form });
    const anon = await ok("POST", `${W}/sites/${siteB.id}/visitors`);
    const inB = await ok("POST", `${W}/conversations`, { siteId: siteB.id, ...anon, ...form });
    expect(inB.organizationId).toBe(orgB);
    const customerA = (await tokenFor(t, "customer-admin", { organizationId: orgA })).headers;
    const listA = (await ok("GET", "/api/v1/chat/conversations?limit=200", undefined, customerA)).items;
    expect(listA.some((c: { id: string }) => c.id === inA.id)).toBe(true);
    expect(listA.every((c: { organizationId: string }) => c.organizationId === orgA)).toBe(true);
    expect((await inject("GET", `/api/v1/chat/conversations/${inB.id}`, undefined, customerA)).statusCode).toBe(404);
    expect((await inject("POST", `/api/v1/chat/conversations/${inA.id}/accept`, undefined, customerA)).statusCode).toBe(
      403,
    );
    expect((await inject("GET", "/api/v1/chat/sites", undefined, customerA)).statusCode).toBe(403);
    expect((await inject("GET", "/api/v1/chat/sites", undefined, agent)).statusCode).toBe(403);
    // Anonymous visitors only where the site allows them.
    expect((await inject("POST", `${W}/sites/${site.id}/visitors`)).statusCode).toBe(403);
  });

  it("accepts, transfers, shares typing and files, and files the transcript as a ticket of channel chat", async () => {
    const v = visitor(site, "cliente-ticket");
    const conv = await ok("POST", `${W}/conversations`, { ...v, ...form, email: "novo@acme.example" });
    await ok("POST", `${W}/conversations/${conv.id}/messages`, { ...v, clientId: "q", body: "O tronco caiu" });
    expect((await ok("POST", `/api/v1/chat/conversations/${conv.id}/accept`, undefined, agent)).assigneeId).toBe(
      agentId,
    );
    const other = (await tokenFor(t, "agent")).headers;
    expect((await inject("POST", `/api/v1/chat/conversations/${conv.id}/accept`, undefined, other)).statusCode).toBe(
      409,
    );
    const typing = await inject("POST", `${W}/conversations/${conv.id}/typing`, { ...v, typing: true });
    expect(typing.statusCode).toBe(204);
    const typed = await t.platform.db
      .selectFrom("events")
      .select("payload")
      .where("type", "=", "chat.typing")
      .where("subject_id", "=", conv.id)
      .execute();
    expect(typed).toHaveLength(1);
    const file = await inject("POST", `${W}/conversations/${conv.id}/attachments`, {
      ...v,
      clientId: "f1",
      filename: "registro.txt",
      data: Buffer.from("REGISTER sip:pbx falhou").toString("base64"),
    });
    expect(file.statusCode).toBe(201);
    const big = await inject("POST", `${W}/conversations/${conv.id}/attachments`, {
      ...v,
      clientId: "f2",
      filename: "grande.bin",
      data: Buffer.alloc(4096, 1).toString("base64"),
    });
    expect(big.statusCode).toBe(400);
    const download = await inject(
      "GET",
      `/api/v1/chat/conversations/${conv.id}/files/${file.json().seq}`,
      undefined,
      agent,
    );
    expect(download.body).toBe("REGISTER sip:pbx falhou");
    await ok("POST", `/api/v1/chat/conversations/${conv.id}/transfer`, { userId: agent2Id }, agent);
    await ok(
      "POST",
      `/api/v1/chat/conversations/${conv.id}/messages`,
      { clientId: "r", body: "Refeito o registro" },
      agent,
    );
    const closed = await ok("POST", `${W}/conversations/${conv.id}/close`, v);
    expect(closed.status).toBe("closed");
    expect(
      (await inject("POST", `${W}/conversations/${conv.id}/messages`, { ...v, clientId: "late", body: "?" }))
        .statusCode,
    ).toBe(409);

    const ticketId = await vi.waitFor(
      async () => {
        const c = await ok("GET", `/api/v1/chat/conversations/${conv.id}`, undefined, agent);
        expect(c.ticketId).toBeTruthy();
        return c.ticketId as string;
      },
      { timeout: 10_000, interval: 100 },
    );
    const ticket = await ok("GET", `/api/v1/tickets/${ticketId}`, undefined, agent);
    expect(ticket).toMatchObject({
      channel: "chat",
      organizationId: orgA,
      subject: form.subject,
      assigneeId: agent2Id,
    });
    expect(ticket.requester).toMatchObject({ name: form.name, email: "novo@acme.example" });
    expect(ticket.description).toContain("Ana Lima: O tronco caiu");
    expect(ticket.description).toContain("[arquivo: registro.txt");
    expect(ticket.description).toContain("Refeito o registro");

    // The same visitor chats again while that ticket is open: the transcript joins it, a chat contact session.
    const conv2 = await ok("POST", `${W}/conversations`, { ...v, ...form, email: "novo@acme.example" });
    expect(conv2.id).not.toBe(conv.id);
    await ok("POST", `${W}/conversations/${conv2.id}/messages`, { ...v, clientId: "q2", body: "Voltou a cair" });
    await ok("POST", `/api/v1/chat/conversations/${conv2.id}/close`, undefined, agent);
    await vi.waitFor(
      async () => {
        const c = await ok("GET", `/api/v1/chat/conversations/${conv2.id}`, undefined, agent);
        expect(c.ticketId).toBe(ticketId);
      },
      { timeout: 10_000, interval: 100 },
    );
    const messages = (await ok("GET", `/api/v1/tickets/${ticketId}/timeline`, undefined, agent)).messages as {
      kind: string;
      body: string;
    }[];
    expect(messages.filter((m) => m.kind === "chat").map((m) => m.body)).toEqual([
      expect.stringContaining("Voltou a cair"),
    ]);
    await vi.waitFor(
      async () => {
        const contacts = await t.platform.db
          .selectFrom("ticket_contacts")
          .select(["channel", "kind"])
          .where("ticket_id", "=", ticketId)
          .orderBy("at")
          .execute();
        expect(contacts).toEqual([
          { channel: "chat", kind: "opened" },
          { channel: "chat", kind: "chat" },
        ]);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it("outside business hours offers the offline form, which opens a ticket and acknowledges by email", async () => {
    clock.set("2026-11-14T15:00:00.000Z"); // Saturday noon in São Paulo
    try {
      const info = await ok("GET", `${W}/sites/${site.id}`);
      expect(info.open).toBe(false);
      expect(info.nextOpening).toBe("2026-11-16T11:00:00.000Z");
      const v = visitor(site, "cliente-offline");
      const refused = await inject("POST", `${W}/conversations`, { ...v, ...form });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().type).toBe("urn:plantao:problem:chat-offline");
      const email = "fora@acme.example";
      const done = await inject("POST", `${W}/offline`, { ...v, ...form, email, message: "Tronco sem registro" });
      expect(done.statusCode).toBe(201);
      const ticket = await ok("GET", `/api/v1/tickets/${done.json().ticketId}`, undefined, agent);
      expect(ticket).toMatchObject({ channel: "chat", organizationId: orgA, description: "Tronco sem registro" });
      await vi.waitFor(
        async () => {
          const rows = await t.platform.db
            .selectFrom("notifications")
            .select(["template", "channel"])
            .where("recipient", "=", email)
            .execute();
          expect(rows.length).toBeGreaterThan(0);
          expect(rows[0]!.channel).toBe("email");
        },
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      clock.set("2026-11-10T13:00:00.000Z");
    }
  });

  it("lets a site restrict the pages that embed it, and rotate its key", async () => {
    const own = await ok(
      "POST",
      "/api/v1/chat/sites",
      { name: "Site restrito", organizationId: orgA, origins: ["https://www.acme.example"] },
      admin,
    );
    const v = visitor(own, "cliente-origem");
    const from = (origin: string) =>
      t.app.inject({ method: "POST", url: `${W}/conversations`, payload: { ...v, ...form }, headers: { origin } });
    const refused = await from("https://evil.example");
    expect(refused.statusCode).toBe(403);
    expect(refused.json().type).toBe("urn:plantao:problem:chat-origin-refused");
    expect((await from("https://www.acme.example")).statusCode).toBe(200);
    const rotated = await ok("POST", `/api/v1/chat/sites/${own.id}/rotate-secret`, undefined, admin);
    expect(rotated.secret).not.toBe(own.secret);
    expect((await from("https://www.acme.example")).statusCode).toBe(403);
    const bad = await inject("PATCH", `/api/v1/chat/sites/${own.id}`, { calendar: "nope" }, admin);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe("/calendar");
  });

  it("limits with a token bucket in the database and says how long to wait", async () => {
    const limiter = new RateLimiter(new ChatRepository(t.platform.db, t.platform.dialect), "unit", 2, 1);
    expect(await limiter.take("a", 0)).toBe(0);
    expect(await limiter.take("a", 0)).toBe(0);
    expect(await limiter.take("a", 0)).toBe(1000);
    expect(await limiter.take("b", 0)).toBe(0);
    expect(await limiter.take("a", 500)).toBe(500);
    expect(await limiter.take("a", 1000)).toBe(0);
  });

  it("shares a visitor's write limit between two nodes on one database", async () => {
    const other = await testApp(engine, {
      clock,
      config: {
        databaseUrl: t.databaseUrl,
        dataDir: t.platform.config.dataDir,
        attachmentMaxBytes: 2048,
      },
    });
    try {
      const v = visitor(site, "cliente-dois-nos");
      const conv = await ok("POST", `${W}/conversations`, { ...v, ...form });
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) {
        const node = i % 2 === 0 ? t.app : other.app;
        const res = await node.inject({
          method: "POST",
          url: `${W}/conversations/${conv.id}/typing`,
          payload: { ...v, typing: i % 2 === 0 },
        });
        statuses.push(res.statusCode);
      }
      // One bucket of 40 (the conversation's start took one) across both nodes, not 40 on each; the clock stands still.
      expect(statuses.filter((s) => s !== 429)).toHaveLength(39);
      expect(statuses.slice(39).every((s) => s === 429)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("rate-limits a visitor's writes with a 429", async () => {
    const v = visitor(site, "cliente-flood");
    const conv = await ok("POST", `${W}/conversations`, { ...v, ...form });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await inject("POST", `${W}/conversations/${conv.id}/typing`, { ...v, typing: i % 2 === 0 });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.headers["retry-after"]).toBeDefined();
        expect(res.json().type).toBe("urn:plantao:problem:rate-limited");
        break;
      }
    }
    expect(statuses).toContain(429);
  });

  it("gives a portal user a signed identity, and their chat belongs to their organization", async () => {
    const { user, headers } = await tokenFor(t, "customer", { organizationId: orgB });
    const id = await ok("GET", `/api/v1/chat/portal-identity/${site.id}`, undefined, headers);
    expect(id).toMatchObject({ siteId: site.id, visitorId: `user:${user.id}`, email: user.email });
    const conv = await ok("POST", `${W}/conversations`, {
      siteId: id.siteId,
      visitorId: id.visitorId,
      signature: id.signature,
      ...form,
    });
    expect(conv.organizationId).toBe(orgB);
    expect((await inject("GET", `/api/v1/chat/portal-identity/${site.id}`, undefined, agent)).statusCode).toBe(403);
  });

  it("names the site the portal's launcher uses: the oldest whose origins list the portal's own", async () => {
    const { headers } = await tokenFor(t, "customer", { organizationId: orgB });
    expect(await ok("GET", "/api/v1/chat/portal-site", undefined, headers)).toEqual({ siteId: null });
    const own = new URL(t.platform.config.publicUrl).origin;
    const portal = await ok(
      "POST",
      "/api/v1/chat/sites",
      { name: "Portal", organizationId: orgA, origins: ["https://www.acme.example", own] },
      admin,
    );
    expect(await ok("GET", "/api/v1/chat/portal-site", undefined, headers)).toEqual({ siteId: portal.id });
    const id = await ok("GET", `/api/v1/chat/portal-identity/${portal.id}`, undefined, headers);
    // The widget on the portal page posts with the portal's origin and the server-signed identity.
    const started = await t.app.inject({
      method: "POST",
      url: `${W}/conversations`,
      payload: { siteId: id.siteId, visitorId: id.visitorId, signature: id.signature, ...form },
      headers: { origin: own },
    });
    expect(started.statusCode, started.body).toBe(200);
    expect((await inject("GET", "/api/v1/chat/portal-site", undefined, agent)).statusCode).toBe(403);
  });
});
