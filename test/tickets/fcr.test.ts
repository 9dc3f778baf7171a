import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor, withoutRoutingRules } from "../harness.js";

type Headers = Record<string, string>;
const H = 3_600_000;

/**
 * First-contact resolution on a scripted set of scenarios, driven through the API with a manual clock: each
 * ticket's verdict and reason, and the report's groups, equal what was worked out by hand.
 */
describe.each(engines)("first-contact resolution on %s", (engine) => {
  let t: TestContext;
  // Tuesday 10 November 2026, 09:00 in São Paulo. Friday 20 November is a national holiday (Consciência Negra).
  const clock = new ManualClock("2026-11-10T12:00:00.000Z");
  let agent: Headers;
  let manager: Headers;

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    // Every ticket starts at L1, so the suite's escalations to L2 are real moves, whatever triage would route it to.
    await withoutRoutingRules(t);
    agent = (await tokenFor(t, "agent")).headers;
    manager = (await tokenFor(t, "manager")).headers;
  });
  afterAll(() => t.close());

  const at = (iso: string) => clock.set(iso);
  const call = async (method: "POST" | "PATCH" | "GET", url: string, headers: Headers, payload?: object) => {
    const res = await t.app.inject({ method, url, headers, payload });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const customerOf = async () => {
    const org = (await createOrganization(t)).id;
    return { org, headers: (await tokenFor(t, "customer", { organizationId: org })).headers };
  };
  const openByCustomer = (c: Headers, type = "usage_question") =>
    call("POST", "/api/v1/tickets", c, { subject: "Dúvida", description: "Como faço?", type, severity: "medium" });
  const openByAgent = (org: string, channel: string, type = "usage_question") =>
    call("POST", "/api/v1/tickets", agent, {
      organizationId: org,
      requester: { name: "Contato", email: "contato@example.com" },
      channel,
      subject: "Contato",
      description: "Relato",
      type,
      severity: "medium",
    });
  const reply = (id: string, headers: Headers, kind: "reply" | "phone_call" = "reply") =>
    call("POST", `/api/v1/tickets/${id}/messages`, headers, { body: "Resposta", visibility: "public", kind });
  const note = (id: string) =>
    call("POST", `/api/v1/tickets/${id}/messages`, agent, { body: "nota", visibility: "internal" });
  const resolve = (id: string) => call("PATCH", `/api/v1/tickets/${id}`, agent, { status: "resolved" });
  const later = (hours: number) => clock.advance(hours * H);

  const expected = new Map<number, { fcr: boolean; reason: string }>();
  const expect_ = (ticket: { number: number }, fcr: boolean, reason: string) =>
    expected.set(ticket.number, { fcr, reason });

  it("records the scenarios", async () => {
    // 1. Solved on the first reply.
    const c1 = await customerOf();
    at("2026-11-10T12:00:00.000Z");
    const s1 = await openByCustomer(c1.headers);
    later(1);
    await reply(s1.id, agent);
    await resolve(s1.id);
    expect_(s1, true, "first_contact");

    // 2. Reopened: the customer answers the resolution, and it is resolved again.
    const c2 = await customerOf();
    const s2 = await openByCustomer(c2.headers);
    later(1);
    await reply(s2.id, agent);
    await resolve(s2.id);
    later(1);
    await reply(s2.id, c2.headers);
    later(1);
    await resolve(s2.id);
    expect_(s2, false, "reopened");

    // 3. Escalated to L2 before the answer.
    const c3 = await customerOf();
    const s3 = await openByCustomer(c3.headers, "sip_trunk_integration");
    await call("POST", `/api/v1/tickets/${s3.id}/escalate`, agent, { tier: "L2", reason: "tronco" });
    await reply(s3.id, agent);
    await resolve(s3.id);
    expect_(s3, false, "escalated");

    // 4. Repeat contact by phone two days after an email ticket on the same type: the email ticket misses,
    //    the phone ticket, answered on the call, is resolved on first contact.
    const c4 = await customerOf();
    at("2026-11-10T14:00:00.000Z");
    const s4 = await openByAgent(c4.org, "email", "login_problem");
    await reply(s4.id, agent);
    await resolve(s4.id);
    at("2026-11-12T14:00:00.000Z");
    const s4b = await openByAgent(c4.org, "phone", "login_problem");
    await reply(s4b.id, agent, "phone_call");
    await resolve(s4b.id);
    expect_(s4, false, "repeat_contact");
    expect_(s4b, true, "first_contact");

    // 5. The same organization back on another type: not a repeat.
    const c5 = await customerOf();
    at("2026-11-10T15:00:00.000Z");
    const s5 = await openByAgent(c5.org, "email", "bug");
    await reply(s5.id, agent);
    await resolve(s5.id);
    later(24);
    await openByAgent(c5.org, "chat", "performance");
    expect_(s5, true, "first_contact");

    // 6. Another organization on the same type: not a repeat either.
    const c6 = await customerOf();
    const other = await customerOf();
    at("2026-11-10T16:00:00.000Z");
    const s6 = await openByAgent(c6.org, "email", "feature_failure");
    await reply(s6.id, agent);
    await resolve(s6.id);
    later(24);
    await openByAgent(other.org, "email", "feature_failure");
    expect_(s6, true, "first_contact");

    // 7. Back on the same type 8 business days later: past the 7-day window.
    const c7 = await customerOf();
    at("2026-11-11T13:00:00.000Z"); // Wednesday
    const s7 = await openByAgent(c7.org, "email", "monitoring_configuration");
    await reply(s7.id, agent);
    await resolve(s7.id);
    at("2026-11-24T13:30:00.000Z"); // Tuesday after: 8 business days on (the 20th is a holiday)
    await openByAgent(c7.org, "phone", "monitoring_configuration");
    expect_(s7, true, "first_contact");

    // 8. Back 11 calendar days later, still within 7 business days (a weekend and the 20th's holiday between).
    const c8 = await customerOf();
    at("2026-11-13T13:00:00.000Z"); // Friday
    const s8 = await openByAgent(c8.org, "email", "extension_trunk_configuration");
    await reply(s8.id, agent);
    await resolve(s8.id);
    at("2026-11-24T13:00:00.000Z"); // Tuesday: 6 business days on
    await openByAgent(c8.org, "chat", "extension_trunk_configuration");
    expect_(s8, false, "repeat_contact");

    // 9. The customer came back after the answer (a second exchange), then it was solved.
    const c9 = await customerOf();
    at("2026-11-10T12:00:00.000Z");
    const s9 = await openByCustomer(c9.headers, "security");
    later(1);
    await reply(s9.id, agent);
    later(1);
    await reply(s9.id, c9.headers);
    later(1);
    await reply(s9.id, agent);
    await resolve(s9.id);
    expect_(s9, false, "several_contacts");

    // 10. Two public answers to one contact ("looking into it", then the fix).
    const c10 = await customerOf();
    const s10 = await openByCustomer(c10.headers);
    await reply(s10.id, agent);
    later(2);
    await reply(s10.id, agent);
    await resolve(s10.id);
    expect_(s10, false, "several_replies");

    // 11. Internal notes are not answers; one public reply: first contact.
    const c11 = await customerOf();
    const s11 = await openByCustomer(c11.headers);
    await note(s11.id);
    await note(s11.id);
    await reply(s11.id, agent);
    await resolve(s11.id);
    expect_(s11, true, "first_contact");

    // 12. The customer wrote twice before the answer: one exchange.
    const c12 = await customerOf();
    const s12 = await openByCustomer(c12.headers);
    await reply(s12.id, c12.headers);
    later(1);
    await reply(s12.id, agent);
    await resolve(s12.id);
    expect_(s12, true, "first_contact");

    // 13. A follow-up call after the answer is another contact.
    const c13 = await customerOf();
    const s13 = await openByAgent(c13.org, "email", "usage_question");
    await reply(s13.id, agent);
    later(3);
    await reply(s13.id, agent, "phone_call");
    await resolve(s13.id);
    expect_(s13, false, "several_contacts");

    // 14. Merged into another ticket: closed, not resolved, so not counted.
    const c14 = await customerOf();
    const s14a = await openByCustomer(c14.headers, "bug");
    const s14b = await openByCustomer(c14.headers, "performance");
    await call("POST", `/api/v1/tickets/${s14b.id}/merge`, agent, { intoTicketId: s14a.id });

    await t.platform.fanOut.drain();
    at("2026-12-15T12:00:00.000Z"); // every window closed
  });

  const report = async (groupBy: string) =>
    call(
      "GET",
      `/api/v1/reports/fcr?from=2026-11-01T00:00:00.000Z&to=2026-12-01T00:00:00.000Z&groupBy=${groupBy}`,
      manager,
    );

  it("gives each resolved ticket its verdict and reason", async () => {
    expect(expected.size).toBeGreaterThanOrEqual(10);
    const r = await report("type");
    const got = new Map(
      (r.tickets as { number: number; fcr: boolean; reason: string; final: boolean }[]).map((x) => [
        x.number,
        { fcr: x.fcr, reason: x.reason },
      ]),
    );
    expect(got).toEqual(expected);
    expect((r.tickets as { final: boolean }[]).every((x) => x.final)).toBe(true);
    const trues = [...expected.values()].filter((v) => v.fcr).length;
    expect(r.total).toEqual({ resolved: expected.size, fcr: trues, rate: trues / expected.size });
  });

  it("groups by type, channel, tier and team, with the reasons of the misses", async () => {
    const byType = await report("type");
    const group = (r: { groups: { key: string | null }[] }, key: string) => r.groups.find((g) => g.key === key);
    // usage_question: 1 ✓, 2 reopened, 10 several_replies, 11 ✓, 12 ✓, 13 several_contacts.
    expect(group(byType, "usage_question")).toMatchObject({
      resolved: 6,
      fcr: 3,
      rate: 0.5,
      reasons: { reopened: 1, several_replies: 1, several_contacts: 1 },
    });
    expect(group(byType, "login_problem")).toMatchObject({ resolved: 2, fcr: 1, reasons: { repeat_contact: 1 } });
    const byChannel = await report("channel");
    // portal: 1, 2, 3, 9, 10, 11, 12 (3 ✓); email: 4, 5, 6, 7, 8, 13 (3 ✓); phone: 4b ✓.
    expect(group(byChannel, "portal")).toMatchObject({ resolved: 7, fcr: 3 });
    expect(group(byChannel, "email")).toMatchObject({ resolved: 6, fcr: 3 });
    expect(group(byChannel, "phone")).toMatchObject({ resolved: 1, fcr: 1 });
    // By the tier that resolved it: only 3 went to L2; no ticket had a team.
    const byTier = await report("tier");
    expect(group(byTier, "L2")).toMatchObject({ resolved: 1, fcr: 0, reasons: { escalated: 1 } });
    expect(group(byTier, "L1")).toMatchObject({ resolved: 13, fcr: 7 });
    const byTeam = await report("team");
    expect(byTeam.groups).toEqual([expect.objectContaining({ key: null, resolved: 14, fcr: 7 })]);
    const byOrganization = await report("organization");
    expect(byOrganization.groups.every((g: { label: string }) => g.label.startsWith("Cliente"))).toBe(true);
  });

  it("is for management: an agent or a customer is refused; a bad period is a 400", async () => {
    const url = "/api/v1/reports/fcr?from=2026-11-01T00:00:00.000Z&to=2026-12-01T00:00:00.000Z&groupBy=tier";
    expect((await t.app.inject({ url, headers: agent })).statusCode).toBe(403);
    const bad = await t.app.inject({
      url: "/api/v1/reports/fcr?from=2026-12-01T00:00:00.000Z&to=2026-11-01T00:00:00.000Z&groupBy=tier",
      headers: manager,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe("/to");
  });
});
