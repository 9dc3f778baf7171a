import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, harnessActor, type TestContext, testApp, tokenFor } from "../harness.js";

/** The on-call API: roles and tenancy, validation, warnings, who is on call at T, acknowledging by API. */

type Headers = Record<string, string>;

describe.each(engines)("on-call API on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-12-01T15:00:00.000Z");
  let noc: { user: { id: string; email: string }; headers: Headers };
  let noc2: { user: { id: string; email: string }; headers: Headers };
  let agent: { user: { id: string }; headers: Headers };
  let customer: { user: { id: string }; headers: Headers };
  let rotationId: string;

  const call = (method: string, url: string, headers: Headers, payload?: unknown) =>
    t.app.inject({
      method: method as "GET",
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    noc = await tokenFor(t, "noc");
    noc2 = await tokenFor(t, "noc");
    agent = await tokenFor(t, "agent");
    const org = await createOrganization(t);
    customer = await tokenFor(t, "customer-admin", { organizationId: org.id });
    const res = await call("POST", "/api/v1/oncall/rotations", noc.headers, {
      name: "NOC 24x7",
      team: "noc",
      timezone: "America/Sao_Paulo",
      layers: [
        {
          name: "Primário",
          participants: [noc.user.id, noc2.user.id],
          handoff: { every: "week", at: "09:00" },
          startsOn: "2026-11-30",
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    rotationId = res.json().id;
  });
  afterAll(() => t.close());

  it("customers never see on-call data: every on-call route answers them 403", async () => {
    for (const [method, url] of [
      ["GET", "/api/v1/oncall/rotations"],
      ["GET", `/api/v1/oncall/rotations/${rotationId}`],
      ["GET", `/api/v1/oncall/rotations/${rotationId}/schedule`],
      ["GET", `/api/v1/oncall/rotations/${rotationId}/overrides`],
      ["GET", "/api/v1/oncall/now"],
      ["GET", "/api/v1/escalation-policies"],
      ["GET", "/api/v1/me/pages"],
      ["GET", "/api/v1/pages"],
      ["POST", `/api/v1/pages/${randomUUID()}/acknowledge`],
    ] as const) {
      const res = await call(method, url, customer.headers);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
    }
    // Nor the page events on the stream: they are the provider's.
    const { mayReadEvent } = await import("../../src/modules/identity/event-visibility.js");
    const actor = (await t.services.directory.findUserByEmail(
      (
        await t.services.directory.getUser(customer.user.id)
      ).email,
    ))!;
    expect(mayReadEvent(actor, { type: "page.triggered", organizationId: null, subjectId: null })).toBe(false);
  });

  it("agents read the schedule but only operators change it", async () => {
    expect((await call("GET", "/api/v1/oncall/rotations", agent.headers)).statusCode).toBe(200);
    expect((await call("GET", "/api/v1/escalation-policies", agent.headers)).statusCode).toBe(200);
    const refused = await call("POST", "/api/v1/oncall/rotations", agent.headers, {
      name: "x",
      timezone: "America/Sao_Paulo",
      layers: [],
    });
    expect(refused.statusCode).toBe(403);
  });

  it("names the field at fault: an unknown zone, a customer as participant, an override that ends before it starts", async () => {
    const layer = {
      name: "L",
      participants: [noc.user.id],
      handoff: { every: "day", at: "09:00" },
      startsOn: "2026-12-01",
    };
    const zone = await call("POST", "/api/v1/oncall/rotations", noc.headers, {
      name: "x",
      timezone: "Mars/Olympus",
      layers: [layer],
    });
    expect(zone.statusCode).toBe(400);
    expect(zone.json().errors[0].pointer).toBe("/timezone");
    const participant = await call("POST", "/api/v1/oncall/rotations", noc.headers, {
      name: "x",
      timezone: "America/Sao_Paulo",
      layers: [{ ...layer, participants: [noc.user.id, customer.user.id] }],
    });
    expect(participant.statusCode).toBe(400);
    expect(participant.json().errors[0].pointer).toBe("/layers/0/participants/1");
    const date = await call("POST", "/api/v1/oncall/rotations", noc.headers, {
      name: "x",
      timezone: "America/Sao_Paulo",
      layers: [{ ...layer, startsOn: "2026-02-30" }],
    });
    expect(date.statusCode).toBe(400);
    const backwards = await call("POST", `/api/v1/oncall/rotations/${rotationId}/overrides`, noc.headers, {
      userId: noc2.user.id,
      startsAt: "2026-12-02T10:00:00Z",
      endsAt: "2026-12-02T09:00:00Z",
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors[0].pointer).toBe("/endsAt");
    const policy = await call("POST", "/api/v1/escalation-policies", noc.headers, {
      name: "x",
      steps: [{ targets: [{ kind: "rotation" }], waitMinutes: 5 }],
    });
    expect(policy.statusCode).toBe(400);
    expect(policy.json().errors[0].pointer).toBe("/steps/0/targets/0/rotationId");
    // Nothing was stored by the refusals.
    expect((await call("GET", "/api/v1/oncall/rotations", noc.headers)).json().items).toHaveLength(1);
  });

  it("who is on call at T, overrides above the layer, and overlapping overrides as a visible warning", async () => {
    const at = (iso: string) => call("GET", `/api/v1/oncall/now?at=${encodeURIComponent(iso)}`, agent.headers);
    expect((await at("2026-12-02T12:00:00.000Z")).json().items).toEqual([
      expect.objectContaining({
        rotationId,
        userId: noc.user.id,
        since: "2026-11-30T12:00:00.000Z",
        until: "2026-12-07T12:00:00.000Z",
      }),
    ]);
    expect((await at("2026-12-08T12:00:00.000Z")).json().items[0].userId).toBe(noc2.user.id);
    const o1 = await call("POST", `/api/v1/oncall/rotations/${rotationId}/overrides`, noc.headers, {
      userId: noc2.user.id,
      startsAt: "2026-12-03T10:00:00Z",
      endsAt: "2026-12-03T14:00:00Z",
      reason: "troca",
    });
    expect(o1.statusCode, o1.body).toBe(201);
    const o2 = await call("POST", `/api/v1/oncall/rotations/${rotationId}/overrides`, noc.headers, {
      userId: noc.user.id,
      startsAt: "2026-12-03T13:00:00Z",
      endsAt: "2026-12-03T15:00:00Z",
    });
    expect(o2.statusCode).toBe(201);
    expect((await at("2026-12-03T11:00:00.000Z")).json().items[0]).toMatchObject({
      userId: noc2.user.id,
      source: { type: "override", id: o1.json().id },
    });
    const rotation = (await call("GET", `/api/v1/oncall/rotations/${rotationId}`, agent.headers)).json();
    expect(rotation.warnings).toEqual([
      {
        kind: "overlap",
        start: "2026-12-03T13:00:00.000Z",
        end: "2026-12-03T14:00:00.000Z",
        overrideIds: [o1.json().id, o2.json().id],
      },
    ]);
    const schedule = (
      await call(
        "GET",
        `/api/v1/oncall/rotations/${rotationId}/schedule?from=2026-12-03T00:00:00Z&to=2026-12-04T00:00:00Z`,
        agent.headers,
      )
    ).json();
    expect(schedule.segments.map((s: { userId: string }) => s.userId)).toEqual([
      noc.user.id,
      noc2.user.id,
      noc.user.id,
      noc.user.id,
    ]);
    const removed = await call(
      "DELETE",
      `/api/v1/oncall/rotations/${rotationId}/overrides/${o2.json().id}`,
      noc.headers,
    );
    expect(removed.statusCode).toBe(204);
    expect((await call("GET", `/api/v1/oncall/rotations/${rotationId}`, agent.headers)).json().warnings).toEqual([]);
  });

  it("the plan's matrix is the default policy per severity; a critical page tells the on-call, the NOC and the customers", async () => {
    const policies = (await call("GET", "/api/v1/escalation-policies", agent.headers)).json().items;
    expect(policies.map((p: { defaultFor: string }) => p.defaultFor).sort()).toEqual([
      "critical",
      "high",
      "low",
      "medium",
    ]);
    const critical = policies.find((p: { defaultFor: string }) => p.defaultFor === "critical");
    expect(critical.steps[0].waitMinutes).toBe(30);
    expect(critical.steps[0].targets).toEqual(
      expect.arrayContaining([{ kind: "oncall" }, { kind: "role", role: "noc" }, { kind: "customers" }]),
    );
    expect(critical.steps[2].targets).toEqual(expect.arrayContaining([{ kind: "emergencyContacts" }]));

    clock.set("2026-12-02T15:00:00.000Z");
    const subject = { type: "incident", id: randomUUID() };
    const { pageId } = await t.services.escalations.page({
      subject,
      policyId: null,
      severity: "critical",
      title: "Plataforma indisponível",
      customers: [{ email: "ti@cliente.example", locale: "en" }],
    });
    await t.platform.jobs.drain();
    const sent = await t.platform.db
      .selectFrom("notifications")
      .select(["recipient", "template", "channel", "locale"])
      .where("thread", "=", `page:${pageId}`)
      .execute();
    expect(sent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ recipient: noc.user.email, template: "page.staff", channel: "email" }),
        expect.objectContaining({ recipient: noc2.user.email, template: "page.staff", channel: "email" }),
        expect.objectContaining({ recipient: "ti@cliente.example", template: "page.customer", locale: "en" }),
      ]),
    );

    // My pages: the NOC engineer sees it; the agent was not told.
    expect(
      (await call("GET", "/api/v1/me/pages", noc2.headers)).json().items.map((p: { id: string }) => p.id),
    ).toContain(pageId);
    expect((await call("GET", "/api/v1/me/pages", agent.headers)).json().items).toEqual([]);

    // Acknowledge by API: an agent it did not tell may not; the engineer may, once; twice is a clear 409.
    expect((await call("POST", `/api/v1/pages/${pageId}/acknowledge`, agent.headers)).statusCode).toBe(403);
    const ack = await call("POST", `/api/v1/pages/${pageId}/acknowledge`, noc2.headers);
    expect(ack.statusCode, ack.body).toBe(200);
    expect(ack.json().page).toMatchObject({ status: "acknowledged", acknowledgedBy: { id: noc2.user.id } });
    const twice = await call("POST", `/api/v1/pages/${pageId}/acknowledge`, noc.headers);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().type).toBe("urn:plantao:problem:page-already-acknowledged");
    expect(twice.json().detail).toContain(ack.json().page.acknowledgedBy.name);
    await t.services.escalations.resolve({ subject });
  });

  it("a step to a team tells that team's active staff, and nobody else", async () => {
    const member = (role: "agent" | "noc", teams: string[], n: number) =>
      t.services.directory.createUser(null, {
        email: `team-${n}-${randomUUID().slice(0, 8)}@example.com`,
        name: `Team ${n}`,
        role,
        teams,
        password: "correct horse battery staple",
      });
    const inTeam = [await member("agent", ["voip-core"], 1), await member("noc", ["voip-core", "noc"], 2)];
    const gone = await member("agent", ["voip-core"], 3);
    await t.services.directory.updateUser(
      harnessActor(t),
      gone.id,
      { disabled: true },
      { ip: "127.0.0.1", headers: {} },
    );
    await member("agent", ["billing"], 4);
    const created = await call("POST", "/api/v1/escalation-policies", noc.headers, {
      name: "VoIP core team",
      steps: [{ targets: [{ kind: "team", team: "voip-core" }], waitMinutes: 5 }],
      repeat: 0,
    });
    expect(created.statusCode, created.body).toBe(201);
    const { pageId } = await t.services.escalations.page({
      subject: { type: "incident", id: randomUUID() },
      policyId: created.json().id,
      severity: "high",
      title: "SBC core overloaded",
    });
    await t.platform.jobs.drain();
    const sent = await t.platform.db
      .selectFrom("notifications")
      .select("recipient")
      .where("thread", "=", `page:${pageId}`)
      .where("channel", "=", "email")
      .execute();
    expect(sent.map((n) => n.recipient).sort()).toEqual(inTeam.map((u) => u.email).sort());
  });
});
