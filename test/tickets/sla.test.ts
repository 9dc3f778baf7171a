import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { startSmtp } from "../fixtures/smtp.js";
import {
  createOrganization,
  engines,
  harnessActor,
  type TestContext,
  testApp,
  tokenFor,
  withoutRoutingRules,
} from "../harness.js";

/** The worked example of the issue, end to end: a real ticket, real messages, the plan's defaults. */
describe.each(engines)("ticket SLA clocks on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-27T20:00:00.000Z"); // Friday 17:00 in São Paulo
  let agent: Record<string, string>;
  let customer: Record<string, string>;
  let org: string;

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    await withoutRoutingRules(t);
    org = (await createOrganization(t)).id;
    agent = (await tokenFor(t, "agent")).headers;
    customer = (await tokenFor(t, "customer", { organizationId: org })).headers;
  });
  afterAll(() => t.close());

  const clockOf = (body: { clocks: { kind: string }[] }, kind: string) =>
    body.clocks.find((c) => c.kind === kind) as Record<string, unknown>;

  it("simulates the worked example: L1 low opened Friday 17:00 → tier target Monday 09:00, breach 11:00", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/sla/simulate",
      headers: agent,
      payload: { severity: "low", tier: "L1", openedAt: "2026-11-27T17:00:00-03:00" },
    });
    expect(res.statusCode).toBe(200);
    expect(clockOf(res.json(), "tier_response")).toMatchObject({
      targetAt: "2026-11-30T12:00:00.000Z",
      breachAt: "2026-11-30T14:00:00.000Z",
      calendar: "comercial",
    });
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/v1/sla/simulate",
      headers: agent,
      payload: { severity: "urgent", tier: "L1", openedAt: "x" },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toEqual(["/openedAt", "/severity"]);
    expect(
      (
        await t.app.inject({
          method: "POST",
          url: "/api/v1/sla/simulate",
          headers: customer,
          payload: { severity: "low", tier: "L1", openedAt: "2026-11-27T20:00:00Z" },
        })
      ).statusCode,
    ).toBe(403);
  });

  it("runs the same clocks on a real ticket, fulfils them with a public reply and pauses resolution while pending", async () => {
    const ticket = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: customer,
        payload: {
          subject: "Dúvida sobre ramais",
          description: "Como criar um ramal?",
          type: "usage_question",
          severity: "low",
        },
      })
    ).json();
    let sla = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/sla`, headers: agent })).json();
    expect(sla.planVersion).toBe(1);
    expect(clockOf(sla, "tier_response")).toMatchObject({
      tier: "L1",
      status: "running",
      targetAt: "2026-11-30T12:00:00.000Z",
      breachAt: "2026-11-30T14:00:00.000Z",
    });
    const resolutionBreach = clockOf(sla, "resolution").breachAt as string;

    // An internal note on Monday 08:30 is not a response.
    clock.set("2026-11-30T11:30:00.000Z");
    await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: agent,
      payload: { body: "ver doc", visibility: "internal" },
    });
    expect(
      clockOf(
        (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/sla`, headers: agent })).json(),
        "first_response",
      ).status,
    ).toBe("running");

    // A public reply at 10:00 local: after the tier target, before its breach.
    clock.set("2026-11-30T13:00:00.000Z");
    await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: agent,
      payload: { body: "Veja o manual", visibility: "public" },
    });
    sla = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/sla`, headers: agent })).json();
    expect(clockOf(sla, "first_response")).toMatchObject({
      status: "fulfilled",
      fulfilledAt: "2026-11-30T13:00:00.000Z",
    });
    expect(clockOf(sla, "tier_response")).toMatchObject({ status: "fulfilled", breachedAt: null });

    // Waiting on the customer for one business hour moves the resolution breach by exactly that hour.
    await t.app.inject({
      method: "PATCH",
      url: `/api/v1/tickets/${ticket.id}`,
      headers: agent,
      payload: { status: "pending_customer" },
    });
    clock.set("2026-11-30T14:00:00.000Z");
    await t.app.inject({
      method: "POST",
      url: `/api/v1/tickets/${ticket.id}/messages`,
      headers: customer,
      payload: { body: "Obrigado, mas…", visibility: "public" },
    });
    sla = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/sla`, headers: agent })).json();
    const resolution = clockOf(sla, "resolution");
    expect(resolution.pauses).toEqual([
      { from: "2026-11-30T13:00:00.000Z", to: "2026-11-30T14:00:00.000Z", reason: "pending_customer" },
    ]);
    expect(new Date(resolution.breachAt as string).getTime() - new Date(resolutionBreach).getTime()).toBe(3_600_000);
    // The customer's new message starts a next_response clock.
    expect(clockOf(sla, "next_response")).toMatchObject({ status: "running", startedAt: "2026-11-30T14:00:00.000Z" });
    // Every clock event is stored once and shown on the timeline.
    const timeline = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/timeline`, headers: agent })).json();
    const kinds = timeline.sla.map((e: { clock: string; kind: string }) => `${e.clock}:${e.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "first_response:started",
        "first_response:fulfilled",
        "tier_response:fulfilled",
        "resolution:paused",
        "resolution:resumed",
        "next_response:started",
      ]),
    );
    expect(new Set(timeline.sla.map((e: { id: string }) => e.id)).size).toBe(timeline.sla.length);
  });

  it("keeps the clocks (tier clocks among them) to staff: customers read the promised times in the portal", async () => {
    const other = (await createOrganization(t)).id;
    const otherCustomer = (await tokenFor(t, "customer", { organizationId: other })).headers;
    const ticket = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: otherCustomer,
        payload: { subject: "x", description: "y", type: "bug", severity: "high" },
      })
    ).json();
    for (const headers of [customer, otherCustomer]) {
      const refused = await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/sla`, headers });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().detail).toContain("/api/v1/portal/tickets");
    }
  });
});

describe.each(engines)("SLA deadlines fire on time on %s", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const clock = new ManualClock("2026-11-25T15:00:00.000Z"); // Wednesday 12:00 in São Paulo

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await testApp(engine, { clock, config: { smtpUrl: smtp.url } });
    await withoutRoutingRules(t);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it("stores the next breach, announces the warning and the breach once each, and filters the queue by them", async () => {
    const org = (await createOrganization(t)).id;
    const agent = (await tokenFor(t, "agent")).headers;
    const noc = (await tokenFor(t, "noc")).user;
    const l3 = (await tokenFor(t, "agent")).user;
    await t.services.directory.updateUser(harnessActor(t), l3.id, { tier: "L3" }, { ip: "127.0.0.1", headers: {} });
    const ticket = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: agent,
        payload: {
          organizationId: org,
          subject: "Troncos fora",
          description: "Todos os troncos caíram",
          type: "sip_trunk_integration",
          severity: "critical",
        },
      })
    ).json();
    // Critical: first response 30 min on 24x7; the L1 tier clock targets 2 h and breaches at 4 h of business time.
    expect(ticket.slaDueAt).toBe("2026-11-25T15:30:00.000Z");
    expect(ticket.slaBreached).toBe(false);
    const dueSoon = (
      await t.app.inject({ url: "/api/v1/tickets?dueBefore=2026-11-25T16:00:00Z", headers: agent })
    ).json();
    expect(dueSoon.items.map((x: { id: string }) => x.id)).toEqual([ticket.id]);

    const seen: string[] = [];
    t.platform.events.subscribe((e) => seen.push(e.type));
    await t.platform.events.start();
    clock.set("2026-11-25T15:31:00.000Z");
    await t.platform.jobs.drain();
    await t.platform.jobs.drain();
    const after = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}`, headers: agent })).json();
    expect(after.slaBreached).toBe(true);
    const en = { ...agent, "accept-language": "en" };
    const timeline = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/timeline`, headers: en })).json();
    const notes = timeline.messages
      .filter((m: { kind: string }) => m.kind === "system")
      .map((m: { body: string }) => m.body);
    // The breach, and the escalation matrix's two response steps (50 % and 100 % of 30 minutes) reached by 15:31.
    expect(notes).toEqual([
      "SLA breached: first_response at 2026-11-25T15:30:00.000Z",
      "Escalation step 1 (first_response): notified assignee, noc",
      "Escalation step 2 (first_response): notified manager, L3",
    ]);
    await expect.poll(() => smtp.inbox.map((m) => m.to)).toEqual(expect.arrayContaining([noc.email, l3.email]));
    expect(smtp.inbox.find((m) => m.to === noc.email)!.subject).toContain("Escalonamento: [Plantão] #");
    await expect.poll(() => seen).toContain("ticket.sla.breached");
    // Running the deadline job again announces nothing new.
    await t.services.tickets.onDeadline(ticket.id);
    const again = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/timeline`, headers: agent })).json();
    expect(again.messages.filter((m: { kind: string }) => m.kind === "system")).toHaveLength(3);
    const breached = (await t.app.inject({ url: "/api/v1/tickets?breached=true", headers: agent })).json();
    expect(breached.items.map((x: { id: string }) => x.id)).toEqual([ticket.id]);
  });
});

