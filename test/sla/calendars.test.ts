import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

describe.each(engines)("SLA calendars, policies and escalation rules on %s", (engine) => {
  let t: TestContext;
  let manager: Record<string, string>;
  let agent: Record<string, string>;
  beforeAll(async () => {
    t = await testApp(engine);
    manager = (await tokenFor(t, "manager")).headers;
    agent = (await tokenFor(t, "agent")).headers;
  });
  afterAll(() => t.close());

  const week = (intervals: { start: string; end: string }[]) =>
    Object.fromEntries(
      ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map((d) => [
        d,
        d.startsWith("s") ? [] : intervals,
      ]),
    );

  it("lists the plan's calendars, policies and escalation rules", async () => {
    const cals = (await t.app.inject({ url: "/api/v1/sla/calendars", headers: agent })).json();
    expect(cals.items.map((c: { id: string }) => c.id).sort()).toEqual(["24x7", "comercial"]);
    const pol = (await t.app.inject({ url: "/api/v1/sla/policies", headers: agent })).json();
    expect(pol.severities.critical.response).toEqual({ value: 30, unit: "minutes" });
    expect(pol.tiers.L3.responseTime.maximum).toEqual({ value: 2, unit: "businessDays" });
    const esc = (await t.app.inject({ url: "/api/v1/sla/escalation-rules", headers: agent })).json();
    expect(esc.escalation.critical.steps.length).toBeGreaterThan(0);
    expect((await t.app.inject({ url: "/api/v1/sla/calendars/nope", headers: agent })).statusCode).toBe(404);
  });

  it("saves a calendar as a new plan version and refuses overlapping or inverted intervals, changing nothing", async () => {
    const body = (intervals: { start: string; end: string }[]) => ({
      comment: "plantão noturno",
      calendar: {
        name: "Noturno",
        timezone: "America/Sao_Paulo",
        alwaysOpen: false,
        week: week(intervals),
        holidays: { country: "BR", types: ["public"], custom: [] },
      },
    });
    const before = (await t.app.inject({ url: "/api/v1/plan", headers: manager })).json().version;
    const overlap = await t.app.inject({
      method: "PUT",
      url: "/api/v1/sla/calendars/noturno",
      headers: manager,
      payload: body([
        { start: "18:00", end: "22:00" },
        { start: "21:00", end: "23:00" },
      ]),
    });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().errors[0].pointer).toMatch(/^\/calendar\/week\/monday/);
    const inverted = await t.app.inject({
      method: "PUT",
      url: "/api/v1/sla/calendars/noturno",
      headers: manager,
      payload: body([{ start: "22:00", end: "18:00" }]),
    });
    expect(inverted.statusCode).toBe(400);
    expect((await t.app.inject({ url: "/api/v1/plan", headers: manager })).json().version).toBe(before);

    const ok = await t.app.inject({
      method: "PUT",
      url: "/api/v1/sla/calendars/noturno",
      headers: manager,
      payload: body([{ start: "18:00", end: "23:00" }]),
    });
    expect(ok.statusCode).toBe(200);
    expect((await t.app.inject({ url: "/api/v1/plan", headers: manager })).json().version).toBe(before + 1);
    expect((await t.app.inject({ url: "/api/v1/sla/calendars/noturno", headers: agent })).json().name).toBe("Noturno");
    expect(
      (
        await t.app.inject({
          method: "PUT",
          url: "/api/v1/sla/calendars/noturno",
          headers: agent,
          payload: body([{ start: "18:00", end: "23:00" }]),
        })
      ).statusCode,
    ).toBe(403);
  });
});
