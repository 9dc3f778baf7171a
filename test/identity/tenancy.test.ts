import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Role, roles } from "../../src/modules/identity/roles.js";
import { uuidv7 } from "../../src/platform/ids.js";
import { planUpdated, ticketUpdated } from "../fixtures/events.js";
import { createOrganization, createUser, engines, type TestContext, testApp, tokenFor } from "../harness.js";

/**
 * Roles x resources: what each role may reach, and that a customer never sees another
 * organization's objects (they are 404, as if they did not exist).
 */
describe.each(engines)("roles and tenancy on %s", (engine) => {
  let t: TestContext;
  let ownOrg: string;
  let otherOrg: string;
  let otherOrgUser: string;
  let otherToken: string;
  let otherTicket: string;
  const headers = new Map<Role, Record<string, string>>();
  const userIds = new Map<Role, string>();

  beforeAll(async () => {
    t = await testApp(engine);
    ownOrg = (await createOrganization(t, "Acme Telecom")).id;
    otherOrg = (await createOrganization(t, "Outra Empresa")).id;
    otherOrgUser = (await createUser(t, "customer", { organizationId: otherOrg })).id;
    for (const role of roles) {
      const customer = role === "customer" || role === "customer-admin";
      const { headers: h, user } = await tokenFor(t, role, { organizationId: customer ? ownOrg : undefined });
      headers.set(role, h);
      userIds.set(role, user.id);
    }
    const otherCustomer = await tokenFor(t, "customer", { organizationId: otherOrg });
    otherToken = otherCustomer.user.id;
    otherTicket = (
      await t.app.inject({
        method: "POST",
        url: "/api/v1/tickets",
        headers: otherCustomer.headers,
        payload: {
          subject: "Sem áudio",
          description: "Chamadas sem áudio",
          type: "feature_failure",
          severity: "medium",
        },
      })
    ).json().id;
  });
  afterAll(() => t.close());

  const staff: Role[] = ["admin", "manager", "agent", "noc", "security", "auditor"];
  const auditReaders: Role[] = ["admin", "manager", "security", "auditor"];
  const orgWriters: Role[] = ["admin", "manager"];
  const userReaders: Role[] = [...staff, "customer-admin"];

  type Case = {
    name: string;
    expect: (role: Role) => number;
    run: (h: Record<string, string>) => Promise<{ statusCode: number }>;
  };
  const cases: Case[] = [
    {
      name: "list organizations",
      expect: () => 200,
      run: (h) => t.app.inject({ url: "/api/v1/organizations", headers: h }),
    },
    {
      name: "read own organization",
      expect: () => 200,
      run: (h) => t.app.inject({ url: `/api/v1/organizations/${ownOrg}`, headers: h }),
    },
    {
      name: "read another organization",
      expect: (r) => (staff.includes(r) ? 200 : 404),
      run: (h) => t.app.inject({ url: `/api/v1/organizations/${otherOrg}`, headers: h }),
    },
    {
      name: "create an organization",
      expect: (r) => (orgWriters.includes(r) ? 201 : 403),
      run: (h) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/organizations",
          headers: h,
          payload: { name: `Org ${Math.random()}` },
        }),
    },
    {
      name: "change another organization",
      expect: (r) => (orgWriters.includes(r) ? 200 : 403),
      run: (h) =>
        t.app.inject({
          method: "PATCH",
          url: `/api/v1/organizations/${otherOrg}`,
          headers: h,
          payload: { serviceTier: "gold" },
        }),
    },
    {
      name: "list users",
      expect: (r) => (userReaders.includes(r) ? 200 : 403),
      run: (h) => t.app.inject({ url: "/api/v1/users", headers: h }),
    },
    {
      name: "read another organization's user",
      expect: (r) => (staff.includes(r) ? 200 : r === "customer-admin" ? 404 : 403),
      run: (h) => t.app.inject({ url: `/api/v1/users/${otherOrgUser}`, headers: h }),
    },
    {
      name: "create a customer in another organization",
      expect: (r) => (orgWriters.includes(r) ? 201 : r === "customer-admin" ? 404 : 403),
      run: (h) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/users",
          headers: h,
          payload: {
            email: `c${Math.random()}@x.com`,
            name: "C",
            role: "customer",
            organizationId: otherOrg,
            password: "long enough password",
          },
        }),
    },
    {
      name: "create a customer in own organization",
      expect: (r) => (orgWriters.includes(r) || r === "customer-admin" ? 201 : 403),
      run: (h) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/users",
          headers: h,
          payload: {
            email: `o${Math.random()}@x.com`,
            name: "O",
            role: "customer",
            organizationId: ownOrg,
            password: "long enough password",
          },
        }),
    },
    {
      name: "create an admin",
      expect: (r) => (r === "admin" ? 201 : 403),
      run: (h) =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/users",
          headers: h,
          payload: { email: `a${Math.random()}@x.com`, name: "A", role: "admin", password: "long enough password" },
        }),
    },
    {
      name: "change another organization's user",
      expect: (r) => (orgWriters.includes(r) ? 200 : r === "customer-admin" ? 404 : 403),
      run: (h) =>
        t.app.inject({
          method: "PATCH",
          url: `/api/v1/users/${otherOrgUser}`,
          headers: h,
          payload: { name: "Renamed" },
        }),
    },
    {
      name: "read the audit trail",
      expect: (r) => (auditReaders.includes(r) ? 200 : 403),
      run: (h) => t.app.inject({ url: "/api/v1/audit", headers: h }),
    },
    {
      name: "verify the audit chain",
      expect: (r) => (auditReaders.includes(r) ? 200 : 403),
      run: (h) => t.app.inject({ url: "/api/v1/audit/verify", headers: h }),
    },
    {
      name: "read the access review",
      expect: (r) => (auditReaders.includes(r) ? 200 : 403),
      run: (h) => t.app.inject({ url: "/api/v1/audit/access-review?week=2026-W48", headers: h }),
    },
    {
      name: "read the plan",
      expect: (r) => (staff.includes(r) ? 200 : 403),
      run: (h) => t.app.inject({ url: "/api/v1/plan", headers: h }),
    },
    {
      name: "read plan findings",
      expect: (r) => (staff.includes(r) ? 200 : 403),
      run: (h) => t.app.inject({ url: "/api/v1/plan/findings", headers: h }),
    },
    {
      name: "read the holiday regions",
      expect: (r) => (staff.includes(r) ? 200 : 403),
      run: (h) => t.app.inject({ url: "/api/v1/plan/holiday-regions", headers: h }),
    },
    {
      name: "change the plan",
      expect: (r) => (orgWriters.includes(r) ? 200 : 403),
      run: async (h) => {
        const current = await t.services.plan.current();
        return t.app.inject({
          method: "PUT",
          url: "/api/v1/plan",
          headers: h,
          payload: { document: current.document, comment: "matrix" },
        });
      },
    },
    {
      name: "read another organization's ticket",
      expect: (r) => (staff.includes(r) ? 200 : 404),
      run: (h) => t.app.inject({ url: `/api/v1/tickets/${otherTicket}`, headers: h }),
    },
    {
      name: "reply on another organization's ticket",
      expect: (r) => (r === "auditor" ? 403 : staff.includes(r) ? 201 : 404),
      run: (h) =>
        t.app.inject({
          method: "POST",
          url: `/api/v1/tickets/${otherTicket}/messages`,
          headers: h,
          payload: { body: "olá", visibility: "public" },
        }),
    },
    { name: "list own tokens", expect: () => 200, run: (h) => t.app.inject({ url: "/api/v1/tokens", headers: h }) },
    {
      name: "list another user's tokens",
      expect: (r) => (r === "admin" ? 200 : 403),
      run: (h) => t.app.inject({ url: `/api/v1/tokens?userId=${otherToken}`, headers: h }),
    },
    {
      name: "list every user's tokens",
      expect: (r) => (r === "admin" || r === "security" ? 200 : 403),
      run: (h) => t.app.inject({ url: "/api/v1/tokens/all", headers: h }),
    },
    {
      name: "list the teams",
      expect: (r) => (staff.includes(r) ? 200 : 403),
      run: (h) => t.app.inject({ url: "/api/v1/teams", headers: h }),
    },
  ];

  for (const c of cases) {
    it.each(roles)(`${c.name}: %s`, async (role) => {
      const res = await c.run(headers.get(role)!);
      expect(res.statusCode, `${role} ${c.name}`).toBe(c.expect(role));
    });
    it(`${c.name}: anonymous is 401`, async () => {
      expect((await c.run({})).statusCode).toBe(401);
    });
  }

  it("a customer's listings hold only its own organization", async () => {
    for (const role of ["customer", "customer-admin"] as Role[]) {
      const orgs = (await t.app.inject({ url: "/api/v1/organizations", headers: headers.get(role)! })).json();
      expect(orgs.items.map((o: { id: string }) => o.id)).toEqual([ownOrg]);
    }
    const users = (
      await t.app.inject({ url: "/api/v1/users?limit=200", headers: headers.get("customer-admin")! })
    ).json();
    expect(users.items.length).toBeGreaterThan(0);
    expect(users.items.every((u: { organizationId: string }) => u.organizationId === ownOrg)).toBe(true);
  });

  it("another user's token cannot be revoked (404)", async () => {
    const victim = await tokenFor(t, "agent");
    const list = (await t.app.inject({ url: "/api/v1/tokens", headers: victim.headers })).json();
    const id = list.items[0].id;
    const res = await t.app.inject({ method: "DELETE", url: `/api/v1/tokens/${id}`, headers: headers.get("manager")! });
    expect(res.statusCode).toBe(404);
    expect((await t.app.inject({ url: "/api/v1/me", headers: victim.headers })).statusCode).toBe(200);
  });

  it("the event stream shows a customer only its own organization's events, and anyone only areas they may read", async () => {
    const address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    const collect = async (h: Record<string, string>) => {
      const ac = new AbortController();
      const res = await fetch(`${address}/api/v1/events?after=0`, { headers: h, signal: ac.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = "";
      const deadline = Date.now() + 5000;
      while (!text.includes('"subjectId":"done"') && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      ac.abort();
      return text;
    };
    const at = new Date().toISOString();
    const monitorId = uuidv7();
    const jobId = uuidv7();
    await t.platform.events.publish({ ...ticketUpdated(ownOrg), subjectId: "own" });
    await t.platform.events.publish({ ...ticketUpdated(otherOrg), subjectId: "other" });
    // Own organization, but areas a customer (or an agent, for backups) may not read.
    await t.platform.events.publish({
      type: "monitor.state_changed",
      organizationId: ownOrg,
      subjectId: monitorId,
      payload: {
        monitorId,
        name: "SIP",
        type: "sip",
        from: "UP",
        to: "DOWN",
        reason: null,
        message: null,
        flapping: false,
        parentId: null,
        groupId: null,
        at,
      },
    });
    await t.platform.events.publish({
      type: "backup.run_failed",
      organizationId: ownOrg,
      subjectId: jobId,
      payload: { jobId, name: "db", runId: uuidv7(), operation: "backup", reason: "no-space", error: "disk full" },
    });
    // Provider-wide (the plan): never a customer's. A notification: its user's alone.
    await t.platform.events.publish(planUpdated(7));
    for (const [subjectId, unread] of [
      [uuidv7(), 1],
      [userIds.get("customer")!, 3],
    ] as const) {
      await t.platform.events.publish({
        type: "notification.created",
        subjectId,
        payload: { id: uuidv7(), kind: `unread-${unread}` },
      });
    }
    await t.platform.events.publish({
      type: "ticket.created",
      organizationId: ownOrg,
      subjectId: "done",
      payload: { ticketId: uuidv7(), number: 2 },
    });
    const customer = await collect(headers.get("customer")!);
    expect(customer).toContain('"subjectId":"own"');
    expect(customer).toContain("ticket.created");
    expect(customer).not.toContain('"subjectId":"other"');
    expect(customer).not.toContain("monitor.state_changed");
    expect(customer).not.toContain("backup.run_failed");
    expect(customer).not.toContain("plan.updated");
    expect(customer).toContain('"kind":"unread-3"');
    expect(customer).not.toContain('"kind":"unread-1"');
    const agent = await collect(headers.get("agent")!);
    expect(agent).toContain('"subjectId":"other"');
    expect(agent).toContain("monitor.state_changed");
    expect(agent).toContain("plan.updated");
    expect(agent).not.toContain("backup.run_failed");
    expect(agent).not.toContain("notification.created");
    const anonymous = await fetch(`${address}/api/v1/events`);
    expect(anonymous.status).toBe(401);
  });
});