describe.each(engines)("a calendar change on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-27T20:00:00.000Z"); // Friday 17:00 in São Paulo

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    await withoutRoutingRules(t);
  });
  afterAll(() => t.close());

  it("applies from when it was saved: business time already used stays used", async () => {
    const agent = (await tokenFor(t, "agent")).headers;
    const manager = (await tokenFor(t, "manager")).headers;
    const org = (await createOrganization(t)).id;
    const ticket = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: agent,
        payload: {
          organizationId: org,
          subject: "Dúvida",
          description: "Como?",
          type: "usage_question",
          severity: "low",
        },
      })
    ).json();
    const before = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/sla`, headers: agent })).json();
    expect(before.clocks.find((c: { kind: string }) => c.kind === "tier_response").targetAt).toBe(
      "2026-11-30T12:00:00.000Z",
    );

    // Saturday: the business calendar starts opening at 07:00 instead of 08:00.
    clock.set("2026-11-28T15:00:00.000Z");
    const plan = (await t.app.inject({ url: "/api/v1/plan", headers: manager })).json();
    const doc = structuredClone(plan.document);
    for (const day of ["monday", "tuesday", "wednesday", "thursday", "friday"])
      doc.calendars.comercial.week[day] = [{ start: "07:00", end: "18:00" }];
    const saved = await t.app.inject({
      method: "PUT",
      url: "/api/v1/plan",
      headers: manager,
      payload: { document: doc, comment: "abre às 7h" },
    });
    expect(saved.statusCode).toBe(200);

    const after = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/sla`, headers: agent })).json();
    // Friday's hour (17:00–18:00) stays used; the second hour is Monday 07:00–08:00.
    expect(after.clocks.find((c: { kind: string }) => c.kind === "tier_response").targetAt).toBe(
      "2026-11-30T11:00:00.000Z",
    );
    expect(after.planVersion).toBe(1);
    expect(after.calendarVersions).toEqual([1, 2]);
  });
});

