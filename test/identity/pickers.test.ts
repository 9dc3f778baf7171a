import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, createUser, engines, type TestContext, testApp, tokenFor } from "../harness.js";

/** The lists behind the forms' pickers: every user's tokens (to contain one) and the teams staff belong to. */
describe.each(engines)("picker lists on %s", (engine) => {
  let t: TestContext;
  let admin: Record<string, string>;
  let security: Record<string, string>;
  let agent: Record<string, string>;
  let customer: { headers: Record<string, string>; user: { id: string; email: string } };

  beforeAll(async () => {
    t = await testApp(engine);
    const org = (await createOrganization(t, "Acme Telecom")).id;
    admin = (await tokenFor(t, "admin")).headers;
    security = (await tokenFor(t, "security")).headers;
    agent = (await tokenFor(t, "agent")).headers;
    customer = await tokenFor(t, "customer", { organizationId: org });
  });
  afterAll(() => t.close());

  it("lists every user's tokens with their owner, never a secret, a page at a time, searched by owner", async () => {
    const first = await t.app.inject({ url: "/api/v1/tokens/all?limit=2", headers: security });
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
    for (const item of page.items) {
      expect(Object.keys(item).sort()).toEqual(
        [
          "createdAt",
          "expiresAt",
          "id",
          "lastUsedAt",
          "name",
          "owner",
          "prefix",
          "revokedAt",
          "scopes",
          "userId",
        ].sort(),
      );
    }
    const all: { id: string; userId: string }[] = [];
    let cursor: string | null = null;
    do {
      const query = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const body = (await t.app.inject({ url: `/api/v1/tokens/all?limit=2${query}`, headers: admin })).json() as {
        items: { id: string; userId: string }[];
        nextCursor: string | null;
      };
      all.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(all.map((tk) => tk.id)).size).toBe(all.length);
    expect(all.map((tk) => tk.userId)).toContain(customer.user.id);

    const found = (
      await t.app.inject({
        url: `/api/v1/tokens/all?q=${encodeURIComponent(customer.user.email.toUpperCase())}`,
        headers: admin,
      })
    ).json();
    expect(found.items.map((tk: { userId: string }) => tk.userId)).toEqual([customer.user.id]);
    expect(found.items[0].owner.email).toBe(customer.user.email);
  });

  it("leaves revoked tokens out when asked for active ones", async () => {
    const victim = await tokenFor(t, "noc");
    const id = (await t.app.inject({ url: "/api/v1/tokens", headers: victim.headers })).json().items[0].id;
    expect((await t.app.inject({ method: "DELETE", url: `/api/v1/tokens/${id}`, headers: admin })).statusCode).toBe(
      204,
    );
    const ids = async (query: string) =>
      (await t.app.inject({ url: `/api/v1/tokens/all?limit=200${query}`, headers: admin }))
        .json()
        .items.map((tk: { id: string }) => tk.id);
    expect(await ids("")).toContain(id);
    expect(await ids("&active=true")).not.toContain(id);
  });

  it("refuses every token to customers and to staff who do not contain tokens", async () => {
    for (const h of [customer.headers, agent]) {
      const res = await t.app.inject({ url: "/api/v1/tokens/all", headers: h });
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain("prefix");
    }
  });

  it("lists the teams of active staff with their member counts, staff only", async () => {
    const staffUser = (teams: string[]) =>
      t.services.directory.createUser(null, {
        email: `team-${teams.join("-")}-${Math.random().toString(16).slice(2)}@example.com`,
        name: "Team member",
        role: "agent",
        teams,
        password: "team member password",
      });
    await staffUser(["voz", "noc-sp"]);
    await staffUser(["voz"]);
    const gone = await staffUser(["extinto"]);
    const disabled = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/users/${gone.id}`,
      headers: admin,
      payload: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    await createUser(t, "agent");

    const res = await t.app.inject({ url: "/api/v1/teams", headers: agent });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { name: "noc-sp", members: 1 },
      { name: "voz", members: 2 },
    ]);
    const refused = await t.app.inject({ url: "/api/v1/teams", headers: customer.headers });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain("voz");
  });
});
