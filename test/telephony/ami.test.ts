import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PbxService } from "../../src/modules/telephony/pbx-service.js";
import { TelephonyRepository } from "../../src/modules/telephony/repository.js";
import { ManualClock } from "../../src/platform/clock.js";
import { FakeAmi } from "../fixtures/ami-server.js";
import { createOrganization, engines, harnessActor, type TestContext, testApp, tokenFor } from "../harness.js";

/**
 * The AMI side against a protocol-level Asterisk peer replaying recorded event sequences: a queue call rung,
 * answered and hung up; the socket dropped mid-call (reconnect with backoff, the whole call replayed, no
 * duplicate); malformed frames; an abandoned call's callback; click-to-call's Originate; the lease that lets one
 * node hold the session and another take over; a refused login; the secret sealed and never shown.
 */

type Headers = Record<string, string>;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(engines)("AMI calls on %s", (engine) => {
  let t: TestContext;
  let ami: FakeAmi;
  const clock = new ManualClock("2026-12-07T13:00:00.000Z");
  let admin: { user: { id: string; email: string }; headers: Headers };
  let agent: { user: { id: string; email: string }; headers: Headers };
  let orgId: string;
  let ticketId: string;
  let connectionId: string;
  let pbx: PbxService;
  const client = { keepaliveMs: 60_000, timeoutMs: 2000, backoff: { initialMs: 20, maxMs: 200 } };

  const call = (method: string, url: string, headers: Headers, payload?: unknown) =>
    t.app.inject({
      method: method as "GET",
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const callsOf = async () =>
    (await call("GET", "/api/v1/calls?limit=200", agent.headers)).json().items as Record<string, unknown>[];
  const vars = (id: string, from = "011987654321") => ({
    id,
    from,
    t0: "1796648400",
    t1: "1796648404",
    t2: "1796648596",
  });

  beforeAll(async () => {
    ami = await FakeAmi.start();
    t = await testApp(engine, { clock });
    admin = await tokenFor(t, "admin");
    agent = await tokenFor(t, "agent");
    const org = await createOrganization(t, "Cliente AMI");
    orgId = org.id;
    await t.services.directory.updateOrganization(
      harnessActor(t),
      orgId,
      { contacts: [{ name: "João", phone: "+5511987654321" }] },
      { ip: "127.0.0.1", headers: {} },
    );
    const created = await t.services.tickets.create(
      harnessActor(t),
      {
        subject: "Tronco caindo",
        description: "Chamadas caem após 30 s",
        organizationId: orgId,
        requester: { name: "João", phone: "+5511987654321" },
        type: "sip_trunk_integration",
        severity: "high",
      },
      { ip: "127.0.0.1", headers: {} },
    );
    ticketId = created.id;
    const res = await call("POST", "/api/v1/pbx-connections", admin.headers, {
      name: "Asterisk principal",
      host: "127.0.0.1",
      port: ami.port,
      username: "plantao",
      secret: "s3cr3t",
      extensions: { "PJSIP/1001": agent.user.email },
    });
    expect(res.statusCode, res.body).toBe(201);
    connectionId = res.json().id;
    pbx = new PbxService({
      repo: new TelephonyRepository(t.platform.db, t.platform.dialect),
      calls: t.services.telephony.calls,
      tickets: t.services.tickets,
      directory: t.services.directory,
      audit: t.services.audit,
      secrets: t.platform.secrets,
      clock,
      log: pino({ level: "silent" }),
      nodeId: "node-a",
      leaseMs: 30_000,
      client,
    });
  }, 180_000);
  afterAll(async () => {
    await pbx?.stop();
    await t?.close();
    await ami?.close();
  });

  it("keeps the secret sealed at rest and never returns it", async () => {
    const res = await call("GET", `/api/v1/pbx-connections/${connectionId}`, admin.headers);
    expect(res.body).not.toContain("s3cr3t");
    expect(res.json()).not.toHaveProperty("secret");
    const row = await t.platform.db.selectFrom("pbx_connections").selectAll().executeTakeFirstOrThrow();
    expect(row.secret).not.toContain("s3cr3t");
    expect(t.platform.secrets.open(row.secret)).toBe("s3cr3t");
    const bad = await call("POST", "/api/v1/pbx-connections", admin.headers, {
      name: "x",
      host: "127.0.0.1",
      username: "u",
      secret: "a\r\nAction: Originate",
      extensions: { "PJSIP/1002": "nobody@example.com" },
    });
    expect(bad.statusCode).toBe(400);
  });

  it("logs in, maps a recorded queue call to ringing, answered and hangup: the call is logged on the ticket", async () => {
    await pbx.tick();
    await ami.loggedIn(1);
    await until(
      "connected state",
      async () =>
        (await call("GET", `/api/v1/pbx-connections/${connectionId}`, admin.headers)).json().state === "connected",
    );
    ami.send(FakeAmi.fixture("queue-answered", vars("1796648400.18")));
    const ringing = await until("the ringing call", async () =>
      (await callsOf()).find((c) => c.externalId === `ami:${connectionId}:1796648400.18`),
    );
    expect(ringing).toMatchObject({
      status: "ringing",
      organizationId: orgId,
      agentId: agent.user.id,
      queue: "suporte",
      source: "ami",
    });
    ami.send(FakeAmi.fixture("queue-answered-2", vars("1796648400.18")));
    ami.send(FakeAmi.fixture("queue-answered-3", vars("1796648400.18")));
    const done = await until("the completed call", async () => (await callsOf()).find((c) => c.status === "completed"));
    expect(done).toMatchObject({ ticketId, durationSeconds: 193, answeredAt: "2026-12-07T13:00:04.009Z" });
    const timeline = (await call("GET", `/api/v1/tickets/${ticketId}/timeline`, agent.headers)).json();
    expect(timeline.messages.filter((m: { kind: string }) => m.kind === "phone_call")).toHaveLength(1);
  });

  it("reconnects after the socket closes mid-call; the replayed call is not logged twice; malformed frames are skipped", async () => {
    ami.send(FakeAmi.fixture("queue-answered", vars("1796648500.30")));
    await until("the second call ringing", async () =>
      (await callsOf()).find((c) => c.externalId === `ami:${connectionId}:1796648500.30`),
    );
    ami.dropAll();
    await ami.loggedIn(2);
    // Garbage and an oversized line, then the whole call again plus its end.
    ami.send("this is not a header line\r\n\r\n");
    ami.send(`X-Junk: ${"z".repeat(300_000)}\r\n\r\n`);
    for (const part of ["queue-answered", "queue-answered-2", "queue-answered-3"])
      ami.send(FakeAmi.fixture(part, vars("1796648500.30")));
    const done = await until("the second call completed", async () =>
      (await callsOf()).find((c) => c.externalId === `ami:${connectionId}:1796648500.30` && c.status === "completed"),
    );
    expect(done.ticketId).toBe(ticketId);
    const all = (await callsOf()).filter((c) => c.externalId === `ami:${connectionId}:1796648500.30`);
    expect(all).toHaveLength(1);
    const timeline = (await call("GET", `/api/v1/tickets/${ticketId}/timeline`, agent.headers)).json();
    expect(timeline.messages.filter((m: { kind: string }) => m.kind === "phone_call")).toHaveLength(2);
    const steps = (await call("GET", `/api/v1/calls/${done.id}`, agent.headers)).json().steps;
    expect(steps.map((s: { key: string }) => s.key).sort()).toEqual(["answered", "hangup", "ringing:PJSIP/1001"]);
    expect(pbx.holds(connectionId)?.state).toBe("connected");
  });

  it("an abandoned queue call from a known number opens a phone ticket with a callback task", async () => {
    ami.send(FakeAmi.fixture("queue-abandoned", vars("1796649000.44", "11 8765-4321")));
    const missed = await until("the abandoned call", async () =>
      (await callsOf()).find((c) => c.externalId === `ami:${connectionId}:1796649000.44` && c.callback && c.ticketId),
    );
    expect(missed).toMatchObject({ status: "missed", organizationId: orgId, callback: { status: "pending" } });
    const ticket = (await call("GET", `/api/v1/tickets/${missed.ticketId}`, agent.headers)).json();
    expect(ticket.channel).toBe("phone");
  });

  it("click-to-call sends Originate for the agent's extension, audited; a node without the session uses a one-shot login", async () => {
    const res = await call("POST", `/api/v1/tickets/${ticketId}/calls`, agent.headers, {});
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ direction: "outbound", ticketId, to: "+5511987654321", agentId: agent.user.id });
    const originate = await until("the Originate", async () => ami.actions.find((a) => a.action === "Originate"));
    expect(originate).toMatchObject({
      channel: "PJSIP/1001",
      exten: "011987654321",
      context: "from-internal",
      async: "true",
    });
    const audit = await t.platform.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "telephony.call.originated")
      .execute();
    expect(audit).toHaveLength(1);
    // The app's own PbxService holds no session here: it logs in for the one action.
    const viaApp = await call("POST", `/api/v1/tickets/${ticketId}/calls`, agent.headers, { to: "+55 21 3333-4444" });
    expect(viaApp.statusCode, viaApp.body).toBe(201);
    expect(ami.actions.filter((a) => a.action === "Originate").at(-1)).toMatchObject({ exten: "02133334444" });
    // No extension for this user: a clear 409; a customer: 403.
    expect((await call("POST", `/api/v1/tickets/${ticketId}/calls`, admin.headers, {})).statusCode).toBe(409);
    expect((await call("POST", `/api/v1/tickets/${ticketId}/calls`, agent.headers, { to: "abc" })).statusCode).toBe(
      400,
    );
  });

  it("one node holds the session: another stands by and takes over when the lease lapses", async () => {
    const other = new PbxService({
      repo: new TelephonyRepository(t.platform.db, t.platform.dialect),
      calls: t.services.telephony.calls,
      tickets: t.services.tickets,
      directory: t.services.directory,
      audit: t.services.audit,
      secrets: t.platform.secrets,
      clock,
      log: pino({ level: "silent" }),
      nodeId: "node-b",
      leaseMs: 30_000,
      client,
    });
    try {
      await other.tick();
      expect(other.holds(connectionId)).toBeUndefined();
      // node-a dies (stops renewing); past its lease node-b takes the session.
      clock.advance(31_000);
      const logins = ami.logins;
      await other.tick();
      expect(other.holds(connectionId)).toBeDefined();
      await ami.loggedIn(logins + 1);
      const row = await t.platform.db.selectFrom("pbx_connections").selectAll().executeTakeFirstOrThrow();
      expect(row.lease_owner).toBe("node-b");
      // node-a comes back: it finds the lease taken and lets its session go.
      await pbx.tick();
      expect(pbx.holds(connectionId)).toBeUndefined();
    } finally {
      await other.stop();
    }
  });

  it("a refused login is recorded on the connection, and retried with backoff", async () => {
    const res = await call("PATCH", `/api/v1/pbx-connections/${connectionId}`, admin.headers, { secret: "wrong" });
    expect(res.statusCode, res.body).toBe(200);
    clock.advance(31_000);
    const refused = ami.refusedLogins;
    await pbx.tick();
    await until("two refused logins", async () => ami.refusedLogins >= refused + 2);
    const state = await until("the error", async () => {
      const c = (await call("GET", `/api/v1/pbx-connections/${connectionId}`, admin.headers)).json();
      return c.lastError ? c : undefined;
    });
    expect(state.lastError).toContain("Authentication failed");
    expect(state).toMatchObject({ holder: "node-a", port: ami.port, enabled: true });
  });
});