describe.each(engines)("escalation actions on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-25T12:00:00.000Z"); // Wednesday 09:00 in São Paulo

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    await withoutRoutingRules(t);
  });
  afterAll(() => t.close());

  it("moves the ticket to another tier and raises its severity when a step says so", async () => {
    const manager = (await tokenFor(t, "manager")).headers;
    const agent = (await tokenFor(t, "agent")).headers;
    const plan = (await t.app.inject({ url: "/api/v1/plan", headers: manager })).json();
    const doc = structuredClone(plan.document);
    doc.escalation.medium.steps = [
      {
        clock: "resolution",
        trigger: "percentElapsed",
        value: 10,
        notify: ["assignee"],
        reassignTo: "L2",
        raiseSeverityTo: "high",
      },
    ];
    expect(
      (
        await t.app.inject({
          method: "PUT",
          url: "/api/v1/plan",
          headers: manager,
          payload: { document: doc, comment: "escalar médio" },
        })
      ).statusCode,
    ).toBe(200);
    const org = (await createOrganization(t)).id;
    const ticket = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: agent,
        payload: {
          organizationId: org,
          subject: "Eco",
          description: "Eco nas chamadas",
          type: "performance",
          severity: "medium",
        },
      })
    ).json();
    // 10 % of 24 business hours is 2 h 24 min: Wednesday 11:24 local.
    clock.set("2026-11-25T14:24:00.000Z");
    await t.platform.jobs.drain();
    const after = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}`, headers: agent })).json();
    expect(after).toMatchObject({ tier: "L2", severity: "high" });
    const timeline = (
      await t.app.inject({
        url: `/api/v1/tickets/${ticket.id}/timeline`,
        headers: { ...agent, "accept-language": "en" },
      })
    ).json();
    expect(timeline.messages.at(-1).body).toBe(
      "Escalation step 1 (resolution): notified assignee; tier L1 → L2; severity medium → high",
    );
    expect(timeline.history.map((h: { field: string; after: string }) => `${h.field}=${h.after}`)).toEqual([
      "tier=L2",
      "severity=high",
    ]);
    // The new tier's clock starts when the ticket entered it.
    const sla = (await t.app.inject({ url: `/api/v1/tickets/${ticket.id}/sla`, headers: agent })).json();
    expect(
      sla.clocks.find((c: { kind: string; tier: string }) => c.kind === "tier_response" && c.tier === "L2").startedAt,
    ).toBe("2026-11-25T14:24:00.000Z");
  });
});
