import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createOrganization,
  createUser,
  engines,
  sessionFor,
  type TestContext,
  testApp,
  tokenFor,
} from "../harness.js";

describe.each(engines)("organizations and users on %s", (engine) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await testApp(engine);
  });
  afterAll(() => t.close());

  it("keeps contract data of a customer: tier, calendar, contacts, DIDs and SIP identities", async () => {
    const { headers } = await tokenFor(t, "manager");
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/organizations",
      headers,
      payload: {
        name: "Padaria São João",
        serviceTier: "ouro",
        calendar: "comercial",
        contacts: [{ name: "Maria", email: "maria@padaria.com.br", phone: "+5511988887777", role: "TI" }],
        phoneNumbers: ["+551130001000", "+551130001001"],
        sipIdentities: ["tronco1@sip.padaria.com.br", "sip:1000@pbx.padaria.com.br:5060"],
      },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      slug: "padaria-sao-joao",
      kind: "customer",
      serviceTier: "ouro",
      phoneNumbers: ["+551130001000", "+551130001001"],
    });
    const dup = await t.app.inject({
      method: "POST",
      url: "/api/v1/organizations",
      headers,
      payload: { name: "Padaria São João" },
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().errors[0].pointer).toBe("/slug");
    const badDid = await t.app.inject({
      method: "POST",
      url: "/api/v1/organizations",
      headers,
      payload: { name: "X", phoneNumbers: ["11 3000-1000"] },
    });
    expect(badDid.statusCode).toBe(400);
    expect(badDid.json().errors[0].pointer).toBe("/phoneNumbers/0");
  });

  it("places users by role and records role changes with a diff", async () => {
    const admin = await tokenFor(t, "admin");
    const org = await createOrganization(t);
    const staffInCustomer = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: admin.headers,
      payload: {
        email: "wrong@example.com",
        name: "W",
        role: "agent",
        organizationId: org.id,
        password: "long enough password",
      },
    });
    expect(staffInCustomer.statusCode).toBe(400);
    const customerWithoutOrg = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: admin.headers,
      payload: { email: "c@example.com", name: "C", role: "customer" },
    });
    expect(customerWithoutOrg.statusCode).toBe(400);
    expect(customerWithoutOrg.json().errors[0].pointer).toBe("/organizationId");

    const agent = await createUser(t, "agent");
    expect(agent.tier).toBe("L1");
    const promoted = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/users/${agent.id}`,
      headers: admin.headers,
      payload: { tier: "L3", teams: ["voz"] },
    });
    expect(promoted.json()).toMatchObject({ tier: "L3", teams: ["voz"] });
    const toManager = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/users/${agent.id}`,
      headers: admin.headers,
      payload: { role: "manager" },
    });
    expect(toManager.json()).toMatchObject({ role: "manager", tier: null });
    const audit = await t.app.inject({
      url: `/api/v1/audit?action=user.role-changed&targetId=${agent.id}`,
      headers: admin.headers,
    });
    const changes = audit.json().items[0].details.changes;
    expect(changes).toEqual(expect.arrayContaining([{ path: "/role", before: "agent", after: "manager" }]));

    const review = await t.app.inject({ url: "/api/v1/audit/access-review", headers: admin.headers });
    expect(review.statusCode).toBe(200);
    expect(
      review
        .json()
        .newPrivileges.some((p: { userId: string; role: string }) => p.userId === agent.id && p.role === "manager"),
    ).toBe(true);
  });

  it("a disabled user loses sessions and cannot log in; nobody disables themself", async () => {
    const admin = await tokenFor(t, "admin");
    const u = await createUser(t, "noc");
    const s = await sessionFor(t, u.email);
    const off = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/users/${u.id}`,
      headers: admin.headers,
      payload: { disabled: true },
    });
    expect(off.json().disabled).toBe(true);
    expect((await t.app.inject({ url: "/api/v1/me", headers: { cookie: s.cookie } })).statusCode).toBe(401);
    const self = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/users/${admin.user.id}`,
      headers: admin.headers,
      payload: { disabled: true },
    });
    expect(self.statusCode).toBe(403);
  });

  it("paginates with opaque cursors and rejects forged ones", async () => {
    const admin = await tokenFor(t, "admin");
    for (let i = 0; i < 5; i++) await createUser(t, "customer", { organizationId: (await createOrganization(t)).id });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { json(): { items: { id: string }[]; nextCursor: string | null } } = await t.app.inject({
        url: `/api/v1/users?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        headers: admin.headers,
      });
      const body: { items: { id: string }[]; nextCursor: string | null } = res.json();
      seen.push(...body.items.map((u: { id: string }) => u.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    const forged = await t.app.inject({ url: "/api/v1/users?cursor=!!!", headers: admin.headers });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().errors[0].pointer).toBe("/cursor");
  });

  it("first start without admin credentials opens a one-time setup", async () => {
    // A second app on a database without users: bootstrap gives a setup URL whose token works once.
    const fresh = await testApp(engine);
    try {
      const { db } = fresh.platform;
      await db.deleteFrom("api_tokens").execute();
      await db.deleteFrom("sessions").execute();
      await db.deleteFrom("users").execute();
      const services = fresh.services;
      const app = fresh.app;
      const url = await services.directory.bootstrap({});
      expect(url).toMatch(/\/setup\?token=/);
      const token = new URL(url!).searchParams.get("token")!;
      const body = { token, email: "first@example.com", name: "First", password: "a long first password" };
      const wrong = await app.inject({
        method: "POST",
        url: "/api/v1/auth/setup",
        payload: { ...body, token: "x".repeat(20) },
      });
      expect(wrong.statusCode).toBe(403);
      const ok = await app.inject({ method: "POST", url: "/api/v1/auth/setup", payload: body });
      expect(ok.statusCode).toBe(201);
      const again = await app.inject({
        method: "POST",
        url: "/api/v1/auth/setup",
        payload: { ...body, email: "second@example.com" },
      });
      expect(again.statusCode).toBe(403);
      const me = await sessionFor({ ...fresh, app } as TestContext, "first@example.com", "a long first password");
      expect(me.cookie).toContain("plantao_session=");
    } finally {
      await fresh.close();
    }
  });
});
