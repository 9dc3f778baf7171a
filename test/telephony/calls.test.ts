import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CALLBACK_TIMER } from "../../src/modules/telephony/service.js";
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

/**
 * The phone channel through the call-event webhook: caller matching (Brazilian formats, the ninth digit), the
 * ringing pop-up to the rung agent alone, an answered call as the first response, a missed call's phone ticket
 * with its callback clock, idempotency per call and event, bad input, tenancy of the call log.
 */

type Headers = Record<string, string>;

describe.each(engines)("phone calls through the webhook on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-12-07T13:00:00.000Z"); // Monday 10:00 in São Paulo
  let pbx: Headers;
  let agent: { user: { id: string; email: string }; headers: Headers };
  let admin: Headers;
  let customer: { user: { id: string; email: string }; headers: Headers };
  let otherCustomer: Headers;
  let orgId: string;
  let ticketId: string;

  const call = (method: string, url: string, headers: Headers, payload?: unknown) =>
    t.app.inject({
      method: method as "GET",
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const step = (payload: Record<string, unknown>) => call("POST", "/api/v1/call-events", pbx, payload);
  const eventsOf = async (type: string) =>
    (await t.platform.db.selectFrom("events").selectAll().where("type", "=", type).orderBy("id").execute()).map(
      (e) => ({
        ...e,
        payload: typeof e.payload === "string" ? JSON.parse(e.payload) : e.payload,
      }),
    );

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    const org = await createOrganization(t, "Telefonia Exemplo");
    orgId = org.id;
    const other = await createOrganization(t, "Outra Empresa");
    customer = await tokenFor(t, "customer", { organizationId: orgId });
    otherCustomer = (await tokenFor(t, "customer", { organizationId: other.id })).headers;
    await t.services.directory.updateOrganization(
      harnessActor(t),
      orgId,
      {
        phoneNumbers: ["+551133334444"],
        contacts: [{ name: "Maria Souza", email: customer.user.email, phone: "+55 11 98765-4321" }],
      },
      { ip: "127.0.0.1", headers: {} },
    );
    agent = await tokenFor(t, "agent");
    pbx = (await tokenFor(t, "agent", { scopes: ["tickets:write"] })).headers;
    admin = (await tokenFor(t, "admin")).headers;
    const opened = await call("POST", "/api/v1/tickets", customer.headers, {
      subject: "Ramal 2001 sem áudio",
      description: "Desde hoje cedo",
      type: "extension_trunk_configuration",
      severity: "high",
    });
    expect(opened.statusCode, opened.body).toBe(201);
    ticketId = opened.json().id;
  }, 180_000);
  afterAll(() => t?.close());

  it("ringing matches the caller in any Brazilian format and pops their open tickets for the rung agent only", async () => {
    const res = await step({
      callId: "pbx-1",
      event: "ringing",
      at: "2026-12-07T10:00:05-03:00",
      from: "0xx11 98765-4321",
      to: "1133334444",
      queue: "suporte",
      agentEmail: agent.user.email,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({
      duplicate: false,
      call: {
        status: "ringing",
        organizationId: orgId,
        callerNumber: "+5511987654321",
        contact: { name: "Maria Souza" },
        agentId: agent.user.id,
        ringingAt: "2026-12-07T13:00:05.000Z",
      },
    });
    const [pop] = await eventsOf("call.ringing");
    expect(pop!.subject_id).toBe(agent.user.id);
    expect(pop!.payload).toMatchObject({
      organizationName: "Telefonia Exemplo",
      contactName: "Maria Souza",
      tickets: [{ ticketId, subject: "Ramal 2001 sem áudio", status: "new" }],
    });
    // The same step again (a PBX retry) changes nothing.
    const again = await step({
      callId: "pbx-1",
      event: "ringing",
      at: "2026-12-07T13:00:05Z",
      from: "+5511987654321",
      to: "1133334444",
      agentEmail: agent.user.email,
    });
    expect(again.json().duplicate).toBe(true);
    expect(await eventsOf("call.ringing")).toHaveLength(1);
  });

  it("only the rung agent's event stream carries the pop-up: another agent and the customer never see it", async () => {
    const { mayReadEvent } = await import("../../src/modules/identity/event-visibility.js");
    const [pop] = await eventsOf("call.ringing");
    const event = {
      type: pop!.type,
      organizationId: pop!.organization_id,
      subjectId: pop!.subject_id,
      payload: pop!.payload,
    };
    const actorOf = async (email: string) => (await t.services.directory.findUserByEmail(email))!;
    expect(mayReadEvent(await actorOf(agent.user.email), event)).toBe(true);
    const other = await createUser(t, "agent");
    expect(mayReadEvent(await actorOf(other.email), event)).toBe(false);
    expect(mayReadEvent(await actorOf(customer.user.email), event)).toBe(false);
  });

  it("an answered call by staff is logged on the caller's ticket as a phone call and stops the first-response clock", async () => {
    clock.set("2026-12-07T13:00:20.000Z");
    const res = await step({
      callId: "pbx-1",
      event: "answered",
      at: "2026-12-07T13:00:20Z",
      from: "011987654321",
      to: "1133334444",
      agentEmail: agent.user.email,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().call).toMatchObject({ status: "answered", ticketId, answeredAt: "2026-12-07T13:00:20.000Z" });
    const timeline = (await call("GET", `/api/v1/tickets/${ticketId}/timeline`, agent.headers)).json();
    const logged = timeline.messages.filter((m: { kind: string }) => m.kind === "phone_call");
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ authorId: agent.user.id, visibility: "public" });
    const sla = (await call("GET", `/api/v1/tickets/${ticketId}/sla`, agent.headers)).json();
    expect(sla.clocks.find((c: { kind: string }) => c.kind === "first_response")).toMatchObject({
      status: "fulfilled",
      fulfilledAt: "2026-12-07T13:00:20.000Z",
    });
    // The pop-up closes for the agent it rang.
    expect((await eventsOf("call.ended")).map((e) => e.subject_id)).toEqual([agent.user.id]);
    // Sent twice, it is logged once.
    await step({
      callId: "pbx-1",
      event: "answered",
      at: "2026-12-07T13:00:20Z",
      from: "011987654321",
      to: "1133334444",
      agentEmail: agent.user.email,
    });
    const again = (await call("GET", `/api/v1/tickets/${ticketId}/timeline`, agent.headers)).json();
    expect(again.messages.filter((m: { kind: string }) => m.kind === "phone_call")).toHaveLength(1);
  });

  it("hangup completes the call with its talk time and recording", async () => {
    const res = await step({
      callId: "pbx-1",
      event: "hangup",
      at: "2026-12-07T13:03:32Z",
      from: "011987654321",
      to: "1133334444",
      recordingUrl: "https://pbx.example.com/rec/pbx-1.wav",
    });
    expect(res.json().call).toMatchObject({
      status: "completed",
      durationSeconds: 192,
      recordingUrl: "https://pbx.example.com/rec/pbx-1.wav",
      endedAt: "2026-12-07T13:03:32.000Z",
    });
  });

  it("a missed call from a known number (old 8-digit mobile) opens a phone ticket with a callback on its own clock", async () => {
    clock.set("2026-12-07T14:00:00.000Z");
    await step({
      callId: "pbx-2",
      event: "ringing",
      at: "2026-12-07T14:00:00Z",
      from: "(11) 8765-4321",
      to: "1133334444",
    });
    const res = await step({
      callId: "pbx-2",
      event: "hangup",
      at: "2026-12-07T14:00:40Z",
      from: "(11) 8765-4321",
      to: "1133334444",
    });
    expect(res.statusCode, res.body).toBe(202);
    const missed = res.json().call;
    expect(missed).toMatchObject({ status: "missed", organizationId: orgId, callback: { status: "pending" } });
    expect(missed.ticketId).toBeTruthy();
    expect(missed.ticketId).not.toBe(ticketId);
    const ticket = (await call("GET", `/api/v1/tickets/${missed.ticketId}`, agent.headers)).json();
    expect(ticket).toMatchObject({ channel: "phone", organizationId: orgId, requesterId: customer.user.id });
    const timer = await t.services.timers.get({ type: CALLBACK_TIMER.type, id: missed.id }, CALLBACK_TIMER.name);
    expect(timer).toMatchObject({ status: "running", calendar: "comercial" });
    expect(missed.callback.dueAt).toBe(timer!.dueAt);
    expect(await eventsOf("call.missed")).toHaveLength(1);

    // A second missed call from the same caller joins that ticket.
    await step({
      callId: "pbx-3",
      event: "hangup",
      at: "2026-12-07T14:05:00Z",
      from: "+5511987654321",
      to: "1133334444",
    });
    const third = (await call("GET", "/api/v1/calls?status=missed", agent.headers)).json().items;
    expect(third.map((c: { ticketId: string }) => c.ticketId)).toEqual([missed.ticketId, missed.ticketId]);

    // Its deadline passes: the callback is overdue, once.
    clock.set(new Date(Date.parse(timer!.dueAt!) + 1000).toISOString());
    await t.services.timers.fire({ timerId: timer!.id, generation: timer!.generation, phase: "due" });
    expect((await call("GET", `/api/v1/calls/${missed.id}`, agent.headers)).json().callback.status).toBe("overdue");
    expect(await eventsOf("call.callback_overdue")).toHaveLength(1);

    // An answered call from the caller on that ticket is the callback: both owed callbacks are done.
    await step({
      callId: "pbx-4",
      event: "answered",
      at: clock.now().toISOString(),
      from: "11987654321",
      to: "1133334444",
      agentEmail: agent.user.email,
    });
    const owed = (await call("GET", `/api/v1/calls?ticketId=${missed.ticketId}`, agent.headers)).json().items;
    expect(
      owed
        .filter((c: { callback: unknown }) => c.callback)
        .map((c: { callback: { status: string } }) => c.callback.status),
    ).toEqual(["done", "done"]);
    const second = owed.find((c: { id: string; callback: unknown }) => c.id !== missed.id && c.callback);
    expect(
      await t.services.timers.get({ type: CALLBACK_TIMER.type, id: second.id }, CALLBACK_TIMER.name),
    ).toMatchObject({
      status: "cancelled",
    });
  });

  it("a missed call from an unknown number is logged with no ticket; an answered one too", async () => {
    const res = await step({
      callId: "pbx-5",
      event: "hangup",
      at: "2026-12-07T15:00:00Z",
      from: "+4930123456",
      to: "1133334444",
    });
    expect(res.json().call).toMatchObject({ status: "missed", organizationId: null, ticketId: null, callback: null });
    const anonymous = await step({
      callId: "pbx-6",
      event: "ringing",
      at: "2026-12-07T15:01:00Z",
      from: "anonymous",
      to: "1133334444",
    });
    expect(anonymous.json().call).toMatchObject({ callerNumber: null, organizationId: null });
  });

  it("refuses bad steps with the field at fault and changes nothing", async () => {
    const before = (await call("GET", "/api/v1/calls?limit=200", agent.headers)).json().items.length;
    for (const [payload, pointer] of [
      [{ callId: "x", event: "ringing", at: "2026-12-07T15:00:00Z", from: "1", to: "2", extra: 1 }, ""],
      [{ callId: "x", event: "busy", at: "2026-12-07T15:00:00Z", from: "1", to: "2" }, "/event"],
      [{ callId: "x", event: "ringing", at: "yesterday", from: "1", to: "2" }, "/at"],
      [{ callId: "x", event: "ringing", at: "0001-01-01T00:00:00Z", from: "1", to: "2" }, "/at"],
      [{ callId: "x", event: "ringing", at: "2026-12-07T15:00:00Z", from: "1\r\nAction: Originate", to: "2" }, "/from"],
      [{ callId: "x", event: "ringing", at: "2026-12-07T15:00:00Z", to: "2" }, ""],
      [
        {
          callId: "x",
          event: "hangup",
          at: "2026-12-07T15:00:00Z",
          from: "1",
          to: "2",
          recordingUrl: "javascript:alert(1)",
        },
        "/recordingUrl",
      ],
    ] as const) {
      const res = await step(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      if (pointer) expect(JSON.stringify(res.json().errors)).toContain(pointer);
    }
    expect((await call("GET", "/api/v1/calls?limit=200", agent.headers)).json().items.length).toBe(before);
  });

  it("tenancy: a customer sees only their organization's calls; never posts steps nor sees PBX connections", async () => {
    const own = (await call("GET", "/api/v1/calls", customer.headers)).json().items;
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((c: { organizationId: string }) => c.organizationId === orgId)).toBe(true);
    expect((await call("GET", "/api/v1/calls", otherCustomer)).json().items).toEqual([]);
    expect((await call("GET", `/api/v1/calls/${own[0].id}`, otherCustomer)).statusCode).toBe(404);
    expect((await call("GET", `/api/v1/calls?organizationId=${orgId}`, otherCustomer)).json().items).toEqual([]);
    expect(
      (
        await call("POST", "/api/v1/call-events", customer.headers, {
          callId: "c",
          event: "ringing",
          at: "2026-12-07T15:00:00Z",
          from: "1",
          to: "2",
        })
      ).statusCode,
    ).toBe(403);
    expect((await call("POST", `/api/v1/calls/${own[0].id}/callback/complete`, customer.headers)).statusCode).toBe(403);
    expect((await call("GET", "/api/v1/pbx-connections", customer.headers)).statusCode).toBe(403);
    expect((await call("GET", "/api/v1/pbx-connections", agent.headers)).statusCode).toBe(403);
    // A token without tickets:write cannot post steps.
    const reader = await tokenFor(t, "agent", { scopes: ["tickets:read"] });
    expect(
      (
        await call("POST", "/api/v1/call-events", reader.headers, {
          callId: "c",
          event: "ringing",
          at: "2026-12-07T15:00:00Z",
          from: "1",
          to: "2",
        })
      ).statusCode,
    ).toBe(403);
    expect((await call("GET", "/api/v1/calls", admin)).statusCode).toBe(200);
  });

  it("pages the call log by keyset", async () => {
    const first = (await call("GET", "/api/v1/calls?limit=2", agent.headers)).json();
    expect(first.items).toHaveLength(2);
    const second = (await call("GET", `/api/v1/calls?limit=2&cursor=${first.nextCursor}`, agent.headers)).json();
    expect(second.items[0].id < first.items[1].id).toBe(true);
    expect((await call("GET", "/api/v1/calls?cursor=%%%", agent.headers)).statusCode).toBe(400);
  });
  it("a missed call's ticket, callback and timer commit with its step: a failed follow-up keeps none of them, a repeat finishes it, in the caller's language", async () => {
    const org = await createOrganization(t, "English Speaking Co");
    const caller = await tokenFor(t, "customer", { organizationId: org.id });
    await t.platform.db.updateTable("users").set({ locale: "en" }).where("id", "=", caller.user.id).execute();
    await t.services.directory.updateOrganization(
      harnessActor(t),
      org.id,
      { contacts: [{ name: "John Smith", email: caller.user.email, phone: "+55 21 99876-0001" }] },
      { ip: "127.0.0.1", headers: {} },
    );
    const tickets = () =>
      t.platform.db.selectFrom("tickets").select(["id", "subject"]).where("organization_id", "=", org.id).execute();
    // The process dies while arming the callback, after the ticket was written in the same transaction.
    const start = t.services.timers.start;
    t.services.timers.start = async () => {
      throw new Error("power cut");
    };
    const missed = {
      callId: "pbx-en-1",
      event: "hangup",
      at: "2026-12-07T14:30:00Z",
      from: "21998760001",
      to: "1133334444",
    };
    let res: Awaited<ReturnType<typeof step>>;
    try {
      res = await step(missed);
    } finally {
      t.services.timers.start = start;
    }
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().call).toMatchObject({ status: "missed", organizationId: org.id, ticketId: null, callback: null });
    expect(await tickets()).toEqual([]);
    // The PBX repeats the step: the follow-up still owed is done, once.
    const again = await step(missed);
    expect(again.json()).toMatchObject({ duplicate: true, call: { callback: { status: "pending" } } });
    const [ticket] = await tickets();
    expect(again.json().call.ticketId).toBe(ticket!.id);
    expect(ticket!.subject).toBe("Missed call from John Smith (21998760001)");
    expect((await step(missed)).json().call.ticketId).toBe(ticket!.id);
    expect(await tickets()).toHaveLength(1);
  });
});
