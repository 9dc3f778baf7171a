import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roleScopes } from "../../src/modules/identity/roles.js";
import { ManualClock } from "../../src/platform/clock.js";
import { startSmtp } from "../fixtures/smtp.js";
import { createOrganization, createUser, engines, type TestContext, testApp, tokenFor } from "../harness.js";

type Headers = Record<string, string>;

/**
 * Scheduled calls over a real SMTP sink, on each engine: slots from the engineers' calendars, booking from the
 * portal and by an agent, the ICS invitation read back by ical.js, reschedule and cancel updating it (same UID,
 * higher SEQUENCE), double booking refused (also when racing), reminders and the start on time with a manual
 * clock, the outcome logged on the ticket, and tenancy.
 */
describe.each(engines)("scheduled calls on %s", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  // Monday 9 November 2026, 09:00 in São Paulo.
  const clock = new ManualClock("2026-11-09T12:00:00.000Z");
  let engineer: { id: string; email: string; name: string; headers: Headers };
  let engineer2: { id: string; email: string; name: string; headers: Headers };
  let agent: Headers;
  let manager: Headers;

  const staff = async (tier: "L1" | "L2" | "L3") => {
    const user = await createUser(t, "agent", { tier });
    const actor = await t.services.directory.findUserByEmail(user.email);
    const { token } = await t.services.authentication.createToken(actor!, { name: "t", scopes: roleScopes("agent") });
    return { id: user.id, email: user.email, name: user.name, headers: { authorization: `Bearer ${token}` } };
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await testApp(engine, { clock, config: { smtpUrl: smtp.url, publicUrl: "https://suporte.example" } });
    engineer = await staff("L2");
    engineer2 = await staff("L3");
    agent = (await staff("L1")).headers;
    manager = (await tokenFor(t, "manager")).headers;
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const inject = (method: "POST" | "PATCH" | "GET" | "PUT", url: string, headers: Headers, payload?: object) =>
    t.app.inject({ method, url, headers, payload });
  const call = async (method: "POST" | "PATCH" | "GET" | "PUT", url: string, headers: Headers, payload?: object) => {
    const res = await inject(method, url, headers, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const settle = async () => {
    await t.platform.fanOut.drain();
    await t.platform.jobs.drain();
    await t.platform.fanOut.drain();
    await t.platform.jobs.drain();
  };
  const customer = async () => {
    const org = (await createOrganization(t)).id;
    const c = await tokenFor(t, "customer", { organizationId: org });
    const ticket = await call("POST", "/api/v1/tickets", c.headers, {
      subject: "Tronco SIP caindo",
      description: "O tronco cai a cada hora",
      type: "sip_trunk_integration",
      severity: "medium",
    });
    return { org, headers: c.headers, email: c.user.email, name: c.user.name, id: c.user.id, ticket };
  };
  const slots = (headers: Headers, q: string) => call("GET", `/api/v1/scheduled-calls/slots?${q}`, headers);
  const invitesTo = (email: string) => smtp.inbox.filter((m) => m.to === email && m.calendars.length > 0);
  const parse = (ics: string) => {
    const cal = new ICAL.Component(ICAL.parse(ics));
    const v = cal.getFirstSubcomponent("vevent")!;
    return { method: cal.getFirstPropertyValue("method"), v, event: new ICAL.Event(v) };
  };
  const calendarPart = (m: { calendars: { contentType: string; method?: string; content: string }[] }) =>
    m.calendars.find((c) => c.contentType.startsWith("text/calendar"))!;

  it("acceptance: a call booked in the portal mails an ICS invitation ical.js reads back, and its reminder fires on time", async () => {
    const c = await customer();
    const free = await slots(
      c.headers,
      `from=2026-11-10T03:00:00Z&to=2026-11-11T03:00:00Z&engineerId=${engineer.id}&timeZone=America/New_York`,
    );
    expect(free.timeZone).toBe("America/New_York");
    // The plan's commercial calendar: 08:00–18:00 São Paulo (UTC-3), 30-minute slots: 20 of them.
    expect(free.items).toHaveLength(20);
    expect(free.items[0]).toMatchObject({
      start: "2026-11-10T11:00:00.000Z",
      end: "2026-11-10T11:30:00.000Z",
      localStart: "2026-11-10T06:00:00-05:00",
      engineer: { id: engineer.id, name: engineer.name, tier: "L2" },
    });
    const slot = free.items[4];
    const booked = await call("POST", "/api/v1/scheduled-calls", c.headers, {
      ticketId: c.ticket.id,
      engineerId: engineer.id,
      start: slot.start,
      topic: "Revisar registro do tronco",
    });
    expect(booked).toMatchObject({
      status: "booked",
      sequence: 0,
      startsAt: "2026-11-10T13:00:00.000Z",
      endsAt: "2026-11-10T13:30:00.000Z",
      ticketNumber: c.ticket.number,
      attendee: { userId: c.id, email: c.email },
      engineer: { id: engineer.id, name: engineer.name },
      reminderMinutes: [1440, 15],
    });
    await settle();
    for (const to of [c.email, engineer.email]) {
      const [mail] = invitesTo(to);
      expect(mail, to).toBeTruthy();
      expect(mail!.subject).toContain("Chamada agendada");
      const part = calendarPart(mail!);
      expect(part.method?.toUpperCase()).toBe("REQUEST");
      const { method, event, v } = parse(part.content);
      expect(method).toBe("REQUEST");
      expect(event.uid).toBe(`${booked.id}@suporte.example`);
      expect(event.sequence).toBe(0);
      expect(event.startDate.toJSDate().toISOString()).toBe("2026-11-10T13:00:00.000Z");
      expect(event.endDate.toJSDate().toISOString()).toBe("2026-11-10T13:30:00.000Z");
      expect(event.organizer).toBe(`mailto:${engineer.email}`);
      expect(v.getFirstProperty("organizer")!.getParameter("cn")).toBe(engineer.name);
      expect(event.attendees.map((a) => a.getFirstValue())).toEqual([`mailto:${c.email}`]);
      expect(event.attendees[0]!.getParameter("partstat")).toBe("NEEDS-ACTION");
    }
    // The slot is gone for everyone.
    const after = await slots(c.headers, `from=2026-11-10T03:00:00Z&to=2026-11-11T03:00:00Z&engineerId=${engineer.id}`);
    expect(after.items.map((s: { start: string }) => s.start)).not.toContain(slot.start);

    // Reminders: 24 h before (13:00Z on the 9th) and 15 minutes before; not a second early.
    const reminders = () => smtp.inbox.filter((m) => m.to === c.email && m.subject.startsWith("[Plantão] Lembrete"));
    clock.set("2026-11-09T12:59:59.000Z");
    await settle();
    expect(reminders()).toHaveLength(0);
    clock.set("2026-11-09T13:00:00.000Z");
    await settle();
    expect(reminders()).toHaveLength(1);
    clock.set("2026-11-10T12:45:00.000Z");
    await settle();
    expect(reminders()).toHaveLength(2);
    // At the booked time the engineer is told to call, and the stream says it started.
    clock.set("2026-11-10T13:00:00.000Z");
    await settle();
    expect(smtp.inbox.some((m) => m.to === engineer.email && m.subject.startsWith("[Plantão] Agora"))).toBe(true);
    const started = await t.platform.database.db
      .selectFrom("events")
      .select("payload")
      .where("type", "=", "scheduled_call.started")
      .execute();
    expect(started.map((e) => JSON.stringify(e.payload))).toEqual([expect.stringContaining(booked.id)]);

    // Held: recorded by the engineer, logged on the ticket as a public phone call.
    clock.set("2026-11-10T13:31:00.000Z");
    const done = await call("POST", `/api/v1/scheduled-calls/${booked.id}/outcome`, engineer.headers, {
      outcome: "held",
      note: "Registro corrigido; tronco estável",
    });
    expect(done.status).toBe("held");
    const timeline = await call("GET", `/api/v1/tickets/${c.ticket.id}/timeline`, engineer.headers);
    expect(timeline.messages.at(-1)).toMatchObject({ kind: "phone_call", visibility: "public" });
    expect(timeline.messages.at(-1).body).toContain("Registro corrigido");
    // Public: the customer reads it too (in the customer's shape, which has no visibility field).
    const theirs = await call("GET", `/api/v1/tickets/${c.ticket.id}/timeline`, c.headers);
    expect(theirs.messages.at(-1)).toMatchObject({ kind: "phone_call" });
    expect(theirs.messages.at(-1).body).toContain("Registro corrigido");
    // First-contact resolution counts it as a contact of channel scheduled_call, not phone.
    const logged = await t.platform.database.db
      .selectFrom("events")
      .select("payload")
      .where("type", "=", "ticket.message.created")
      .execute();
    const payloads = logged.map((e) => (typeof e.payload === "string" ? JSON.parse(e.payload) : e.payload));
    expect(payloads.find((p) => p.messageId === timeline.messages.at(-1).id)).toMatchObject({
      channel: "scheduled_call",
    });
    const contacts = await t.platform.database.db
      .selectFrom("ticket_contacts")
      .select("channel")
      .where("ticket_id", "=", c.ticket.id)
      .where("kind", "=", "call")
      .execute();
    for (const contact of contacts) expect(contact.channel).toBe("scheduled_call");
    const again = await inject("POST", `/api/v1/scheduled-calls/${booked.id}/outcome`, engineer.headers, {
      outcome: "no_show",
    });
    expect(again.statusCode).toBe(409);
    clock.set("2026-11-09T12:00:00.000Z");
  });

  it("reschedule and cancel update the invitation: same UID, SEQUENCE + 1, REQUEST then CANCEL", async () => {
    const c = await customer();
    const booked = await call("POST", "/api/v1/scheduled-calls", agent, {
      ticketId: c.ticket.id,
      engineerId: engineer.id,
      start: "2026-11-11T14:00:00.000Z",
      timeZone: "America/Sao_Paulo",
    });
    // Booked by an agent for the ticket's requester.
    expect(booked.attendee).toMatchObject({ userId: c.id, email: c.email });
    expect(booked.topic).toBe("Tronco SIP caindo");
    const moved = await call("PATCH", `/api/v1/scheduled-calls/${booked.id}`, c.headers, {
      start: "2026-11-11T17:30:00.000Z",
    });
    expect(moved).toMatchObject({ sequence: 1, startsAt: "2026-11-11T17:30:00.000Z", status: "booked" });
    const cancelled = await call("POST", `/api/v1/scheduled-calls/${booked.id}/cancel`, c.headers, {
      reason: "Resolvido por e-mail",
    });
    expect(cancelled).toMatchObject({ sequence: 2, status: "cancelled" });
    await settle();
    for (const to of [c.email, engineer.email]) {
      const parts = invitesTo(to)
        .map((m) => parse(calendarPart(m).content))
        .filter((p) => p.event.uid === `${booked.id}@suporte.example`)
        // The outbox sends several messages at once: arrival order is not sending order, the sequence is.
        .sort((x, y) => x.event.sequence - y.event.sequence);
      expect(parts.map((p) => [p.method, p.event.sequence])).toEqual([
        ["REQUEST", 0],
        ["REQUEST", 1],
        ["CANCEL", 2],
      ]);
      expect(parts[1]!.event.startDate.toJSDate().toISOString()).toBe("2026-11-11T17:30:00.000Z");
      expect(parts[2]!.v.getFirstPropertyValue("status")).toBe("CANCELLED");
    }
    expect(smtp.inbox.find((m) => m.to === c.email && m.subject.includes("cancelada"))!.text).toContain(
      "Resolvido por e-mail",
    );
    // A cancelled call takes no more changes; its slot is free again.
    expect((await inject("PATCH", `/api/v1/scheduled-calls/${booked.id}`, c.headers, { topic: "x" })).statusCode).toBe(
      409,
    );
    const free = await slots(c.headers, `from=2026-11-11T17:00:00Z&to=2026-11-11T18:30:00Z&engineerId=${engineer.id}`);
    expect(free.items.map((s: { start: string }) => s.start)).toContain("2026-11-11T17:30:00.000Z");
    // Its reminders will not fire.
    clock.set("2026-11-11T17:20:00.000Z");
    await settle();
    expect(smtp.inbox.filter((m) => m.to === c.email && m.subject.startsWith("[Plantão] Lembrete"))).toHaveLength(0);
    clock.set("2026-11-09T12:00:00.000Z");
  });

  it("double booking is refused with 409, also when two bookings race for the slot", async () => {
    const a = await customer();
    const b = await customer();
    const start = "2026-11-12T15:00:00.000Z";
    const results = await Promise.all(
      [a, b, a, b].map((c) =>
        inject("POST", "/api/v1/scheduled-calls", c.headers, {
          ticketId: c.ticket.id,
          engineerId: engineer2.id,
          start,
        }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
    const refused = results.find((r) => r.statusCode === 409)!;
    expect(refused.headers["content-type"]).toContain("application/problem+json");
    expect(refused.json().type).toBe("urn:plantao:problem:slot-taken");
    const count = await t.platform.database.db
      .selectFrom("scheduled_calls")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("engineer_user_id", "=", engineer2.id)
      .where("starts_at", "=", start)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    // Moving another call onto it is refused the same way.
    const other = await call("POST", "/api/v1/scheduled-calls", a.headers, {
      ticketId: a.ticket.id,
      engineerId: engineer2.id,
      start: "2026-11-12T16:00:00.000Z",
    });
    const onto = await inject("PATCH", `/api/v1/scheduled-calls/${other.id}`, a.headers, { start });
    expect(onto.statusCode).toBe(409);
  });

  it("bad input is a clear 400 naming the field, and changes nothing", async () => {
    const c = await customer();
    const cases: [object, string][] = [
      [{ ticketId: c.ticket.id, engineerId: engineer.id, start: "2026-11-14T15:00:00.000Z" }, "/start"], // Saturday
      [{ ticketId: c.ticket.id, engineerId: engineer.id, start: "2026-11-12T15:10:00.000Z" }, "/start"], // not aligned
      [{ ticketId: c.ticket.id, engineerId: engineer.id, start: "2026-11-09T12:10:00.000Z" }, "/start"], // too soon
      [{ ticketId: c.ticket.id, engineerId: engineer.id, start: "2026-11-15T15:00:00.000Z" }, "/start"], // holiday (Sunday too)
      [{ ticketId: c.ticket.id, engineerId: c.id, start: "2026-11-12T15:00:00.000Z" }, "/engineerId"],
      [
        { ticketId: c.ticket.id, engineerId: engineer.id, start: "2026-11-12T15:00:00.000Z", timeZone: "Mars/Base" },
        "/timeZone",
      ],
    ];
    for (const [payload, pointer] of cases) {
      const res = await inject("POST", "/api/v1/scheduled-calls", c.headers, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().errors[0].pointer).toBe(pointer);
    }
    const q = await inject(
      "GET",
      "/api/v1/scheduled-calls/slots?from=2026-11-10T00:00:00Z&to=2026-12-30T00:00:00Z",
      c.headers,
    );
    expect(q.statusCode).toBe(400);
    expect(q.json().errors[0].pointer).toBe("/to");
    const zone = await inject(
      "GET",
      "/api/v1/scheduled-calls/slots?from=2026-11-10T00:00:00Z&to=2026-11-11T00:00:00Z&timeZone=Nowhere",
      c.headers,
    );
    expect(zone.statusCode).toBe(400);
    const listed = await call("GET", `/api/v1/scheduled-calls?ticketId=${c.ticket.id}`, c.headers);
    expect(listed.items).toEqual([]);
  });

  it("tenancy: a customer sees, books and changes only their own organization's calls", async () => {
    const a = await customer();
    const b = await customer();
    const mine = await call("POST", "/api/v1/scheduled-calls", a.headers, {
      ticketId: a.ticket.id,
      engineerId: engineer.id,
      start: "2026-11-13T14:00:00.000Z",
    });
    // b cannot book on a's ticket, nor read, move, cancel or record a's call.
    const onTheirs = await inject("POST", "/api/v1/scheduled-calls", b.headers, {
      ticketId: a.ticket.id,
      engineerId: engineer.id,
      start: "2026-11-13T15:00:00.000Z",
    });
    expect(onTheirs.statusCode).toBe(404);
    expect((await inject("GET", `/api/v1/scheduled-calls/${mine.id}`, b.headers)).statusCode).toBe(404);
    expect((await inject("PATCH", `/api/v1/scheduled-calls/${mine.id}`, b.headers, { topic: "x" })).statusCode).toBe(
      404,
    );
    expect((await inject("POST", `/api/v1/scheduled-calls/${mine.id}/cancel`, b.headers, {})).statusCode).toBe(404);
    expect(
      (await inject("POST", `/api/v1/scheduled-calls/${mine.id}/outcome`, a.headers, { outcome: "held" })).statusCode,
    ).toBe(403);
    const listB = await call("GET", "/api/v1/scheduled-calls?limit=200", b.headers);
    expect(listB.items.map((x: { id: string }) => x.id)).not.toContain(mine.id);
    const listA = await call("GET", "/api/v1/scheduled-calls?limit=200", a.headers);
    expect(listA.items.map((x: { id: string }) => x.id)).toEqual([mine.id]);
    // The engineers' settings are staff-only; a customer sees only free slots.
    expect((await inject("GET", "/api/v1/scheduled-calls/engineers", a.headers)).statusCode).toBe(403);
    const free = await slots(b.headers, `from=2026-11-13T13:00:00Z&to=2026-11-13T16:00:00Z&engineerId=${engineer.id}`);
    expect(free.items.map((s: { start: string }) => s.start)).not.toContain("2026-11-13T14:00:00.000Z");
    expect(Object.keys(free.items[0])).toEqual(["start", "end", "localStart", "localEnd", "engineer"]);
    // Staff see everything; an engineer's own list.
    const staffList = await call("GET", `/api/v1/scheduled-calls?mine=true&limit=200`, engineer.headers);
    expect(staffList.items.map((x: { id: string }) => x.id)).toContain(mine.id);
  });

  it("engineers' calendar and slot length are set by a manager, and slots follow them", async () => {
    const list = await call("GET", "/api/v1/scheduled-calls/engineers", agent);
    expect(list.items.map((e: { id: string }) => e.id).sort()).toEqual([engineer.id, engineer2.id].sort());
    expect(
      (
        await inject("PUT", `/api/v1/scheduled-calls/engineers/${engineer2.id}`, agent, {
          calendarId: "24x7",
          slotMinutes: 60,
          active: true,
        })
      ).statusCode,
    ).toBe(403);
    const bad = await inject("PUT", `/api/v1/scheduled-calls/engineers/${engineer2.id}`, manager, {
      calendarId: "nope",
      slotMinutes: 60,
      active: true,
    });
    expect(bad.statusCode).toBe(400);
    await call("PUT", `/api/v1/scheduled-calls/engineers/${engineer2.id}`, manager, {
      calendarId: "24x7",
      slotMinutes: 60,
      active: true,
    });
    // A Saturday: only the 24x7 engineer has slots, every hour.
    const sat = await slots(agent, "from=2026-11-14T00:00:00Z&to=2026-11-15T00:00:00Z&timeZone=UTC");
    expect(new Set(sat.items.map((s: { engineer: { id: string } }) => s.engineer.id))).toEqual(new Set([engineer2.id]));
    expect(sat.items).toHaveLength(24);
    const l3 = await slots(agent, "from=2026-11-14T00:00:00Z&to=2026-11-15T00:00:00Z&tier=L2");
    expect(l3.items).toEqual([]);
    await call("PUT", `/api/v1/scheduled-calls/engineers/${engineer2.id}`, manager, {
      calendarId: "comercial",
      slotMinutes: 30,
      active: false,
    });
    const none = await slots(agent, `from=2026-11-16T00:00:00Z&to=2026-11-17T00:00:00Z&tier=L3`);
    expect(none.items).toEqual([]);
    await call("PUT", `/api/v1/scheduled-calls/engineers/${engineer2.id}`, manager, {
      calendarId: "comercial",
      slotMinutes: 30,
      active: true,
    });
  });
});
