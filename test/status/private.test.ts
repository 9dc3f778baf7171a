import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

type Headers = Record<string, string>;
const HOUR = 3_600_000;

/**
 * The private status page (GET /api/v1/status/mine, the portal's "Service status"): a customer sees its own
 * organization's components and the public ones, and never learns of another organization's private component,
 * not by its name, its id, an incident on it nor a window that also runs on it.
 */
describe.each(engines)("the customers' private status page on %s", (engine) => {
  let t: TestContext;
  let admin: Headers;
  const who: Record<string, Headers> = {};
  const ids: Record<string, string> = {};
  /** Each organization's customer administrator's address: the contacts told of windows on its components. */
  const contact: Record<string, string> = {};
  const clock = new ManualClock("2026-12-07T05:00:00.000Z");

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    admin = (await tokenFor(t, "admin")).headers;
    const orgA = (await createOrganization(t, "Cliente A")).id;
    const orgB = (await createOrganization(t, "Cliente B")).id;
    who.a = (await tokenFor(t, "customer", { organizationId: orgA })).headers;
    who.aAdmin = (await tokenFor(t, "customer-admin", { organizationId: orgA })).headers;
    who.b = (await tokenFor(t, "customer", { organizationId: orgB })).headers;
    const orgC = (await createOrganization(t, "Cliente C")).id;
    for (const [key, organizationId] of [
      ["a", orgA],
      ["b", orgB],
      ["c", orgC],
    ] as const) {
      contact[key] = (await tokenFor(t, "customer-admin", { organizationId })).user.email;
    }
    for (const [key, body] of [
      ["shared", { name: "Registro SIP" }],
      ["pbxA", { name: "PBX Alfa", organizationIds: [orgA] }],
      ["pbxB", { name: "PBX Bravo", organizationIds: [orgB] }],
      ["both", { name: "Tronco AB", organizationIds: [orgA, orgB] }],
    ] as const) {
      const res = await call("POST", "/api/v1/components", admin, body);
      expect(res.statusCode, res.body).toBe(201);
      ids[key] = res.json().id;
    }
    // One window on A's and B's private components; one incident on B's only; one on the shared component.
    const window = await call("POST", "/api/v1/maintenance-windows", admin, {
      title: "Troca de placas",
      startsAt: new Date(clock.now().getTime() + 72 * HOUR).toISOString(),
      endsAt: new Date(clock.now().getTime() + 75 * HOUR).toISOString(),
      componentIds: [ids.pbxA, ids.pbxB],
    });
    expect(window.statusCode, window.body).toBe(201);
    for (const [title, componentIds] of [
      ["Queda no PBX Bravo", [ids.pbxB]],
      ["Lentidão no registro", [ids.shared]],
    ] as const) {
      const inc = await call("POST", "/api/v1/incidents", admin, { title, severity: "high", componentIds });
      expect(inc.statusCode, inc.body).toBe(201);
      await call("POST", `/api/v1/incidents/${inc.json().id}/updates`, admin, { body: title, visibility: "public" });
    }
    await t.services.status.page.refresh();
  }, 240_000);
  afterAll(async () => t?.close());

  const call = (method: string, url: string, headers: Headers, payload?: unknown) =>
    t.app.inject({
      method: method as "GET",
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const mine = async (h: Headers) => {
    const res = await call("GET", "/api/v1/status/mine", h);
    expect(res.statusCode, res.body).toBe(200);
    return res;
  };

  it("shows a customer its own components and the public ones, with their incidents and windows", async () => {
    for (const h of [who.a!, who.aAdmin!]) {
      const view = (await mine(h)).json();
      expect(view.components.map((c: { name: string }) => c.name).sort()).toEqual([
        "PBX Alfa",
        "Registro SIP",
        "Tronco AB",
      ]);
      expect(view.maintenance).toEqual([
        expect.objectContaining({ title: "Troca de placas", componentIds: [ids.pbxA] }),
      ]);
      expect(view.incidents.map((i: { title: string }) => i.title)).toEqual(["Lentidão no registro"]);
    }
    const b = (await mine(who.b!)).json();
    expect(b.components.map((c: { name: string }) => c.name).sort()).toEqual([
      "PBX Bravo",
      "Registro SIP",
      "Tronco AB",
    ]);
    expect(b.maintenance[0].componentIds).toEqual([ids.pbxB]);
    expect(b.incidents.map((i: { title: string }) => i.title).sort()).toEqual([
      "Lentidão no registro",
      "Queda no PBX Bravo",
    ]);
    // B's outage is B's headline, not A's.
    expect(b.status).not.toBe("operational");
  });

  it("never names another organization's private component, in any field", async () => {
    const a = (await mine(who.a!)).body;
    for (const leak of ["PBX Bravo", ids.pbxB!, "Queda no PBX Bravo"]) expect(a).not.toContain(leak);
    const b = (await mine(who.b!)).body;
    for (const leak of ["PBX Alfa", ids.pbxA!]) expect(b).not.toContain(leak);
    // The public page and feed name no private component at all.
    for (const url of ["/api/v1/status", "/status", "/status?lang=en", "/status/feed.atom"]) {
      const body = (await call("GET", url, {})).body;
      for (const leak of ["PBX Alfa", "PBX Bravo", "Tronco AB", ids.pbxA!, ids.pbxB!, "Queda no PBX Bravo"])
        expect(body, url).not.toContain(leak);
      if (!url.includes("feed")) expect(body).toContain("Registro SIP");
    }
    // Nor the component routes: another organization's component is not found, not forbidden.
    expect((await call("GET", `/api/v1/components/${ids.pbxB}`, who.a!)).statusCode).toBe(404);
    expect((await call("GET", `/api/v1/components/${ids.pbxA}`, who.b!)).statusCode).toBe(404);
  });

  it("tells each affected organization's contacts of a window, naming only their own components", async () => {
    for (let i = 0; i < 3; i++) await t.platform.jobs.drain();
    const notices = await t.platform.db
      .selectFrom("notifications")
      .select(["recipient", "params"])
      .where("template", "=", "status.maintenance")
      .execute();
    const to = (email: string) => notices.filter((n) => n.recipient === email).map((n) => JSON.stringify(n.params));
    expect(to(contact.a!)).toHaveLength(1);
    expect(to(contact.a!)[0]).toContain("PBX Alfa");
    expect(to(contact.a!)[0]).not.toContain("PBX Bravo");
    expect(to(contact.b!)).toHaveLength(1);
    expect(to(contact.b!)[0]).toContain("PBX Bravo");
    expect(to(contact.b!)[0]).not.toContain("PBX Alfa");
    expect(to(contact.c!)).toEqual([]);
  });

  it("needs a signed-in user; staff see every component", async () => {
    expect((await call("GET", "/api/v1/status/mine", {})).statusCode).toBe(401);
    const staff = (await mine(admin)).json();
    expect(staff.components).toHaveLength(4);
  });
});
