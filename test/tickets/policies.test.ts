import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor, withoutRoutingRules } from "../harness.js";

type Clock = { kind: string; tier: string | null; targetAt: string; breachAt: string; calendar: string };

/** SLA policies end to end: saved in the plan, listed, simulated and applied to real tickets. */
describe.each(engines)("SLA policies on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-11-27T20:00:00.000Z"); // Friday 17:00 in São Paulo
  let manager: Record<string, string>;
  let agent: Record<string, string>;
  let customerB: Record<string, string>;
  let orgA: string;
  let orgB: string;

  const gold = (orgId: string, l1: { target: number; maximum: number }) => ({
    id: "gold",
    name: "Contrato ouro",
    conditions: { organizationIds: [orgId] },
    tiers: { L1: { target: { value: l1.target, unit: "minutes" }, maximum: { value: l1.maximum, unit: "minutes" } } },
  });
  const phone = {
    id: "phone",
    name: "Telefone 24x7",
    conditions: { channels: ["phone"] },
    severities: { low: { response: { value: 1, unit: "hours" }, calendar: "24x7" } },
  };
  const goldCritical = (orgId: string) => ({
    id: "gold-critical",
    name: "Ouro crítico",
    conditions: { organizationIds: [orgId], severities: ["critical"] },
    severities: { critical: { response: { value: 10, unit: "minutes" } } },
  });

  const savePolicies = async (policies: unknown[], comment = "políticas") => {
    const current = (await t.app.inject({ url: "/api/v1/plan", headers: manager })).json();
    return t.app.inject({
      method: "PUT",
      url: "/api/v1/plan",
      headers: manager,
      payload: { document: { ...current.document, slaPolicies: policies }, comment },
    });
  };
  const open = async (payload: Record<string, unknown>) => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: agent,
      payload: { subject: "Sem áudio", description: "Chamadas mudas", type: "feature_failure", ...payload },
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string };
  };
  const slaOf = async (id: string) => (await t.app.inject({ url: `/api/v1/tickets/${id}/sla`, headers: agent })).json();
  const clockOf = (sla: { clocks: Clock[] }, kind: string) => sla.clocks.find((c) => c.kind === kind)!;

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    await withoutRoutingRules(t);
    manager = (await tokenFor(t, "manager")).headers;
    agent = (await tokenFor(t, "agent")).headers;
    orgA = (await createOrganization(t)).id;
    orgB = (await createOrganization(t)).id;
    customerB = (await tokenFor(t, "customer", { organizationId: orgB })).headers;
  });
  afterAll(() => t.close());

  it("refuses invalid policies with a pointer to the field, and changes nothing", async () => {
    const before = (await t.app.inject({ url: "/api/v1/plan", headers: manager })).json().version;
    const cases: [unknown[], string][] = [
      [[gold(orgA, { target: 30, maximum: 60 }), { ...phone, id: "gold" }], "/document/slaPolicies/1/id"],
      [[{ ...phone, conditions: { channels: ["fax"] } }], "/document/slaPolicies/0/conditions/channels/0"],
      [[{ ...phone, severities: { low: { calendar: "noturno" } } }], "/document/slaPolicies/0/severities/low/calendar"],
    ];
    for (const [policies, pointer] of cases) {
      const res = await savePolicies(policies);
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toContain("application/problem+json");
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual([pointer]);
    }
    expect((await t.app.inject({ url: "/api/v1/plan", headers: manager })).json().version).toBe(before);
  });

  it("lists the policies in order, the plan's own targets last; customers may not read them", async () => {
    expect((await savePolicies([goldCritical(orgA), gold(orgA, { target: 30, maximum: 60 }), phone])).statusCode).toBe(
      200,
    );
    const list = (await t.app.inject({ url: "/api/v1/sla/policies", headers: agent })).json();
    expect(list.items.map((p: { id: string; position: number }) => `${p.position}:${p.id}`)).toEqual([
      "1:gold-critical",
      "2:gold",
      "3:phone",
      "4:default",
    ]);
    expect(list.items[1].conditions).toEqual({ organizationIds: [orgA] });
    expect(list.severities.critical.response).toEqual({ value: 30, unit: "minutes" });
    expect((await t.app.inject({ url: "/api/v1/sla/policies", headers: customerB })).statusCode).toBe(403);
  });

  it("replaces the list through /sla/policies too: fields named inside the request, agents refused", async () => {
    const put = (headers: Record<string, string>, policies: unknown[]) =>
      t.app.inject({
        method: "PUT",
        url: "/api/v1/sla/policies",
        headers,
        payload: { policies, comment: "reordenar" },
      });
    const before = (await t.app.inject({ url: "/api/v1/plan", headers: manager })).json().version;
    const dup = await put(manager, [phone, { ...phone, name: "Outro" }]);
    expect(dup.statusCode).toBe(400);
    expect(dup.json().errors).toEqual([expect.objectContaining({ pointer: "/policies/1/id" })]);
    expect((await put(agent, [phone])).statusCode).toBe(403);
    expect((await t.app.inject({ url: "/api/v1/plan", headers: manager })).json().version).toBe(before);
    // The same order again: a new version with the same list.
    const same = await put(manager, [goldCritical(orgA), gold(orgA, { target: 30, maximum: 60 }), phone]);
    expect(same.statusCode).toBe(200);
    expect(same.json().items.map((p: { id: string }) => p.id)).toEqual(["gold-critical", "gold", "phone", "default"]);
    expect((await t.app.inject({ url: "/api/v1/plan", headers: manager })).json().version).toBe(before + 1);
  });

  it("simulates with the organization's and the channel's policy", async () => {
    const sim = async (extra: Record<string, unknown>) =>
      (
        await t.app.inject({
          method: "POST",
          url: "/api/v1/sla/simulate",
          headers: agent,
          payload: { severity: "low", tier: "L1", openedAt: "2026-11-27T17:00:00-03:00", ...extra },
        })
      ).json();
    const org = await sim({ organizationId: orgA });
    expect(org.policy).toEqual({ id: "gold", name: "Contrato ouro" });
    expect(clockOf(org, "tier_response")).toMatchObject({
      targetAt: "2026-11-27T20:30:00.000Z",
      breachAt: "2026-11-27T21:00:00.000Z",
    });
    const byPhone = await sim({ organizationId: orgB, channel: "phone" });
    expect(byPhone.policy.id).toBe("phone");
    expect(clockOf(byPhone, "first_response")).toMatchObject({
      calendar: "24x7",
      breachAt: "2026-11-27T21:00:00.000Z",
    });
    const plain = await sim({ organizationId: orgB, channel: "email", type: "bug" });
    expect(plain.policy).toEqual({ id: "default", name: "Padrão do plano" });
    expect(clockOf(plain, "tier_response").targetAt).toBe("2026-11-30T12:00:00.000Z");
  });

  it("applies the first matching policy to a real ticket and says which, with the plan version", async () => {
    const a = await open({ organizationId: orgA, severity: "low", channel: "phone" });
    const sla = await slaOf(a.id);
    // Gold comes before phone: the organization's contract wins.
    expect(sla.policy).toEqual({ id: "gold", name: "Contrato ouro" });
    expect(sla.policyHistory).toEqual([{ id: "gold", name: "Contrato ouro", from: "2026-11-27T20:00:00.000Z" }]);
    expect(sla.planVersion).toBe(3);
    expect(clockOf(sla, "tier_response").breachAt).toBe("2026-11-27T21:00:00.000Z");
    const b = await open({ organizationId: orgB, severity: "low", channel: "phone" });
    expect((await slaOf(b.id)).policy.id).toBe("phone");
    expect(clockOf(await slaOf(b.id), "first_response").breachAt).toBe("2026-11-27T21:00:00.000Z");
    const c = await open({ organizationId: orgB, severity: "low", channel: "email" });
    expect((await slaOf(c.id)).policy.id).toBe("default");
    // Another organization's customer never sees the ticket's clocks or which contract it runs on.
    const hidden = await t.app.inject({ url: `/api/v1/tickets/${a.id}/sla`, headers: customerB });
    expect(hidden.statusCode).toBe(403);
    expect(hidden.body).not.toContain("gold");
  });

  it("applies a change of the policies to new tickets only", async () => {
    const before = await open({ organizationId: orgA, severity: "low" });
    clock.set("2026-11-27T20:10:00.000Z");
    expect((await savePolicies([goldCritical(orgA), gold(orgA, { target: 60, maximum: 120 }), phone])).statusCode).toBe(
      200,
    );
    const old = await slaOf(before.id);
    expect([old.planVersion, clockOf(old, "tier_response").breachAt]).toEqual([3, "2026-11-27T21:00:00.000Z"]);
    const after = await open({ organizationId: orgA, severity: "low" });
    const fresh = await slaOf(after.id);
    // Friday 17:10: 50 business minutes to 18:00, the other 70 on Monday from 08:00.
    expect([fresh.planVersion, clockOf(fresh, "tier_response").breachAt]).toEqual([4, "2026-11-30T12:10:00.000Z"]);
  });

  it("chooses again when the severity changes: the clocks take the new policy's budgets from their start", async () => {
    clock.set("2026-11-28T12:00:00.000Z"); // Saturday 09:00
    const ticket = await open({ organizationId: orgA, severity: "high" });
    expect((await slaOf(ticket.id)).policy.id).toBe("gold");
    clock.set("2026-11-28T12:05:00.000Z");
    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/tickets/${ticket.id}`,
      headers: agent,
      payload: { severity: "critical" },
    });
    expect(patched.statusCode).toBe(200);
    const sla = await slaOf(ticket.id);
    expect(sla.policy.id).toBe("gold-critical");
    expect(sla.policyHistory.map((p: { id: string; from: string }) => `${p.id}@${p.from}`)).toEqual([
      "gold@2026-11-28T12:00:00.000Z",
      "gold-critical@2026-11-28T12:05:00.000Z",
    ]);
    // Critical under gold-critical: 10 minutes on 24x7 from the opening.
    expect(clockOf(sla, "first_response").breachAt).toBe("2026-11-28T12:10:00.000Z");
  });
});
